"""The facts the pure analysis needs, gathered from the database in a bounded number of
queries whatever the number of lines: the calculator presets of each département (markets'
`presets_for`, two queries per département) and the inclusive structures of the partner
directory (one query per département), counted per purchase family in memory."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from clauses.markets.presets import TerritoryPreset, presets_for
from clauses.network.enums import SIAE_KINDS, PartnerKind
from clauses.network.models import Partner
from clauses.programme import rules

EA_ESAT = frozenset({PartnerKind.EA, PartnerKind.ESAT})
STAFFING = frozenset({PartnerKind.ETTI, PartnerKind.AI})
INCLUSIVE_KINDS = SIAE_KINDS | EA_ESAT | {PartnerKind.GEIQ}


def _naf_matches(naf: str, prefixes: Iterable[str]) -> bool:
    """ "81.21Z" matches "81", "81.2" and "81.21"; "8121Z" (no dot) is read the same way."""
    if not naf:
        return False
    if "." not in naf and len(naf) == 5:
        naf = f"{naf[:2]}.{naf[2:]}"
    return any(naf.startswith(prefix) for prefix in prefixes)


@dataclass
class FactsCache:
    """Presets and partners per département, read once for a whole programme."""

    presets: dict[str | None, dict[str, TerritoryPreset]] = field(default_factory=dict)
    partners: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    supplies: dict[tuple[str, str], rules.LocalSupply] = field(default_factory=dict)

    def presets_for(self, department: str | None) -> dict[str, TerritoryPreset]:
        if department not in self.presets:
            self.presets[department] = presets_for(department)
        return self.presets[department]

    def partners_of(self, department: str) -> list[tuple[str, str]]:
        if department not in self.partners:
            self.partners[department] = list(
                Partner.objects.filter(
                    department__code=department, kind__in=INCLUSIVE_KINDS
                ).values_list("kind", "naf")
            )
        return self.partners[department]

    def supply(self, department: str | None, family: rules.PurchaseFamily) -> rules.LocalSupply:
        if not department:
            return rules.LocalSupply()
        key = (department, family.code)
        if key not in self.supplies:
            self.supplies[key] = self._count(department, family)
        return self.supplies[key]

    def _count(self, department: str, family: rules.PurchaseFamily) -> rules.LocalSupply:
        siae = ea_esat = geiq = staffing = 0
        for kind, naf in self.partners_of(department):
            if kind == PartnerKind.GEIQ:
                geiq += 1
                continue
            if kind in STAFFING:
                staffing += 1
            if _naf_matches(naf, family.naf_prefixes):
                if kind in EA_ESAT:
                    ea_esat += 1
                elif kind in SIAE_KINDS:
                    siae += 1
        return rules.LocalSupply(
            territory=department,
            siae=siae,
            ea_esat=ea_esat,
            geiq=geiq,
            staffing_siae=staffing,
            known=True,
        )


def line_facts(
    *,
    cache: FactsCache,
    today: date,
    title: str,
    kind: str,
    department: str | None,
    cpv: str | None = None,
    category: str = "",
    amount_ht=None,
    duration_months: int | None = None,
    launch_date: date | None = None,
    buyer_kind: str = rules.BuyerKind.LOCAL_AUTHORITY,
) -> rules.LineFacts:
    family = rules.family_for(cpv, kind, category)
    return rules.LineFacts(
        title=title,
        kind=kind,
        today=today,
        cpv=cpv,
        category=category,
        amount_ht=amount_ht,
        duration_months=duration_months,
        launch_date=launch_date,
        buyer_kind=buyer_kind,
        presets=cache.presets_for(department),
        supply=cache.supply(department, family),
    )

"""Demo network: invented structures and facilitators on top of the real skeleton.

Called by `manage.py seed_demo` once the reference data is loaded (`load_reference`). The seed
document gives only the numbers per département (`data/network/idf_network_2026.csv`: 48
structures, 123 facilitators); names, people and coverage are invented here and marked:
`is_demo=True`, « (démo) » in the name of every structure and coordination, addresses on the
reserved domain `demo.clauses.example`, phone numbers in the range ARCEP keeps for fiction
(01 99 00 xx xx).

Coverage follows the real boundaries:
- a département with fewer structures than territories (EPT inside the Grand Paris, EPCI
  outside) groups neighbouring territories around the most populated ones (77, 91, 95);
- a département with more structures than territories (92, 93, 94) has one structure per
  EPT plus town services for its largest communes (overlapping the EPT's, as in real life);
- a single structure covers the whole département (75: Paris 75056, its facilitators split
  the arrondissements; 78: the département, its facilitators split the EPCI).
A territory straddling a département boundary is covered through its communes of the
département only. In every structure, the first facilitator follows the whole coverage of the
structure and the others a part of it, so that every commune of the region resolves to at
least one structure and one facilitator. Three local coordinations (Plaine Commune, Paris
Ouest La Défense, Grand Paris Sud Est Avenir) hold the structures of their territory.

Deterministic (seeded random) and idempotent: rows are upserted by name (structures,
coordinations) or e-mail (facilitators); demo rows no longer planned are deleted.
"""

import csv
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import models, transaction
from django.utils.text import slugify

from clauses.core.text import of_place
from clauses.network.enums import CarrierKind, CoordinationLevel
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure
from clauses.territories.models import Commune, Department, Epci, Ept

DEMO_DOMAIN = "demo.clauses.example"
DEMO_SUFFIX = " (démo)"
SEED = 2026

LOCAL_COORDINATIONS = {  # EPT name → département of its departmental coordination
    "Plaine Commune": "93",
    "Paris Ouest La Défense": "92",
    "Grand Paris Sud Est Avenir": "94",
}

FIRST_NAMES = [
    "Camille", "Karim", "Nadia", "Julien", "Awa", "Thomas", "Sophie", "Mehdi", "Claire",
    "Ibrahima", "Léa", "Nicolas", "Fatou", "Antoine", "Inès", "Mathieu", "Sarah", "Youssef",
    "Émilie", "Olivier", "Aïcha", "Pierre", "Manon", "Samir", "Hélène", "David", "Amina",
    "Laurent", "Chloé", "Rachid", "Pauline", "Vincent", "Salomé", "Moussa", "Élodie", "Hugo",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Diallo", "Petit", "Benali", "Moreau", "Nguyen", "Laurent",
    "Traoré", "Lefèvre", "Haddad", "Garcia", "Roux", "Fontaine", "Mendy", "Girard",
    "Chevalier", "Bouzid", "Lambert", "Da Silva", "Faure", "Camara", "Rousseau", "Blanc",
    "Guérin", "Kaci", "Muller", "Henry", "Perrin", "Sow", "Morel", "Mercier", "Dupont",
    "Leroy", "Benoît", "Cissé", "Marchand", "Colin", "Vidal", "Hamidi",
]  # fmt: skip
JOB_TITLES = ["Facilitateur·rice des clauses sociales", "Chargé·e de mission clauses sociales"]
UNIT_KINDS = [
    (CarrierKind.EMPLOYMENT_HOUSE, "Maison de l'emploi"),
    (CarrierKind.PLIE, "PLIE"),
    (CarrierKind.INTERCOMMUNAL, "Service des clauses sociales"),
    (CarrierKind.ASSOCIATION, "Association Clauses et Territoires"),
]


@dataclass
class Unit:
    """A territory of a département: an EPT, an EPCI, or a lone commune."""

    name: str
    communes: list[Commune]
    epci: Epci | None = None
    ept: Ept | None = None
    whole: bool = True  # False when the EPT/EPCI straddles the département's boundary

    @property
    def population(self) -> int:
        return sum(c.population for c in self.communes)

    @property
    def centre(self) -> tuple[float, float]:
        weight = max(self.population, 1)
        lat = sum((c.lat or 0) * c.population for c in self.communes) / weight
        lon = sum((c.lon or 0) * c.population for c in self.communes) / weight
        return lat, lon


@dataclass
class PlannedStructure:
    name: str
    kind: CarrierKind
    department: str
    units: list[Unit] = field(default_factory=list)
    communes: list[Commune] = field(default_factory=list)  # extra communes coverage
    departments: list[Department] = field(default_factory=list)
    local: str | None = None  # EPT name of the local coordination it belongs to
    parts: list[Unit] = field(default_factory=list)  # what its facilitators split
    facilitators: int = 1

    @property
    def population(self) -> int:
        return sum(u.population for u in self.units) + sum(c.population for c in self.communes)


def seed_table() -> dict[str, tuple[int, int]]:
    """{département: (structures, facilitators)} from the seed document's table."""
    path = Path(settings.DATA_DIR) / "network" / "idf_network_2026.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["dep_code"]: (int(row["structures"]), int(row["facilitateurs"]))
            for row in csv.DictReader(handle)
        }


def _units(department: Department, communes: list[Commune]) -> list[Unit]:
    """The EPT (inside the Grand Paris) and EPCI (outside) of a département."""
    groups: dict[tuple[str, int], list[Commune]] = defaultdict(list)
    for commune in communes:
        if commune.ept_id:
            groups[("ept", commune.ept_id)].append(commune)
        elif commune.epci_id:
            groups[("epci", commune.epci_id)].append(commune)
        else:
            groups[("commune", commune.pk)].append(commune)
    units = []
    for (kind, _), members in groups.items():
        first = members[0]
        if kind == "ept":
            whole = all(c.department_id == department.pk for c in first.ept.communes.all())
            units.append(Unit(first.ept.name, members, ept=first.ept, whole=whole))
        elif kind == "epci":
            whole = all(c.department_id == department.pk for c in first.epci.communes.all())
            units.append(Unit(first.epci.name, members, epci=first.epci, whole=whole))
        else:
            units.append(Unit(first.name, members, whole=False))
    return sorted(units, key=lambda u: (-u.population, u.name))


def _group(units: list[Unit], count: int) -> list[list[Unit]]:
    """Group units around the `count` most populated ones, each joining the nearest."""
    seeds = units[:count]
    groups = [[u] for u in seeds]
    for unit in units[count:]:
        lat, lon = unit.centre
        nearest = min(
            range(count),
            key=lambda i: math.dist((lat, lon), seeds[i].centre),
        )
        groups[nearest].append(unit)
    return groups


def _spread(total: int, weights: list[int]) -> list[int]:
    """`total` split over `weights`: at least 1 each, the rest by largest remainder."""
    counts = [1] * len(weights)
    rest = total - len(weights)
    whole = sum(weights) or 1
    shares = [rest * w / whole for w in weights]
    for i, share in enumerate(shares):
        counts[i] += int(share)
    left = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] % 1), i))
    for i in order[:left]:
        counts[i] += 1
    return counts


def plan(department: Department, structures: int, facilitators: int) -> list[PlannedStructure]:
    """The invented structures of a département, with exactly the seed's numbers."""
    communes = list(
        Commune.objects.filter(department=department, parent__isnull=True)
        .select_related("epci", "ept")
        .prefetch_related("epci__communes", "ept__communes", "arrondissements")
    )
    code = department.code
    planned: list[PlannedStructure] = []
    if structures == 1:
        paris = next((c for c in communes if c.arrondissements.all()), None)
        if paris is not None:  # Paris: one structure, facilitators split the arrondissements
            arrondissements = sorted(paris.arrondissements.all(), key=lambda c: c.insee)
            only = PlannedStructure(
                "Pôle parisien des clauses sociales", CarrierKind.ASSOCIATION, code
            )
            only.communes = [paris]
            only.parts = [Unit(a.name, [a], whole=False) for a in arrondissements]
        else:
            units = _units(department, communes)
            only = PlannedStructure(
                f"Pôle clauses sociales — {department.name}", CarrierKind.GIP, code
            )
            only.departments, only.units, only.parts = [department], units, units
        planned.append(only)
    else:
        units = _units(department, communes)
        if structures <= len(units):
            for index, group in enumerate(_group(units, structures)):
                kind, label = UNIT_KINDS[index % len(UNIT_KINDS)]
                suffix = " et environs" if len(group) > 1 else ""
                structure = PlannedStructure(f"{label} — {group[0].name}{suffix}", kind, code)
                structure.units = group
                structure.parts = group if len(group) > 1 else _commune_parts(group[0])
                planned.append(structure)
        else:
            for index, unit in enumerate(units):
                kind, label = UNIT_KINDS[index % len(UNIT_KINDS)]
                structure = PlannedStructure(f"{label} — {unit.name}", kind, code)
                structure.units, structure.parts = [unit], _commune_parts(unit)
                planned.append(structure)
            largest = sorted(communes, key=lambda c: (-c.population, c.insee))
            for commune in largest[: structures - len(units)]:
                structure = PlannedStructure(
                    f"Service des clauses sociales de la ville {of_place(commune.name)}",
                    CarrierKind.LOCAL_AUTHORITY,
                    code,
                )
                structure.communes = [commune]
                planned.append(structure)
    for structure in planned:
        structure.name += DEMO_SUFFIX
        structure.local = _local_of(structure)
    for structure, count in zip(
        planned, _spread(facilitators, [s.population for s in planned]), strict=True
    ):
        structure.facilitators = count
    return planned


def _local_of(structure: PlannedStructure) -> str | None:
    """The local coordination (by EPT name) whose territory holds all of the structure's."""
    if structure.departments:
        return None
    epts = {u.ept.name if u.ept else None for u in structure.units} | {
        c.ept.name if c.ept_id else None for c in structure.communes
    }
    name = epts.pop() if len(epts) == 1 else None
    return name if name in LOCAL_COORDINATIONS else None


def _commune_parts(unit: Unit) -> list[Unit]:
    return [Unit(c.name, [c], whole=False) for c in unit.communes]


def _coverage(units: list[Unit]) -> tuple[list[Commune], list[Epci], list[Ept]]:
    """M2M coverage of units: the EPT/EPCI itself when whole, else its communes here."""
    communes, epcis, epts = [], [], []
    for unit in units:
        if unit.whole and unit.ept:
            epts.append(unit.ept)
        elif unit.whole and unit.epci:
            epcis.append(unit.epci)
        else:
            communes.extend(unit.communes)
    return communes, epcis, epts


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Create, or update only when something changed (no empty history rows)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values)
    if any(getattr(obj, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()
    return obj


def _email_local(text: str) -> str:
    return slugify(text).replace("-", ".")


def _phone(rng: random.Random) -> str:
    return f"01 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    """Build (or bring up to date) the demo network; print a French summary."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    departmental = {
        c.department.code: c
        for c in Coordination.objects.departmental().select_related("department")
    }
    kept_coordinations, kept_structures, kept_facilitators = set(), set(), set()

    locals_by_ept: dict[str, Coordination] = {}
    for ept_name, dep in LOCAL_COORDINATIONS.items():
        ept = Ept.objects.get(name=ept_name)
        local = _upsert(
            Coordination,
            {"name": f"Coordination locale {ept_name}{DEMO_SUFFIX}"},
            {
                "level": CoordinationLevel.LOCAL,
                "carrier_name": f"Établissement public territorial {ept_name}{DEMO_SUFFIX}",
                "parent": departmental[dep],
                "department": departmental[dep].department,
                "email": f"coordination.{_email_local(ept_name)}@{DEMO_DOMAIN}",
                "phone": _phone(rng),
                "description": "Coordination locale inventée pour la démonstration.",
                "is_demo": True,
            },
        )
        local.epts.set([ept])
        locals_by_ept[ept_name] = local
        kept_coordinations.add(local.pk)

    used_emails: set[str] = set()
    totals = [0, 0]
    for code, (structure_count, facilitator_count) in sorted(seed_table().items()):
        department = departmental[code].department
        for planned in plan(department, structure_count, facilitator_count):
            coordination = locals_by_ept[planned.local] if planned.local else departmental[code]
            base = planned.name.removesuffix(DEMO_SUFFIX)
            structure = _upsert(
                FacilitatorStructure,
                {"name": planned.name},
                {
                    "carrier_kind": planned.kind,
                    "coordination": coordination,
                    "email": f"clauses.{_email_local(base)[:40]}@{DEMO_DOMAIN}",
                    "phone": _phone(rng),
                    "is_active": True,
                    "is_demo": True,
                },
            )
            communes, epcis, epts = _coverage(planned.units)
            structure.communes.set(communes + planned.communes)
            structure.epcis.set(epcis)
            structure.epts.set(epts)
            structure.departments.set(planned.departments)
            kept_structures.add(structure.pk)
            totals[0] += 1

            parts = list(planned.parts)
            rng.shuffle(parts)
            for index in range(planned.facilitators):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                local_part = _email_local(f"{first} {last}")
                email, n = f"{local_part}@{DEMO_DOMAIN}", 2
                while email in used_emails:
                    email, n = f"{local_part}{n}@{DEMO_DOMAIN}", n + 1
                used_emails.add(email)
                facilitator = _upsert(
                    Facilitator,
                    {"email": email},
                    {
                        "first_name": first,
                        "last_name": last,
                        "job_title": rng.choice(JOB_TITLES),
                        "phone": _phone(rng),
                        "structure": structure,
                        "is_active": True,
                        "is_demo": True,
                    },
                )
                # The first one follows the whole structure; the others a part of it.
                own = [parts[(index - 1) % len(parts)]] if index and parts else []
                f_communes, f_epcis, f_epts = _coverage(own)
                facilitator.communes.set(f_communes)
                facilitator.epcis.set(f_epcis)
                facilitator.epts.set(f_epts)
                kept_facilitators.add(facilitator.pk)
                totals[1] += 1

    Facilitator.objects.filter(is_demo=True).exclude(pk__in=kept_facilitators).delete()
    FacilitatorStructure.objects.filter(is_demo=True).exclude(pk__in=kept_structures).delete()
    Coordination.objects.filter(is_demo=True).exclude(pk__in=kept_coordinations).delete()
    stdout.write(
        f"Réseau de démonstration : {totals[0]} structures, {totals[1]} facilitateurs, "
        f"{len(kept_coordinations)} coordinations locales.\n"
    )

"""What an import would do with the database as it is: each entity of the checked rows
matched by its natural key or made ready to create (in memory, nothing written), with the
problems only the database can tell, and the hours counted by the hours' own rules.

Natural keys (issue #14.1):

- people: the follow-up identity key in the structure's département, matched only among
  the records the actor sees and the structure's own — `followup.selectors.find_same_person`
  applied to the whole file at once (same scope, same order of preference); a record of
  another structure the actor does not see is never matched nor mentioned: the structure
  gets its own record with the same key (#11.7, the ceiling still sees one person);
- eligibility validations: (person, validation date, criteria);
- markets: (buyer organisation, reference) — the buyer by SIRET, else by name; lots by
  number, clauses by kind; companies by SIRET, else by name; buyers and companies unknown
  are added to the directory of organisations;
- assignments: (person, lot, company, start); hours: (assignment, month).

The eligibility referential is the territory's in force at each validation date
(`followup.selectors.criteria_in_force`, asked once per span of dates over which no
criterion starts or ends). A validation's end is `followup.rules.valid_until` from the
person's first clause contract; hours are counted by `hours.rules.count_declaration` with
the market's settings, exactly as a controlled declaration is.
"""

import bisect
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Min, Q
from django.db.models.functions import Upper
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.accounts.validators import validate_siret
from clauses.core.text import compact
from clauses.followup import policies as followup_policies
from clauses.followup import rules as followup_rules
from clauses.followup.identity import identity_key
from clauses.followup.models import (
    Assignment,
    EligibilityCriterion,
    EligibilityValidation,
    Participant,
)
from clauses.followup.selectors import (
    criteria_in_force,
    structure_department,
    validity_months_for,
)
from clauses.history import fields
from clauses.history.hours_plan import HoursPlanning
from clauses.history.validation import Checked, Problem, Row
from clauses.hours.models import HourDeclaration
from clauses.markets import publics
from clauses.markets.enums import ConsiderationKind, ContractorRole, HourMethod, MarketStatus
from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration
from clauses.markets.policies import visible_markets
from clauses.network.models import FacilitatorStructure

CHUNK = 500
HISTORY_NOTE = "Reprise d'historique"


@dataclass
class Plan:
    """The rows to write (unsaved model instances, linked in memory) and the counts."""

    problems: list[Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    uncounted: list[dict] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    markets: list[Market] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    contractors: list[LotContractor] = field(default_factory=list)
    clauses: list[SocialConsideration] = field(default_factory=list)
    participants: list[Participant] = field(default_factory=list)
    validations: list[tuple[EligibilityValidation, list[EligibilityCriterion]]] = field(
        default_factory=list
    )
    changed_validations: list[EligibilityValidation] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    declarations: list[HourDeclaration] = field(default_factory=list)
    recount_participants: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, dict[str, int]]:
        entities = set(self.created) | set(self.matched) | set(self.skipped)
        return {
            key: {
                "created": self.created.get(key, 0),
                "matched": self.matched.get(key, 0),
                "skipped": self.skipped.get(key, 0),
            }
            for key in fields.ENTITIES
            if key in entities
        }


def _chunks(items: Iterable, size: int = CHUNK) -> Iterable[list]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Builder(HoursPlanning):
    def __init__(self, actor: Actor, structure: FacilitatorStructure, checked: Checked) -> None:
        self.actor, self.structure, self.checked = actor, structure, checked
        self.plan = Plan()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.department = structure_department(structure)
        self.people: dict[tuple, Participant] = {}  # Person.key → record (found or new)
        self.new_people: set[int] = set()  # id() of the new records
        self.validations_of: dict[int, list[EligibilityValidation]] = defaultdict(list)
        self.markets: dict[tuple, Market | None] = {}
        self.lots: dict[tuple, Lot] = {}
        self.clauses: dict[tuple, SocialConsideration] = {}
        self.companies: dict[str, Organisation | None] = {}
        self.assignments: dict[tuple, Assignment] = {}
        self.first_start: dict[int, datetime.date] = {}  # id(participant) → first contract

    def problem(self, line: int, key: str, message: str) -> None:
        self.plan.problems.append(Problem(line, self.checked.column(key), message))

    def rows(self, attribute: str) -> list[Row]:
        return [row for row in self.checked.rows if getattr(row, attribute) is not None]

    # -- people ---------------------------------------------------------------------------

    def match_people(self) -> None:
        groups: dict[tuple, list[Row]] = defaultdict(list)
        for row in self.rows("person"):
            groups[row.person.key].append(row)
        keys: dict[tuple, tuple[str, str]] = {}
        for person_key, rows in groups.items():
            person = rows[0].person
            names = {"last_name": person.last_name, "first_name": person.first_name}
            key = identity_key(**names, birth_date=person.birth_date, birth_year=person.birth_year)
            year_key = (
                identity_key(**names, birth_year=person.birth_year) if person.birth_date else ""
            )
            keys[person_key] = (key, year_key)
        found: dict[str, list[Participant]] = defaultdict(list)
        wanted = {k for pair in keys.values() for k in pair if k}
        others: list[Participant] = []
        for chunk in _chunks(wanted):
            for record in Participant.objects.filter(
                department=self.department, identity_key__in=chunk
            ):
                if record.structure_id == self.structure.pk:
                    found[record.identity_key].append(record)
                else:
                    others.append(record)
        # Another structure's record only when the actor sees it (find_same_person's scope),
        # asked of those few records only.
        visible = followup_policies.visible_participants(self.actor)
        for chunk in _chunks(others):
            seen = set(visible.filter(pk__in=[r.pk for r in chunk]).values_list("pk", flat=True))
            for record in chunk:
                if record.pk in seen:
                    found[record.identity_key].append(record)
        by_identity: dict[str, Participant] = {}
        for person_key, (key, year_key) in keys.items():
            candidates = found.get(key, []) + (found.get(year_key, []) if year_key else [])
            # find_same_person's order: the exact key, the structure's own record, the oldest
            existing = min(
                candidates,
                key=lambda r: (r.identity_key != key, r.structure_id != self.structure.pk, r.pk),
                default=None,
            )
            if existing is not None:
                self.people[person_key] = existing
                self.plan.matched[fields.PERSON] += 1
                continue
            if key in by_identity:  # two spellings of the same person in the file
                self.people[person_key] = by_identity[key]
                continue
            person = groups[person_key][0].person
            record = Participant(
                first_name=person.first_name,
                last_name=person.last_name,
                birth_year=person.birth_year,
                birth_date=person.birth_date,
                gender=person.gender,
                identity_key=key,
                structure=self.structure,
                department=self.department,
                created_by_id=self.actor.user_id,
                created_at=self.now,
            )
            by_identity[key] = record
            self.people[person_key] = record
            self.new_people.add(id(record))
            self.plan.participants.append(record)
            self.plan.created[fields.PERSON] += 1
        existing_ids = [p.pk for p in self.people.values() if p.pk]
        for chunk in _chunks(existing_ids):
            for record in EligibilityValidation.objects.filter(
                participant_id__in=chunk
            ).prefetch_related("criteria"):
                self.validations_of[record.participant_id].append(record)
            for participant_id, first in (
                Assignment.objects.filter(participant_id__in=chunk)
                .values_list("participant_id")
                .annotate(first=Min("start_date"))
            ):
                self.first_start[participant_id] = first

    # -- eligibility ----------------------------------------------------------------------

    def _referentials(self, dates: set[datetime.date]) -> dict[datetime.date, dict]:
        """The referential in force on each date, asked once per span where no criterion
        starts or ends (criteria_in_force depends on the date only through them)."""
        points = set()
        for start, end in EligibilityCriterion.objects.values_list("valid_from", "valid_until"):
            points.add(start)
            if end is not None:
                points.add(end + datetime.timedelta(days=1))
        ordered = sorted(points)
        by_span: dict[int, dict] = {}
        result = {}
        for day in dates:
            # A validation older than the referential (the national one starts with the
            # CCAG of 2021) is checked against its first version: the clause publics were
            # the same under the CCAG of 2009, art. 14 [I] (docs/history-import.md).
            on = max(day, ordered[0]) if ordered else day
            span = bisect.bisect_right(ordered, on)
            if span not in by_span:
                by_span[span] = criteria_in_force(self.department, on)
            result[day] = by_span[span]
        return result

    def plan_validations(self) -> None:
        rows = self.rows("eligibility")
        if not rows:
            return
        referentials = self._referentials({row.eligibility.validated_on for row in rows})
        months = validity_months_for(self.department.code if self.department else None)
        known: dict[tuple, bool] = {}
        for participant_id, records in self.validations_of.items():
            for record in records:
                start = record.valid_from or timezone.localdate(record.validated_at)
                codes = frozenset(c.code for c in record.criteria.all())
                known[(participant_id, start, codes)] = True
        seen: set[tuple] = set()
        for row in rows:
            participant = self.people.get(row.person.key)
            if participant is None:
                continue
            eligibility = row.eligibility
            codes = frozenset(eligibility.criteria)
            key = (id(participant), eligibility.validated_on, codes)
            if key in seen:
                continue
            seen.add(key)
            if participant.pk and (participant.pk, eligibility.validated_on, codes) in known:
                self.plan.matched[fields.ELIGIBILITY] += 1
                continue
            criteria = self._criteria(row, referentials[eligibility.validated_on])
            if criteria is None:
                continue
            record = EligibilityValidation(
                participant=participant,
                proof_kind=eligibility.proof_kind,
                proof_date=eligibility.proof_date,
                structure=self.structure,
                validated_by_id=self.actor.user_id,
                validated_at=timezone.make_aware(
                    datetime.datetime.combine(eligibility.validated_on, datetime.time(12))
                ),
                valid_from=eligibility.validated_on,
                validity_months=months,
                notes=HISTORY_NOTE,
            )
            self.plan.validations.append((record, criteria))
            self.validations_of[participant.pk or id(participant)].append(record)
            self.plan.created[fields.ELIGIBILITY] += 1
            if participant.pk:
                self.plan.recount_participants.add(participant.pk)

    def _criteria(self, row: Row, referential: dict) -> list[EligibilityCriterion] | None:
        eligibility = row.eligibility
        codes = list(eligibility.criteria)
        on = eligibility.validated_on
        error = followup_rules.decision_error(
            criteria_codes=codes, derogation=False, prescriber_opinion=""
        )
        if error:
            self.problem(row.line, "eligibility.criteria", error[:1].lower() + error[1:])
            return None
        unknown = [code for code in codes if code not in referential]
        if unknown:
            labels = ", ".join(
                fields.choice_codes("eligibility.criteria").get(c, c) for c in unknown
            )
            self.problem(
                row.line,
                "eligibility.criteria",
                f"critère absent du référentiel du territoire au {on:%d/%m/%Y} : {labels}.",
            )
            return None
        if "iae_pathway" in codes:
            self.problem(
                row.line,
                "eligibility.criteria",
                "le critère « parcours IAE » exige un PASS IAE en cours de validité, que "
                "l'import ne reprend pas : validez-le dans la fiche de la personne.",
            )
            return None
        if eligibility.proof_date is not None:
            for code in codes:
                criterion = referential[code]
                if not followup_rules.proof_is_recent(
                    eligibility.proof_date, criterion.proof_max_age_days, on
                ):
                    self.problem(
                        row.line,
                        "eligibility.proof_date",
                        f"le justificatif est trop ancien pour le critère « {criterion.label} » "
                        f"({criterion.proof_max_age_days} jours au plus).",
                    )
                    return None
        return [referential[code] for code in codes]

    # -- organisations, markets, lots, clauses ------------------------------------------

    def _organisations(self, kind: str, items: list[tuple[str, str]]) -> dict[str, Organisation]:
        """{key: organisation} of those already in the directory (by SIRET, else name)."""
        sirets = {siret for siret, _ in items if siret}
        names = {name for _, name in items if name}
        found: dict[str, Organisation] = {}
        for chunk in _chunks(sirets):
            for org in Organisation.objects.filter(kind=kind, siret__in=chunk):
                found[f"siret:{org.siret}"] = org
        # By name: the same name whatever its case (one scan per 500 names), and for
        # buyers every buyer of the département compared folded (« Ville de St-Denis »).
        candidates = Organisation.objects.filter(kind=kind).order_by("pk")
        for chunk in _chunks(names):
            upper = {name.upper() for name in chunk}
            # (SQLite's upper() knows ASCII only: the exact names are asked too)
            same_name = Q(upper_name__in=upper) | Q(name__in=chunk)
            for org in candidates.annotate(upper_name=Upper("name")).filter(same_name):
                found.setdefault(f"name:{compact(org.name)}", org)
        if kind == OrganisationKind.BUYER and self.department is not None and names:
            wanted = {f"name:{compact(name)}" for name in names}
            for org in candidates.filter(department=self.department).only("pk", "name", "siret"):
                key = f"name:{compact(org.name)}"
                if key in wanted:
                    found.setdefault(key, org)
        return found

    def _organisation(
        self,
        found: dict[str, Organisation],
        made: dict[str, Organisation],
        kind: str,
        siret: str,
        name: str,
        line: int,
        column: str,
    ) -> Organisation | None:
        by_name = f"name:{compact(name)}" if name else ""
        if siret and f"siret:{siret}" in found:
            return found[f"siret:{siret}"]
        if by_name and by_name in found and not (siret and found[by_name].siret):
            return found[by_name]
        made_key = f"siret:{siret}" if siret else by_name
        if made_key in made:
            return made[made_key]
        what = "l'acheteur" if kind == OrganisationKind.BUYER else "l'entreprise"
        if not name:
            self.problem(
                line,
                column,
                f"{what} de SIRET {siret} n'est pas dans l'annuaire : ajoutez une colonne "
                "avec son nom pour l'y ajouter.",
            )
            return None
        if siret:
            try:
                validate_siret(siret)
            except ValidationError:
                self.problem(line, column, f"« {siret} » n'est pas un SIRET valide.")
                return None
        org = Organisation(
            kind=kind,
            name=name[:250],
            siret=siret,
            department=self.department if kind == OrganisationKind.BUYER else None,
            is_confirmed=True,
            confirmed_at=self.now,
            confirmed_by_id=self.actor.user_id,
            created_at=self.now,
        )
        made[made_key] = org
        self.plan.organisations.append(org)
        self.plan.created[fields.ORGANISATION] += 1
        return org

    def plan_markets(self) -> None:
        rows = self.rows("market")
        if not rows:
            return
        buyers_found = self._organisations(
            OrganisationKind.BUYER, [(r.market.buyer_siret, r.market.buyer_name) for r in rows]
        )
        made: dict[str, Organisation] = {}
        firsts: dict[tuple, Row] = {}
        for row in rows:
            firsts.setdefault(row.market.key, row)
        buyers: dict[tuple, Organisation | None] = {}
        for key, row in firsts.items():
            column = "market.buyer_siret" if row.market.buyer_siret else "market.buyer_name"
            buyers[key] = self._organisation(
                buyers_found,
                made,
                OrganisationKind.BUYER,
                row.market.buyer_siret,
                row.market.buyer_name,
                row.line,
                column,
            )
        known_buyers = {org.pk for org in buyers.values() if org is not None and org.pk}
        existing: dict[tuple[int, str], Market] = {}
        references = {row.market.reference for row in firsts.values()}
        for chunk in _chunks(references):
            same = Q(upper_reference__in={r.upper() for r in chunk}) | Q(reference__in=chunk)
            for market in (
                Market.objects.filter(buyer_id__in=known_buyers)
                .annotate(upper_reference=Upper("reference"))
                .filter(same)
            ):
                existing[(market.buyer_id, market.reference.strip().upper())] = market
        visible = set(
            visible_markets(self.actor)
            .filter(pk__in=[m.pk for m in existing.values()])
            .values_list("pk", flat=True)
        )
        for key, row in firsts.items():
            buyer = buyers[key]
            if buyer is None:
                self.markets[key] = None
                continue
            market = existing.get((buyer.pk, key[1])) if buyer.pk else None
            if market is not None:
                if market.pk not in visible:
                    self.problem(
                        row.line,
                        "market.reference",
                        f"le marché « {row.market.reference} » de cet acheteur existe déjà mais "
                        "votre structure ne le suit pas : demandez à votre coordination de "
                        "vous y associer.",
                    )
                    self.markets[key] = None
                    continue
                self.markets[key] = market
                self.plan.matched[fields.MARKET] += 1
                continue
            if not row.market.kind:
                self.problem(
                    row.line,
                    "market.kind",
                    f"indiquez le type du marché « {row.market.reference} » (Travaux, "
                    "Fournitures ou Services) pour le créer.",
                )
                self.markets[key] = None
                continue
            market = Market(
                buyer=buyer,
                reference=row.market.reference[:60],
                subject=row.market.subject or f"Marché {row.market.reference}",
                kind=row.market.kind,
                status=MarketStatus.IN_EXECUTION,
                notification_date=row.market.notification_date,
                following_structure=self.structure,
                created_by_id=self.actor.user_id,
                created_at=self.now,
                updated_at=self.now,
            )
            self.markets[key] = market
            self.plan.markets.append(market)
            self.plan.created[fields.MARKET] += 1
        self._plan_lots_and_clauses(rows)

    def _plan_lots_and_clauses(self, rows: list[Row]) -> None:
        market_ids = [m.pk for m in self.markets.values() if m is not None and m.pk]
        existing_lots = {
            (lot.market_id, lot.number): lot for lot in Lot.objects.filter(market_id__in=market_ids)
        }
        existing_clauses = {
            (clause.lot_id, clause.kind): clause
            for clause in SocialConsideration.objects.filter(lot__market_id__in=market_ids)
        }
        publics_list = publics.territory_publics(
            self.department.code if self.department else None, on=self.today
        )
        for row in rows:
            market = self.markets.get(row.market.key)
            if market is None:
                continue
            lot_key = row.lot_key
            lot = self.lots.get(lot_key)
            if lot is None:
                lot = existing_lots.get((market.pk, row.lot_number)) if market.pk else None
                if lot is not None:
                    self.plan.matched[fields.LOT] += 1
                else:
                    title = row.lot_title or (
                        "Lot unique" if row.lot_number == 1 else f"Lot {row.lot_number}"
                    )
                    lot = Lot(market=market, number=row.lot_number, title=title[:300])
                    self.plan.lots.append(lot)
                    self.plan.created[fields.LOT] += 1
                self.lots[lot_key] = lot
            clause_key = row.clause_key
            if clause_key in self.clauses:
                continue
            clause = existing_clauses.get((lot.pk, row.clause_kind)) if lot.pk else None
            if clause is not None:
                self.plan.matched[fields.CLAUSE] += 1
            else:
                execution = row.clause_kind == ConsiderationKind.EXECUTION_CONDITION
                clause = SocialConsideration(
                    lot=lot,
                    kind=row.clause_kind,
                    description=HISTORY_NOTE,
                    eligible_publics=publics_list if execution else [],
                    modalities=publics.default_modalities() if execution else [],
                    hours_method=HourMethod.MANUAL if row.clause_hours is not None else "",
                    calculated_hours=row.clause_hours,
                    created_at=self.now,
                    updated_at=self.now,
                )
                self.plan.clauses.append(clause)
                self.plan.created[fields.CLAUSE] += 1
            self.clauses[clause_key] = clause

    # -- companies and assignments ------------------------------------------------------

    def plan_assignments(self) -> None:
        rows = [row for row in self.rows("assignment") if self._lot_of(row) is not None]
        if not rows:
            return
        companies_found = self._organisations(
            OrganisationKind.COMPANY,
            [(r.assignment.company_siret, r.assignment.company_name) for r in rows],
        )
        made: dict[str, Organisation] = {}
        for row in rows:
            key = row.assignment.company_key
            if key not in self.companies:
                column = (
                    "assignment.company_siret"
                    if row.assignment.company_siret
                    else "assignment.company_name"
                )
                self.companies[key] = self._organisation(
                    companies_found,
                    made,
                    OrganisationKind.COMPANY,
                    row.assignment.company_siret,
                    row.assignment.company_name,
                    row.line,
                    column,
                )
        lot_ids = {lot.pk for lot in self.lots.values() if lot.pk}
        contractors = set(
            LotContractor.objects.filter(lot_id__in=lot_ids).values_list(
                "lot_id", "organisation_id"
            )
        )
        people_ids = {p.pk for p in self.people.values() if p.pk}
        existing: dict[tuple, Assignment] = {}
        for chunk in _chunks(people_ids):
            for record in Assignment.objects.filter(participant_id__in=chunk, lot_id__in=lot_ids):
                key = (record.participant_id, record.lot_id, record.employer_id, record.start_date)
                existing[key] = record
        added_contractors: set[tuple[int, int]] = set()
        for row in rows:
            company = self.companies.get(row.assignment.company_key)
            participant = self.people.get(row.person.key)
            lot = self._lot_of(row)
            if company is None or participant is None or lot is None:
                continue
            key = row.assignment_key
            if key in self.assignments:
                continue
            found = None
            if participant.pk and lot.pk and company.pk:
                found = existing.get(
                    (participant.pk, lot.pk, company.pk, row.assignment.start_date)
                )
            if found is not None:
                self.assignments[key] = found
                self.plan.matched[fields.ASSIGNMENT] += 1
                continue
            if (lot.pk, company.pk) not in contractors or not (lot.pk and company.pk):
                pair = (id(lot), id(company))
                if pair not in added_contractors:
                    added_contractors.add(pair)
                    self.plan.contractors.append(
                        LotContractor(
                            lot=lot,
                            organisation=company,
                            role=ContractorRole.HOLDER,
                            created_at=self.now,
                        )
                    )
            data = row.assignment
            record = Assignment(
                participant=participant,
                lot=lot,
                employer=company,
                modality=data.modality,
                contract_type=data.contract_type,
                trade=data.trade,
                start_date=data.start_date,
                end_date=data.end_date,
                created_by_id=self.actor.user_id,
                created_at=self.now,
            )
            self.assignments[key] = record
            self.plan.assignments.append(record)
            self.plan.created[fields.ASSIGNMENT] += 1
            who = participant.pk or id(participant)
            first = self.first_start.get(who)
            if first is None or data.start_date < first:
                self.first_start[who] = data.start_date
                if participant.pk:
                    self.plan.recount_participants.add(participant.pk)

    def _lot_of(self, row: Row) -> Lot | None:
        if row.market is None:
            return None
        return self.lots.get(row.lot_key)

    # -- eligibility ends (followup's rule) ------------------------------------------

    def refresh_validity(self) -> None:
        """valid_until of every open validation = validity months after the person's first
        clause contract (`followup.rules.valid_until`), none while there is no contract."""
        new = {id(record) for record, _ in self.plan.validations}
        for who, records in self.validations_of.items():
            first = self.first_start.get(who)
            for record in records:
                if record.withdrawn_at is not None:
                    continue
                until = followup_rules.valid_until(first, record.validity_months) if first else None
                if record.valid_until == until:
                    continue
                record.valid_until = until
                if id(record) not in new:
                    self.plan.changed_validations.append(record)
                    self.plan.recount_participants.add(record.participant_id)


def build(*, actor: Actor, structure: FacilitatorStructure, checked: Checked) -> Plan:
    """Match every entity of the checked rows, prepare what to create, count the hours."""
    builder = _Builder(actor, structure, checked)
    builder.match_people()
    builder.plan_validations()
    builder.plan_markets()
    builder.plan_assignments()
    builder.refresh_validity()
    if not builder.plan.problems:
        builder.plan_hours()
    builder.plan.problems.sort(key=lambda p: (p.line, p.column))
    return builder.plan

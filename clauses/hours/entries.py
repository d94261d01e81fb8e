"""Checking declarations before they are written: the facts each entry is judged on are
gathered here (a bounded number of queries, whatever the number of entries) and judged by
the pure `rules.check_entry`. Shared by the form, the spreadsheet import and the API
(`services.save_entries` calls it inside its transaction, after the person's lock).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.core.text import compact
from clauses.followup.models import Assignment, Participant
from clauses.hours import policies, rules
from clauses.hours.enums import LIVE_STATUSES
from clauses.hours.models import HourDeclaration, ImportBatch
from clauses.hours.rules import Entry
from clauses.hours.selectors import settings_for_market
from clauses.markets.models import Lot

# The French names of the fields, as the spreadsheet's headers and the API's keys show them.
FIELD_LABELS = {
    "assignment": "N° de mission",
    "participant": "Participant·e",
    "month": "Mois",
    "hours": "Heures",
    "amount_ht": "Montant sous-traité HT",
    "training": "Formation",
    "reason": "Motif de la correction",
}
OLDEST_MONTHS = rules.OLDEST_MONTHS


@dataclass(frozen=True)
class Problem:
    line: int
    field: str  # a key of FIELD_LABELS, or "" for the whole line
    message: str

    @property
    def column(self) -> str:
        return FIELD_LABELS.get(self.field, "")

    def __str__(self) -> str:
        where = f"ligne {self.line}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


@dataclass
class Checked:
    entry: Entry
    assignment: Assignment
    base_hours: Decimal
    existing: HourDeclaration | None


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    declarations: list[HourDeclaration] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    already_imported: ImportBatch | None = None
    # Per declaration written or found: "created", "corrected" or "unchanged".
    results: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def identity(participant: Participant) -> str:
    """Who the person is across assignments: the follow-up's identity key (same person
    across contractors of a territory), else the participant record."""
    return participant.identity_key or f"participant:{participant.pk}"


def _people_q(keys: set[str]) -> Q:
    identity_keys = {k for k in keys if not k.startswith("participant:")}
    participant_ids = {int(k.split(":")[1]) for k in keys if k.startswith("participant:")}
    condition = Q(pk__in=[])
    if identity_keys:
        condition |= Q(assignment__participant__identity_key__in=identity_keys)
    if participant_ids:
        condition |= Q(assignment__participant_id__in=participant_ids)
    return condition


def _hours_elsewhere(
    keys: set[str], months: set[date], replaced: set[int]
) -> dict[tuple[str, date], Decimal]:
    """The hours standing for these people and months, except the declarations the batch
    replaces. One query."""
    if not keys or not months:
        return {}
    rows = (
        HourDeclaration.objects.filter(
            month__in=months, status__in=LIVE_STATUSES, declared_hours__isnull=False
        )
        .filter(_people_q(keys))
        .exclude(pk__in=replaced)
        .order_by()
        .values("assignment__participant__identity_key", "assignment__participant_id", "month")
        .annotate(total=Sum("declared_hours"))
    )
    elsewhere: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for row in rows:
        key = row["assignment__participant__identity_key"] or (
            f"participant:{row['assignment__participant_id']}"
        )
        elsewhere[(key, row["month"])] += row["total"] or Decimal(0)
    return elsewhere


def _standing(declaration: HourDeclaration | None) -> rules.StandingDeclaration | None:
    if declaration is None:
        return None
    return rules.StandingDeclaration(
        status=declaration.status,
        status_label=declaration.get_status_display(),
        hours=declaration.declared_hours,
        amount_ht=declaration.declared_amount_ht,
        is_training=declaration.is_training,
    )


def check_entries(
    actor: Actor,
    entries: Sequence[Entry],
    *,
    today: date | None = None,
    assignments: dict[int, Assignment] | None = None,
) -> tuple[list[Checked], list[Problem]]:
    """Check every entry (nothing is written): gather the facts, judge each entry with
    `rules.check_entry`. Problems in French, by line and field. Five queries whatever the
    number of entries (plus one per territory's settings)."""
    today = today or timezone.localdate()
    ids = {e.assignment_id for e in entries if e.assignment_id is not None}
    if assignments is None:
        assignments = load_assignments(entries)
    own = set(
        policies.declarable_assignments(actor).filter(pk__in=ids).values_list("pk", flat=True)
    )
    months = {rules.first_of_month(e.month) for e in entries if e.month}
    existing = {
        (d.assignment_id, d.month): d
        for d in HourDeclaration.objects.filter(assignment_id__in=own, month__in=months)
    }
    people = {pk: identity(a.participant) for pk, a in assignments.items()}
    keys = {people[pk] for pk in assignments if pk in own}
    replaced = {d.pk for d in existing.values()}
    elsewhere = _hours_elsewhere(keys, months, replaced)

    cache: dict = {}
    problems: list[Problem] = []
    checked: list[Checked] = []
    seen: dict[tuple[int, date], int] = {}
    batch_lines: dict[tuple[str, date], list[int]] = defaultdict(list)
    batch_hours: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    # The facts of an assignment are the same for each of its rows (a file has a row per
    # month): made once per assignment, not once per row (#15).
    assignment_facts: dict[int, rules.AssignmentFacts] = {}
    for entry in entries:
        assignment = assignments.get(entry.assignment_id) if entry.assignment_id else None
        month = rules.first_of_month(entry.month) if entry.month else None
        person = (people[assignment.pk], month) if assignment and month else None
        key = (assignment.pk, month) if assignment and month else None
        if assignment is not None and assignment.pk not in assignment_facts:
            assignment_facts[assignment.pk] = rules.AssignmentFacts(
                pk=assignment.pk,
                own=assignment.pk in own,
                start=assignment.start_date,
                end=assignment.end_date,
                subcontracting=assignment.modality in rules.SUBCONTRACTING_MODALITIES,
                person_name=compact(str(assignment.participant)),
            )
        facts = rules.EntryFacts(
            today=today,
            assignment_id=entry.assignment_id,
            assignment=None if assignment is None else assignment_facts[assignment.pk],
            typed_name=compact(entry.participant_name) if entry.participant_name else "",
            existing=_standing(existing.get(key)) if key else None,
            earlier_line=seen.get(key) if key else None,
            person_hours=elsewhere.get(person, Decimal(0)) if person else Decimal(0),
            batch_lines=tuple(batch_lines[person]) if person else (),
            batch_hours=batch_hours[person] if person else Decimal(0),
        )
        reasons = rules.check_entry(facts, entry)
        if key is not None and key not in seen and assignment.pk in own:
            seen[key] = entry.line
        if reasons:
            problems.extend(Problem(entry.line, r.field, r.message) for r in reasons)
            continue
        assert assignment is not None and person is not None  # noqa: S101 — checked
        if entry.amount_ht is not None:
            settings = settings_for_market(assignment.lot.market, cache=cache)
            base = rules.convert_amount(
                entry.amount_ht,
                labour_share=settings.labour_share,
                hourly_cost=settings.hourly_cost,
            )
        else:
            base = entry.hours or Decimal(0)
            batch_lines[person].append(entry.line)
            batch_hours[person] += base
        checked.append(Checked(entry, assignment, base, existing.get(key)))
    problems.sort(key=lambda p: (p.line, p.field))
    return checked, problems


def load_assignments(entries: Sequence[Entry]) -> dict[int, Assignment]:
    """The assignments the entries name, by key, with their participant, and their lot,
    market, buyer and département: two queries, the lots read once each (a file's rows share
    a few lots) instead of once per assignment. Read before the people's lock (their
    `identities`) and given to `check_entries`: nothing in them is what the lock protects
    (the hours standing are read after it)."""
    ids = {e.assignment_id for e in entries if e.assignment_id is not None}
    assignments = {
        a.pk: a for a in Assignment.objects.filter(pk__in=ids).select_related("participant")
    }
    lots = Lot.objects.filter(pk__in={a.lot_id for a in assignments.values()}).select_related(
        "market__buyer__department"
    )
    by_pk = {lot.pk: lot for lot in lots}
    lot_field = Assignment._meta.get_field("lot")
    for assignment in assignments.values():
        lot_field.set_cached_value(assignment, by_pk[assignment.lot_id])
    return assignments


def identities(assignments: dict[int, Assignment]) -> set[str]:
    """The people of these assignments (to lock them before writing)."""
    return {identity(a.participant) for a in assignments.values()}

"""Write workflows of hours: declare (form, spreadsheet, API — one path for all), correct,
control (validate, refuse with a reason, ask for a fix; one or several at once), recount,
globalisation agreements.

Declaring: inside ONE transaction, the people the entries name are locked (a PostgreSQL
advisory lock per person; SQLite's write lock serialises writers), then every entry is
checked (`entries.check_entries`: facts gathered, judged by the pure `rules.check_entry`)
and all are written or none (new declarations by COPY on PostgreSQL: `writing.py`), with an
audit event; a file is journalled once (its batch), a correction or a declaration typed in
the form or the API by its own `DeclarationEvent`.
Checking after the lock means two declarations sent at the same moment cannot both pass
the monthly ceiling (issue 11). Declarations are keyed by (assignment, month): the same
values again change nothing ("déjà enregistrée"); other values are a correction, which
needs its reason, is kept in the declaration's history and goes back to control.

The events others are told of happen in ONE place each, once per write:
`declarations_arrived`, `declarations_controlled` and `declaration_refused` below, which
send the signals of `signals.py` (the notifications and reporting apps, above, receive them).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.accounts.models import Organisation
from clauses.followup.models import Assignment, Participant
from clauses.hours import entries as checks
from clauses.hours import policies, rules, signals, writing
from clauses.hours.entries import (  # noqa: F401 — re-exported: imports, API, bench, tests
    FIELD_LABELS,
    OLDEST_MONTHS,
    Checked,
    Outcome,
    Problem,
    check_entries,
)
from clauses.hours.enums import ControlDecision, DeclarationSource, DeclarationStatus
from clauses.hours.models import (
    DeclarationEvent,
    GlobalisationAgreement,
    HourDeclaration,
    ImportBatch,
)
from clauses.hours.rules import Entry
from clauses.hours.selectors import (  # noqa: F401 — some re-exported (demo, tests)
    counting_detail,
    declaration_facts,
    eligibility_windows,
    settings_for_market,
)
from clauses.markets.models import SocialConsideration

# -- counting ----------------------------------------------------------------------------


def _apply_count(declaration: HourDeclaration, settings: rules.Settings) -> bool:
    """Compute the counted value into the declaration; True if it changed."""
    facts = declaration_facts(declaration, settings)
    base, _ = rules.base_hours(facts, settings)
    counted = rules.count_declaration(facts, settings)
    changed = (
        declaration.base_hours != base
        or declaration.counted_hours != counted.hours
        or declaration.counting_rule != counted.rule
    )
    declaration.base_hours = base
    declaration.counted_hours = counted.hours
    declaration.counting_rule = counted.rule
    declaration.counting_detail = counting_detail(facts, settings, counted, base)
    declaration.counted_at = timezone.now()
    return changed


def recount(
    declarations: Iterable[HourDeclaration] | QuerySet[HourDeclaration] | None = None,
    *,
    wet_run: bool = True,
    changes: list[tuple[HourDeclaration, Decimal]] | None = None,
) -> int:
    """Recompute counted hours (after an eligibility validation, a setting, an agreement or
    a control changed); returns how many changed. Bounded: 3 queries + one write per
    change. Without `wet_run`, nothing is written; `changes` (if given) receives each
    changed declaration with its counted hours before."""
    queryset = HourDeclaration.objects.select_related(
        "assignment__lot__market__buyer__department", "assignment__participant"
    ).prefetch_related("assignment__participant__validations")
    if isinstance(declarations, QuerySet):
        queryset = queryset.filter(pk__in=declarations.values("pk"))
    elif declarations is not None:
        queryset = queryset.filter(pk__in=[d.pk for d in declarations])
    cache: dict = {}
    changed = 0
    for declaration in queryset.order_by("pk"):
        settings = settings_for_market(declaration.assignment.lot.market, cache=cache)
        before = declaration.counted_hours
        if not _apply_count(declaration, settings):
            continue
        changed += 1
        if changes is not None:
            changes.append((declaration, before))
        if wet_run:
            declaration.save(
                update_fields=[
                    "base_hours",
                    "counted_hours",
                    "counting_rule",
                    "counting_detail",
                    "counted_at",
                ]
            )
    return changed


def recount_participant(participant: Participant) -> int:
    """To call when a participant's eligibility validation is given, changed or withdrawn."""
    return recount(HourDeclaration.objects.filter(assignment__participant=participant))


def recount_clauses(clauses: Iterable[SocialConsideration]) -> int:
    """Recount the declarations of the lots of these clauses (after an agreement changed)."""
    lots = {clause.lot_id for clause in clauses}
    return recount(HourDeclaration.objects.filter(assignment__lot__in=lots))


# -- declaring ----------------------------------------------------------------------------

# Advisory locks of hours (the first key of PostgreSQL's two-key advisory locks).
LOCK_NAMESPACE = 4811
LOCK_SLOTS = 512  # a power of two
BULK_SIZE = writing.BULK_SIZE
# What a new declaration takes from its entry (the rest is `_new_values`, shared).
NEW_FIELDS = (
    "assignment_id",
    "month",
    "declared_hours",
    "declared_amount_ht",
    "is_training",
    "base_hours",
)
BASE = writing.INDEX["base_hours"]
# Declarations written by one call, by (market, employer, month, kind): what the layers above
# are told (`signals`), counted without a query. Kind: "created" or "corrected" when
# declared, the decision ("validate", "reject", "request_fix") when controlled.
Summary = dict[tuple[int, int, date, str], int]
# A correction keeps `batch`: the import that created the declaration (its history's first
# line); the correction's own event names the file it came from.
UPDATED_FIELDS = [
    "declared_hours",
    "declared_amount_ht",
    "is_training",
    "status",
    "rejection_reason",
    "declared_at",
    "declared_by",
    "declared_by_repr",
    "source",
    "assignment",
    "base_hours",
    "counted_hours",
    "counting_rule",
    "counting_detail",
]
RACE_MESSAGE = (
    "une autre déclaration de la même mission et du même mois a été enregistrée au même "
    "moment : rechargez la page et vérifiez-la avant de renvoyer."
)


def _lock(keys: Iterable[str]) -> None:
    """Serialise the declaration writes of these people (and of this file) until the end
    of the transaction: a PostgreSQL advisory lock per key, taken in sorted order (no
    deadlock between two writers). SQLite lets one writer at a time through its database
    lock; the checks run inside the transaction in both cases."""
    if connection.vendor != "postgresql" or not keys:
        return
    # One statement whatever the number of people (a 5,000-row file): each key falls in
    # one of LOCK_SLOTS slots (two people sharing a slot only wait for each other), so a
    # transaction never holds more than LOCK_SLOTS locks of PostgreSQL's shared lock table
    # (64 × max_connections by default); the slots are locked in ascending order.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, h)) FROM "
            "(SELECT DISTINCT (hashtext(k)::bigint & %s)::int AS h "
            "FROM unnest(%s::text[]) AS k ORDER BY h) AS s",
            [LOCK_NAMESPACE, LOCK_SLOTS - 1, sorted(set(keys))],
        )


def _values(entry: Entry) -> dict:
    return {
        "declared_hours": entry.hours,
        "declared_amount_ht": entry.amount_ht,
        "is_training": entry.is_training,
    }


def _plain(values: dict) -> dict:
    return {k: None if v is None else str(v) for k, v in values.items()}


def save_entries(
    *,
    actor: Actor,
    entries: Sequence[Entry],
    source: str,
    batch: ImportBatch | None = None,
    today: date | None = None,
) -> Outcome:
    """Lock the people named, check all entries, then write all of them or none (see the
    module). An IntegrityError (a writer this lock does not cover) is retried once, then
    answered as a problem: never a server error."""
    if not actor.can_write or not actor.is_company_contact:
        raise PermissionDenied("Seule l'entreprise qui emploie la personne déclare ses heures.")
    for attempt in range(2):
        try:
            return _save_entries(
                actor=actor,
                entries=entries,
                source=source,
                batch=batch,
                today=today,
            )
        except IntegrityError:
            if batch is not None:
                batch.pk = None
            if attempt:
                line = entries[0].line if entries else 1
                return Outcome(problems=[Problem(line, "", RACE_MESSAGE)])
    raise AssertionError("unreachable")  # pragma: no cover


def _save_entries(
    *,
    actor: Actor,
    entries: Sequence[Entry],
    source: str,
    batch: ImportBatch | None,
    today: date | None,
) -> Outcome:
    with transaction.atomic():
        assignments = checks.load_assignments(entries)
        keys = {f"person:{key}" for key in checks.identities(assignments)}
        if batch is not None:
            keys.add(f"import:{batch.company_id}:{batch.file_hash}")
        _lock(keys)
        if batch is not None:
            previous = ImportBatch.objects.filter(
                company=batch.company_id, file_hash=batch.file_hash
            ).first()
            if previous is not None:
                return Outcome(unchanged=len(entries), already_imported=previous)
        checked, problems = check_entries(actor, entries, today=today, assignments=assignments)
        if problems:
            return Outcome(problems=problems)
        outcome, summary = _write(actor=actor, checked=checked, source=source, batch=batch)
        if outcome.created or outcome.updated:
            details: dict = {"declarations": [outcome.created, outcome.updated, outcome.unchanged]}
            if batch is not None:
                # The import's one journal line (#15): who (the actor), which file (the
                # batch: name, SHA-256), how many rows and what became of them.
                details.update(rows=batch.rows, file_hash=batch.file_hash, source=source)
            audit.record(
                actor,
                AuditAction.CREATE,
                batch,
                changes=details,
                organisation=Organisation.objects.filter(pk=actor.organisation_id).first(),
            )
            declarations_arrived(
                actor=actor,
                declarations=outcome.declarations.subset(  # type: ignore[attr-defined]
                    [i for i, r in enumerate(outcome.results) if r != "unchanged"]
                ),
                summary=summary,
                batch=batch,
            )
    return outcome


def _new_values(actor: Actor, source: str, batch: ImportBatch | None) -> dict:
    """The values every new declaration of one write shares."""
    return {
        "assignment_id": None,
        "month": None,
        "declared_hours": None,
        "declared_amount_ht": None,
        "is_training": False,
        "status": DeclarationStatus.SUBMITTED,
        "rejection_reason": "",
        "declared_by_id": actor.user_id,
        "declared_by_repr": actor.label[:300],
        "declared_at": timezone.now(),
        "controlled_by_id": None,
        "controlled_at": None,
        "source": source,
        "batch_id": batch.pk if batch is not None else None,
        "base_hours": Decimal(0),
        "counted_hours": Decimal(0),
        "counting_rule": rules.RULE_NOT_VALIDATED,
        "counting_detail": {"steps": [rules.RULE_NOT_VALIDATED]},
        "counted_at": None,
        "is_demo": False,
    }


def _write(
    *, actor: Actor, checked: list[Checked], source: str, batch: ImportBatch | None
) -> tuple[Outcome, Summary]:
    """Write the checked entries: new declarations (COPY on PostgreSQL, `writing`),
    corrections (with their history), nothing for the unchanged.

    The journal: a correction keeps its own event (before, after, reason, the file it came
    from); a new declaration of an import is journalled by its batch (one audit event per
    file, and the declaration points to its batch: `declaration_history` shows it), a
    new declaration typed in the form or sent by the API has its own "declared" event."""
    outcome = Outcome()
    if batch is not None and batch.pk is None:
        batch.save()
    common = _new_values(actor, source, batch)
    now = common["declared_at"]
    shared = writing.row(common)
    # A new row: the entry's five leading columns, the shared ones, its base hours, the rest.
    assert [writing.INDEX[k] for k in NEW_FIELDS] == [0, 1, 2, 3, 4, BASE]  # noqa: S101
    between, after = shared[5:BASE], shared[BASE + 1 :]
    slots: list = []
    new_rows: list[writing.Row] = []
    new_slots: list[int] = []
    to_update: list[HourDeclaration] = []
    events: list[DeclarationEvent] = []
    summary: Summary = defaultdict(int)
    # (market, employer) of each assignment, looked up once per assignment, not per row.
    whose: dict[int, tuple[int, int]] = {}
    for item in checked:
        entry, current = item.entry, item.existing
        values = _values(entry)
        if current is not None and all(getattr(current, k) == v for k, v in values.items()):
            outcome.unchanged += 1
            slots.append(current)
            outcome.results.append("unchanged")
            continue
        assignment = item.assignment
        if current is None:
            first = rules.first_of_month(entry.month)  # type: ignore[arg-type]
            row = (
                (assignment.pk, first, entry.hours, entry.amount_ht, entry.is_training)
                + between
                + (item.base_hours,)
                + after
            )
            new_slots.append(len(slots))
            slots.append(None)
            new_rows.append(row)
            outcome.created += 1
            outcome.results.append("created")
            market, employer = whose.get(assignment.pk) or whose.setdefault(
                assignment.pk, (assignment.lot.market_id, assignment.employer_id)
            )
            summary[(market, employer, first, "created")] += 1
            continue
        declaration = current
        before_status = current.status
        details = {
            "before": _plain({k: getattr(current, k) for k in values}),
            "after": _plain(values),
            "before_status": before_status,
        }
        if batch is not None:
            details["batch"] = batch.pk
        for key, value in values.items():
            setattr(declaration, key, value)
        declaration.status = DeclarationStatus.SUBMITTED
        declaration.rejection_reason = ""
        declaration.declared_at = now
        declaration.declared_by_id = actor.user_id
        declaration.declared_by_repr = actor.label[:300]
        declaration.source = source
        declaration.assignment = assignment
        declaration.base_hours = item.base_hours
        declaration.counted_hours = Decimal(0)
        declaration.counting_rule = rules.RULE_NOT_VALIDATED
        declaration.counting_detail = {"steps": [rules.RULE_NOT_VALIDATED]}
        outcome.updated += 1
        outcome.results.append("corrected")
        summary[
            (assignment.lot.market_id, assignment.employer_id, declaration.month, "corrected")
        ] += 1
        to_update.append(declaration)
        slots.append(declaration)
        events.append(
            DeclarationEvent(
                declaration=declaration,
                kind="corrected",
                from_status=before_status,
                to_status=declaration.status,
                reason=entry.reason.strip(),
                actor_user_id=actor.user_id,
                actor_repr=actor.label[:300],
                details=details,
            )
        )
    ids = writing.insert(new_rows)
    for position, pk, values in zip(new_slots, ids, new_rows, strict=True):
        slots[position] = (pk, values)
    if batch is None:
        # Typed one by one (form, API): each new declaration has its own line.
        events.extend(
            DeclarationEvent(
                declaration_id=pk,
                kind="declared",
                from_status="",
                to_status=DeclarationStatus.SUBMITTED,
                actor_user_id=actor.user_id,
                actor_repr=actor.label[:300],
                details=_plain(_values_of_row(values)),
            )
            for pk, values in zip(ids, new_rows, strict=True)
        )
    HourDeclaration.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=BULK_SIZE)
    DeclarationEvent.objects.bulk_create(events, batch_size=BULK_SIZE)
    outcome.declarations = writing.Declarations(slots)  # type: ignore[assignment]
    if batch is not None:
        batch.created_count = outcome.created
        batch.updated_count = outcome.updated
        batch.unchanged_count = outcome.unchanged
        batch.save(update_fields=["created_count", "updated_count", "unchanged_count"])
    return outcome, summary


def _values_of_row(values: writing.Row) -> dict:
    return {
        k: values[writing.INDEX[k]] for k in ("declared_hours", "declared_amount_ht", "is_training")
    }


RESULT_MESSAGES = {
    "created": "Déclaration enregistrée : elle attend le contrôle.",
    "corrected": "Correction enregistrée : la déclaration sera contrôlée à nouveau.",
    "unchanged": "Cette déclaration est déjà enregistrée avec ces valeurs : rien n'a changé.",
}


def declare(
    *,
    actor: Actor,
    assignment: Assignment,
    month: date,
    hours: Decimal | None = None,
    amount_ht: Decimal | None = None,
    is_training: bool = False,
    reason: str = "",
    source: str = DeclarationSource.FORM,
    today: date | None = None,
) -> tuple[HourDeclaration, str]:
    """Declare (or correct, with a reason) one month of one assignment: the declaration
    and what happened ("created", "corrected", "unchanged"; `RESULT_MESSAGES`).
    ValidationError in French."""
    if not policies.can_declare(actor, assignment):
        raise PermissionDenied("Vous ne pouvez pas déclarer d'heures pour cette mission.")
    outcome = save_entries(
        actor=actor,
        entries=[Entry(1, assignment.pk, month, hours, amount_ht, is_training, reason=reason)],
        source=source,
        today=today,
    )
    if outcome.problems:
        errors: dict[str, list[str]] = defaultdict(list)
        for problem in outcome.problems:
            errors[problem.field or "__all__"].append(_capital(problem.message))
        raise ValidationError(dict(errors))
    return outcome.declarations[0], outcome.results[0]


def declare_hours(
    *,
    actor: Actor,
    assignment: Assignment,
    month: date,
    hours: Decimal | None = None,
    amount_ht: Decimal | None = None,
    is_training: bool = False,
    reason: str = "",
    source: str = DeclarationSource.FORM,
    today: date | None = None,
) -> HourDeclaration:
    """`declare`, the declaration only."""
    declaration, _ = declare(
        actor=actor,
        assignment=assignment,
        month=month,
        hours=hours,
        amount_ht=amount_ht,
        is_training=is_training,
        reason=reason,
        source=source,
        today=today,
    )
    return declaration


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def corrections(declaration: HourDeclaration) -> QuerySet[DeclarationEvent]:
    """A declaration's corrections, newest first: who, when, before/after, why."""
    return declaration.events.filter(kind="corrected").order_by("-created_at", "-pk")


# -- what others will be told of (one place each) -----------------------------------------


def declarations_arrived(
    *,
    actor: Actor,
    declarations: Sequence[HourDeclaration],
    summary: Summary | None = None,
    batch: ImportBatch | None = None,
) -> None:
    """Declarations (new or corrected) now wait for control by the facilitators who follow
    their markets: the notifications are sent from HERE, and only here (#12.9). ONE signal
    per write, whatever its size (a 100,000-row file included)."""
    if declarations:
        signals.declarations_submitted.send(
            sender=HourDeclaration,
            declarations=declarations,
            actor=actor,
            summary=dict(summary) if summary is not None else None,
            batch=batch,
        )


def declarations_controlled(*, actor: Actor, decisions: Sequence["Decision"]) -> None:
    """A control batch was written: ONE signal for the batch (#15), from HERE only."""
    if not decisions:
        return
    summary: Summary = defaultdict(int)
    for item in decisions:
        assignment = item.declaration.assignment
        key = (assignment.lot.market_id, assignment.employer_id, item.declaration.month)
        summary[(*key, item.decision)] += 1
    signals.declarations_controlled.send(
        sender=HourDeclaration,
        declarations=[item.declaration for item in decisions],
        actor=actor,
        summary=dict(summary),
    )


def declaration_refused(*, actor: Actor, declaration: HourDeclaration) -> None:
    """A declaration was refused (or a fix asked), with its reason: the company is told,
    from HERE only (#12.9)."""
    signals.declaration_sent_back.send(sender=HourDeclaration, declaration=declaration, actor=actor)


# -- control ------------------------------------------------------------------------------

TARGETS = {
    ControlDecision.VALIDATE: DeclarationStatus.VALIDATED,
    ControlDecision.REJECT: DeclarationStatus.REJECTED,
    ControlDecision.REQUEST_FIX: DeclarationStatus.FIX_REQUESTED,
}


@dataclass(frozen=True)
class Decision:
    declaration: HourDeclaration
    decision: str
    reason: str = ""


def _decision_errors(actor: Actor, item: Decision) -> list[str]:
    declaration = item.declaration
    if not policies.can_control(actor, declaration):
        raise PermissionDenied("Vous ne pouvez pas contrôler cette déclaration.")
    if declaration.status != DeclarationStatus.SUBMITTED:
        return [
            "Cette déclaration n'attend pas de contrôle "
            f"(statut : {declaration.get_status_display().lower()})."
        ]
    target = TARGETS.get(item.decision)  # type: ignore[call-overload]
    if target is None:
        return ["Décision inconnue."]
    if target != DeclarationStatus.VALIDATED and not (item.reason or "").strip():
        return ["Indiquez le motif : l'entreprise le verra."]
    return []


def control_declarations(*, actor: Actor, decisions: Sequence[Decision]) -> list[HourDeclaration]:
    """Validate, refuse or ask for a fix on several declarations at once, each with its
    own reason (required to refuse or ask a fix): every decision is checked first, then
    all are written or none (ValidationError keyed by declaration number). The counted
    hours are computed on validation."""
    errors = {
        str(item.declaration.pk): messages
        for item in decisions
        if (messages := _decision_errors(actor, item))
    }
    if errors:
        raise ValidationError(errors)
    cache: dict = {}
    with transaction.atomic():
        for item in decisions:
            _apply_decision(actor, item, cache=cache)
        declarations_controlled(actor=actor, decisions=decisions)
    return [item.declaration for item in decisions]


def _apply_decision(actor: Actor, item: Decision, *, cache: dict) -> None:
    declaration, reason = item.declaration, (item.reason or "").strip()
    target = TARGETS[item.decision]  # type: ignore[index]
    before = declaration.status
    declaration.status = target
    declaration.rejection_reason = reason if target != DeclarationStatus.VALIDATED else ""
    declaration.controlled_by_id = actor.user_id
    declaration.controlled_at = timezone.now()
    _apply_count(declaration, settings_for_market(declaration.assignment.lot.market, cache=cache))
    declaration.save()
    DeclarationEvent.objects.create(
        declaration=declaration,
        kind=f"control_{item.decision}",
        from_status=before,
        to_status=declaration.status,
        reason=reason,
        actor_user_id=actor.user_id,
        actor_repr=actor.label[:300],
        details={"counted_hours": str(declaration.counted_hours)},
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        declaration,
        changes={"status": [before, target], "counted_hours": ["", str(declaration.counted_hours)]},
        organisation=declaration.assignment.employer,
    )
    if target != DeclarationStatus.VALIDATED:
        declaration_refused(actor=actor, declaration=declaration)


def control_declaration(
    *,
    actor: Actor,
    declaration: HourDeclaration,
    decision: str,
    reason: str = "",
) -> HourDeclaration:
    """One decision (see `control_declarations`); ValidationError in French."""
    try:
        control_declarations(actor=actor, decisions=[Decision(declaration, decision, reason)])
    except ValidationError as error:
        messages = next(iter(error.message_dict.values()))
        if messages == ["Indiquez le motif : l'entreprise le verra."]:
            raise ValidationError({"reason": messages}) from None
        raise ValidationError(messages) from None
    return declaration


# -- globalisation agreements -------------------------------------------------------------


def agreement_clauses(actor: Actor, company: Organisation) -> QuerySet[SocialConsideration]:
    """The clauses an agreement of this company may link, for this actor: hour clauses of
    the lots the company executes, on markets the actor manages agreements for."""
    return (
        policies.visible_clauses(actor)
        .filter(lot__contractor_links__organisation=company)
        .filter(lot__market__in=policies.agreement_markets(actor))
        .select_related("lot__market")
        .distinct()
        .order_by("lot__market__reference", "lot__number", "pk")
    )


def create_agreement(
    *,
    actor: Actor,
    company: Organisation,
    clauses: Iterable[SocialConsideration],
    reference: str,
    signed_on: date,
    notes: str = "",
) -> GlobalisationAgreement:
    """Record a globalisation agreement ("convention de globalisation", docs/domain-rules.md
    §4.2): the company's hours are pooled across the linked clauses. A facilitator or a
    coordinator who follows every linked market; at least two clauses, each on a lot the
    company executes. The linked clauses' declarations are recounted."""
    chosen = list(clauses)
    if not chosen or not all(policies.can_manage_agreements(actor, c.lot.market) for c in chosen):
        raise PermissionDenied(
            "Seul·e un·e facilitateur·rice ou une coordination qui suit ces marchés enregistre "
            "une convention de globalisation."
        )
    reference = reference.strip()
    errors: dict[str, list[str]] = defaultdict(list)
    if not reference:
        errors["reference"].append("Indiquez la référence de la convention.")
    if len({c.pk for c in chosen}) < 2:
        errors["clauses"].append("Une convention de globalisation lie au moins deux clauses.")
    allowed = set(agreement_clauses(actor, company).values_list("pk", flat=True))
    outside = [c for c in chosen if c.pk not in allowed]
    if outside:
        errors["clauses"].append(
            "L'entreprise n'exécute pas le lot de : "
            + ", ".join(f"{c.lot.market.reference}, lot {c.lot.number}" for c in outside)
            + "."
        )
    if signed_on > timezone.localdate():
        errors["signed_on"].append("La date de signature ne peut pas être dans le futur.")
    if errors:
        raise ValidationError(dict(errors))
    with transaction.atomic():
        agreement = GlobalisationAgreement.objects.create(
            company=company,
            reference=reference,
            signed_on=signed_on,
            notes=notes.strip(),
            created_by_id=actor.user_id,
        )
        agreement.clauses.set(chosen)
        audit.record(
            actor,
            AuditAction.CREATE,
            agreement,
            changes={"clauses": sorted(c.pk for c in chosen)},
            organisation=company,
        )
        recount_clauses(chosen)
    return agreement


def end_agreement(
    *,
    actor: Actor,
    agreement: GlobalisationAgreement,
    ended_on: date,
) -> GlobalisationAgreement:
    """End (résilier) an agreement from a date: from then on, no more pooling."""
    linked = list(agreement.clauses.select_related("lot__market"))
    if not linked or not all(policies.can_manage_agreements(actor, c.lot.market) for c in linked):
        raise PermissionDenied("Vous ne pouvez pas résilier cette convention.")
    if agreement.ended_on is not None:
        raise ValidationError("Cette convention est déjà résiliée.")
    if ended_on < agreement.signed_on:
        raise ValidationError(
            {"ended_on": ["La résiliation ne peut pas précéder la signature de la convention."]}
        )
    with transaction.atomic():
        agreement.ended_on = ended_on
        agreement.save(update_fields=["ended_on"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            agreement,
            changes={"ended_on": ["", ended_on.isoformat()]},
            organisation=agreement.company,
        )
        recount_clauses(linked)
    return agreement

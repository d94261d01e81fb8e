"""Write workflows of hours: declare (form, spreadsheet, API — one validation for all),
control (validate, refuse with a reason, ask for a fix), recount.

Every entry point validates ALL the entries first (`check_entries`) and writes all or
nothing, in one transaction, with a `DeclarationEvent` per declaration and an audit event.
Declarations are keyed by (assignment, month): sending the same values again changes
nothing.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.accounts.models import Organisation
from clauses.followup.models import Assignment, EligibilityValidation, Participant
from clauses.hours import policies, rules
from clauses.hours.enums import LIVE_STATUSES, ControlDecision, DeclarationSource, DeclarationStatus
from clauses.hours.models import (
    CountingSettings,
    DeclarationEvent,
    GlobalisationAgreement,
    HourDeclaration,
    ImportBatch,
)
from clauses.markets.models import Market, SocialConsideration

# The French names of the fields, as the spreadsheet's headers and the API's keys show them.
FIELD_LABELS = {
    "assignment": "N° de mission",
    "participant": "Participant·e",
    "month": "Mois",
    "hours": "Heures",
    "amount_ht": "Montant sous-traité HT",
    "training": "Formation",
}
OLDEST_MONTHS = 36  # a declaration older than 3 years is refused (a typing error) [I]


@dataclass(frozen=True)
class Entry:
    """One declaration as typed (by a form, a spreadsheet row or an API item)."""

    line: int
    assignment_id: int | None
    month: date | None
    hours: Decimal | None = None
    amount_ht: Decimal | None = None
    is_training: bool = False
    participant_name: str = ""


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

    @property
    def ok(self) -> bool:
        return not self.problems


# -- settings and eligibility ------------------------------------------------------------


def settings_for_market(market: Market, *, cache: dict | None = None) -> rules.Settings:
    """The counting settings of the market's territory: the buyer's département, else its
    region, else the defaults of `rules.Settings`."""
    department = market.buyer.department if market.buyer.department_id else None
    if department is None:
        return rules.Settings()
    if cache is None:
        cache = {}
    key = department.pk
    if key not in cache:
        row = (
            CountingSettings.objects.filter(department=department).first()
            or CountingSettings.objects.filter(region_id=department.region_id).first()
        )
        cache[key] = row.as_rules() if row else rules.Settings()
    return cache[key]


def eligibility_windows(
    validations: Iterable[EligibilityValidation], *, months: int
) -> tuple[tuple[date, date], ...]:
    """The days each validation in force covers (withdrawn ones cover nothing)."""
    windows = []
    for validation in validations:
        if validation.withdrawn_at is not None:
            continue
        start = validation.valid_from or timezone.localdate(validation.validated_at)
        windows.append(rules.eligibility_window(start, validation.valid_until, months=months))
    return tuple(windows)


def _facts(declaration: HourDeclaration, settings: rules.Settings) -> rules.DeclarationFacts:
    assignment = declaration.assignment
    return rules.DeclarationFacts(
        month=declaration.month,
        modality=assignment.modality,
        validated=declaration.status == DeclarationStatus.VALIDATED,
        declared_hours=declaration.declared_hours,
        declared_amount_ht=declaration.declared_amount_ht,
        is_training=declaration.is_training,
        assignment_start=assignment.start_date,
        assignment_end=assignment.end_date,
        eligibility_windows=eligibility_windows(
            assignment.participant.validations.all(), months=settings.eligibility_months
        ),
        eligible_by_status=assignment.modality in rules.ELIGIBLE_BY_STATUS_MODALITIES,
    )


def _apply_count(declaration: HourDeclaration, settings: rules.Settings) -> bool:
    """Compute the counted value into the declaration; True if it changed."""
    facts = _facts(declaration, settings)
    base, _ = rules.base_hours(facts, settings)
    counted = rules.count_declaration(facts, settings)
    detail = {
        "steps": list(counted.steps),
        "explanation": counted.explanation,
        "base_hours": str(base),
        "labour_share": str(settings.labour_share),
        "hourly_cost": str(settings.hourly_cost),
    }
    changed = (
        declaration.base_hours != base
        or declaration.counted_hours != counted.hours
        or declaration.counting_rule != counted.rule
    )
    declaration.base_hours = base
    declaration.counted_hours = counted.hours
    declaration.counting_rule = counted.rule
    declaration.counting_detail = detail
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


# -- checking entries --------------------------------------------------------------------


def _identity(participant: Participant) -> str:
    """Who the person is across assignments: the follow-up's identity key (same person
    across contractors of a territory), else the participant record."""
    return participant.identity_key or f"participant:{participant.pk}"


def check_entries(
    actor: Actor, entries: Sequence[Entry], *, today: date | None = None
) -> tuple[list[Checked], list[Problem]]:
    """Check every entry (nothing is written). Problems in French, by line and field:
    unknown assignment, assignment of another company, participant not matching, month
    missing / in the future / too old / outside the assignment, hours negative or above
    the monthly ceiling, the same (assignment, month) twice, the same person above the
    ceiling across assignments (double count), a declaration already controlled.
    A bounded number of queries whatever the number of entries."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    ids = {e.assignment_id for e in entries if e.assignment_id is not None}
    assignments = {
        a.pk: a
        for a in Assignment.objects.filter(pk__in=ids).select_related(
            "participant", "lot__market__buyer__department"
        )
    }
    own = set(
        policies.declarable_assignments(actor).filter(pk__in=ids).values_list("pk", flat=True)
    )
    months = {rules.first_of_month(e.month) for e in entries if e.month}
    existing = {
        (d.assignment_id, d.month): d
        for d in HourDeclaration.objects.filter(assignment_id__in=own, month__in=months)
    }
    cache: dict = {}
    checked: list[Checked] = []
    seen: dict[tuple[int, date], int] = {}
    per_person: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    person_lines: dict[tuple[str, date], list[int]] = defaultdict(list)
    replaced: set[int] = set()

    for entry in entries:
        before = len(problems)

        def problem(name: str, message: str, line: int = entry.line) -> None:
            problems.append(Problem(line, name, message))

        assignment = assignments.get(entry.assignment_id) if entry.assignment_id else None
        if entry.assignment_id is None:
            problem("assignment", "indiquez le numéro de la mission.")
        elif assignment is None:
            problem("assignment", f"mission n° {entry.assignment_id} inconnue.")
        elif assignment.pk not in own:
            problem(
                "assignment",
                f"la mission n° {assignment.pk} n'est pas une mission de votre entreprise.",
            )
            assignment = None
        if assignment is not None and entry.participant_name:
            expected = rules_fold(str(assignment.participant))
            if rules_fold(entry.participant_name) != expected:
                problem(
                    "participant",
                    f"« {entry.participant_name} » n'est pas la personne de la mission "
                    f"n° {assignment.pk}.",
                )
        month = rules.first_of_month(entry.month) if entry.month else None
        if month is None:
            problem("month", "indiquez le mois (MM/AAAA).")
        else:
            try:
                rules.check_month(month, today=today)
            except rules.RuleError as exc:
                problem("month", str(exc))
            if month < rules.add_months(rules.first_of_month(today), -OLDEST_MONTHS):
                problem("month", f"mois trop ancien (plus de {OLDEST_MONTHS} mois).")
            if assignment is not None and (
                rules.last_of_month(month) < assignment.start_date
                or (assignment.end_date is not None and month > assignment.end_date)
            ):
                problem(
                    "month",
                    f"{month:%m/%Y} est hors des dates de la mission "
                    f"(du {assignment.start_date:%d/%m/%Y}"
                    + (f" au {assignment.end_date:%d/%m/%Y}" if assignment.end_date else "")
                    + ").",
                )
        subcontracting = assignment is not None and (
            assignment.modality in rules.SUBCONTRACTING_MODALITIES
        )
        if entry.hours is not None and entry.amount_ht is not None:
            problem("amount_ht", "indiquez des heures ou un montant, pas les deux.")
        elif entry.amount_ht is not None:
            if assignment is not None and not subcontracting:
                problem(
                    "amount_ht",
                    "un montant ne se déclare que pour une sous-traitance ou une cotraitance "
                    "avec une SIAE, une EA ou un ESAT : indiquez des heures.",
                )
            elif entry.amount_ht < 0:
                problem("amount_ht", "le montant ne peut pas être négatif.")
            elif entry.amount_ht >= Decimal("1e10"):
                problem("amount_ht", "montant trop élevé.")
        elif entry.hours is None:
            problem("hours", "indiquez le nombre d'heures.")
        else:
            try:
                rules.check_hours(entry.hours)
            except rules.RuleError as exc:
                problem("hours", str(exc))
        if len(problems) > before or assignment is None or month is None:
            continue
        key = (assignment.pk, month)
        if key in seen:
            problem(
                "",
                f"la mission n° {assignment.pk} et le mois {month:%m/%Y} sont déjà à la "
                f"ligne {seen[key]} (une seule déclaration par mission et par mois).",
            )
            continue
        seen[key] = entry.line
        current = existing.get(key)
        if current is not None and current.status in (
            DeclarationStatus.VALIDATED,
            DeclarationStatus.REJECTED,
        ):
            same = (
                current.declared_hours == entry.hours
                and current.declared_amount_ht == entry.amount_ht
                and current.is_training == entry.is_training
            )
            if not same:
                problem(
                    "",
                    f"la déclaration de {month:%m/%Y} pour la mission n° {assignment.pk} est "
                    f"déjà {current.get_status_display().lower()} : elle ne change plus.",
                )
                continue
        settings = settings_for_market(assignment.lot.market, cache=cache)
        if entry.amount_ht is not None:
            base = rules.convert_amount(
                entry.amount_ht,
                labour_share=settings.labour_share,
                hourly_cost=settings.hourly_cost,
            )
        else:
            base = entry.hours or Decimal(0)
            person = (_identity(assignment.participant), month)
            per_person[person] += base
            person_lines[person].append(entry.line)
        if current is not None:
            replaced.add(current.pk)
        checked.append(Checked(entry, assignment, base, current))

    _check_monthly_ceiling(per_person, person_lines, replaced, problems)
    problems.sort(key=lambda p: (p.line, p.field))
    return checked, problems


def rules_fold(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if c.isalnum())


def _check_monthly_ceiling(
    per_person: dict[tuple[str, date], Decimal],
    person_lines: dict[tuple[str, date], list[int]],
    replaced: set[int],
    problems: list[Problem],
) -> None:
    """Double counting: one person, one month, several assignments (possibly of several
    companies, recognised by the follow-up's identity key) may not add up to more than a
    person can work (`rules.MONTHLY_CEILING_HOURS`). Hours already declared elsewhere and
    still standing count, except the declarations this batch replaces. One query."""
    if not per_person:
        return
    keys = {k for k, _ in per_person}
    months = {m for _, m in per_person}
    identity_keys = {k for k in keys if not k.startswith("participant:")}
    participant_ids = {int(k.split(":")[1]) for k in keys if k.startswith("participant:")}
    rows = (
        HourDeclaration.objects.filter(
            month__in=months, status__in=LIVE_STATUSES, declared_hours__isnull=False
        )
        .filter(models_q(identity_keys, participant_ids))
        .exclude(pk__in=replaced)
        .values("assignment__participant__identity_key", "assignment__participant_id", "month")
        .annotate(total=Sum("declared_hours"))
    )
    elsewhere: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for row in rows:
        identity = row["assignment__participant__identity_key"] or (
            f"participant:{row['assignment__participant_id']}"
        )
        elsewhere[(identity, row["month"])] += row["total"] or Decimal(0)
    for key, hours in per_person.items():
        lines = person_lines[key]
        already = elsewhere.get(key, Decimal(0))
        if hours + already <= rules.MONTHLY_CEILING_HOURS:
            continue
        if len(lines) > 1:
            message = (
                f"la même personne est déclarée aux lignes {', '.join(map(str, lines))} pour "
                f"{key[1]:%m/%Y} : {rules._fr(hours + already)} h au total"
                + (f" (dont {rules._fr(already)} h déjà déclarées)" if already else "")
                + f", plus que le maximum légal de {rules.MONTHLY_CEILING_HOURS} h par mois."
            )
        else:
            try:
                rules.check_hours(hours, already_declared=already)
            except rules.RuleError as exc:
                message = _lower(str(exc))
        problems.append(Problem(lines[-1], "hours", message))


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def models_q(identity_keys: set[str], participant_ids: set[int]):  # noqa: ANN201
    from django.db.models import Q

    condition = Q(pk__in=[])
    if identity_keys:
        condition |= Q(assignment__participant__identity_key__in=identity_keys)
    if participant_ids:
        condition |= Q(assignment__participant_id__in=participant_ids)
    return condition


# -- declaring ----------------------------------------------------------------------------


def _event(
    declaration: HourDeclaration,
    kind: str,
    *,
    actor: Actor,
    from_status: str = "",
    reason: str = "",
    details: dict | None = None,
) -> None:
    DeclarationEvent.objects.create(
        declaration=declaration,
        kind=kind,
        from_status=from_status,
        to_status=declaration.status,
        reason=reason,
        actor_user_id=actor.user_id,
        actor_repr=actor.label[:300],
        details=details or {},
    )


BULK_SIZE = 1000
UPDATED_FIELDS = [
    "declared_hours",
    "declared_amount_ht",
    "is_training",
    "status",
    "declared_at",
    "declared_by",
    "declared_by_repr",
    "source",
    "batch",
    "assignment",
    "base_hours",
    "counted_hours",
    "counting_rule",
    "counting_detail",
]


def save_entries(
    *,
    actor: Actor,
    entries: Sequence[Entry],
    source: str,
    batch: ImportBatch | None = None,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Outcome:
    """Check all entries, then write all of them or none. A declaration sent again with the
    same values is unchanged; with other values (still submitted or to fix) it is updated
    and goes back to "submitted" for control."""
    if not actor.can_write or not policies.is_company(actor):
        raise PermissionDenied("Seule l'entreprise qui emploie la personne déclare ses heures.")
    checked, problems = check_entries(actor, entries, today=today)
    outcome = Outcome(problems=problems)
    if problems:
        return outcome
    with transaction.atomic():
        if batch is not None and batch.pk is None:
            batch.save()
        # Bulk writes: two statements per thousand rows for the declarations and two for
        # their events, instead of two INSERTs per row (a 100,000-row file in seconds;
        # docs/performance.md, suggestion 6). The checks above are unchanged.
        to_create: list[HourDeclaration] = []
        to_update: list[HourDeclaration] = []
        pending_events: list[tuple[HourDeclaration, str, str, dict]] = []
        now = timezone.now()
        for item in checked:
            entry, current = item.entry, item.existing
            values = {
                "declared_hours": entry.hours,
                "declared_amount_ht": entry.amount_ht,
                "is_training": entry.is_training,
            }
            if current is not None and all(getattr(current, k) == v for k, v in values.items()):
                outcome.unchanged += 1
                outcome.declarations.append(current)
                continue
            if current is None:
                declaration = HourDeclaration(
                    assignment=item.assignment,
                    month=rules.first_of_month(entry.month),  # type: ignore[arg-type]
                    declared_by_id=actor.user_id,
                    declared_by_repr=actor.label[:300],
                    declared_at=now,
                    source=source,
                    batch=batch,
                    **values,
                )
                kind, before = "declared", ""
                outcome.created += 1
                to_create.append(declaration)
            else:
                declaration = current
                before = current.status
                for key, value in values.items():
                    setattr(declaration, key, value)
                declaration.status = DeclarationStatus.SUBMITTED
                declaration.declared_at = now
                declaration.declared_by_id = actor.user_id
                declaration.declared_by_repr = actor.label[:300]
                declaration.source = source
                declaration.batch = batch
                kind = "changed"
                outcome.updated += 1
                to_update.append(declaration)
            declaration.assignment = item.assignment
            declaration.base_hours = item.base_hours
            declaration.counted_hours = Decimal(0)
            declaration.counting_rule = rules.RULE_NOT_VALIDATED
            declaration.counting_detail = {"steps": [rules.RULE_NOT_VALIDATED]}
            pending_events.append(
                (declaration, kind, before, {k: str(v) for k, v in values.items()})
            )
            outcome.declarations.append(declaration)
        HourDeclaration.objects.bulk_create(to_create, batch_size=BULK_SIZE)
        HourDeclaration.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=BULK_SIZE)
        DeclarationEvent.objects.bulk_create(
            [
                DeclarationEvent(
                    declaration=declaration,
                    kind=kind,
                    from_status=before,
                    to_status=declaration.status,
                    actor_user_id=actor.user_id,
                    actor_repr=actor.label[:300],
                    details=details,
                )
                for declaration, kind, before, details in pending_events
            ],
            batch_size=BULK_SIZE,
        )
        if batch is not None:
            batch.created_count = outcome.created
            batch.updated_count = outcome.updated
            batch.unchanged_count = outcome.unchanged
            batch.save(update_fields=["created_count", "updated_count", "unchanged_count"])
        if outcome.created or outcome.updated:
            audit.record(
                actor,
                AuditAction.CREATE,
                batch,
                {"declarations": [outcome.created, outcome.updated, outcome.unchanged]},
                request,
                organisation=_company(actor),
            )
    return outcome


def _company(actor: Actor):  # noqa: ANN202
    from clauses.accounts.models import Organisation

    return Organisation.objects.filter(pk=actor.organisation_id).first()


def declare_hours(
    *,
    actor: Actor,
    assignment: Assignment,
    month: date,
    hours: Decimal | None = None,
    amount_ht: Decimal | None = None,
    is_training: bool = False,
    source: str = DeclarationSource.FORM,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> HourDeclaration:
    """Declare (or correct) one month of one assignment; ValidationError in French."""
    if not policies.can_declare(actor, assignment):
        raise PermissionDenied("Vous ne pouvez pas déclarer d'heures pour cette mission.")
    outcome = save_entries(
        actor=actor,
        entries=[Entry(1, assignment.pk, month, hours, amount_ht, is_training)],
        source=source,
        today=today,
        request=request,
    )
    if outcome.problems:
        errors: dict[str, list[str]] = defaultdict(list)
        for problem in outcome.problems:
            errors[problem.field or "__all__"].append(_capital(problem.message))
        raise ValidationError(dict(errors))
    return outcome.declarations[0]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- control ------------------------------------------------------------------------------


def control_declaration(
    *,
    actor: Actor,
    declaration: HourDeclaration,
    decision: str,
    reason: str = "",
    request: HttpRequest | None = None,
) -> HourDeclaration:
    """Validate, refuse (with a reason) or ask for a fix (with a reason). Only a declaration
    awaiting control; the counted hours are computed on validation."""
    if not policies.can_control(actor, declaration):
        raise PermissionDenied("Vous ne pouvez pas contrôler cette déclaration.")
    if declaration.status != DeclarationStatus.SUBMITTED:
        raise ValidationError(
            "Cette déclaration n'attend pas de contrôle "
            f"(statut : {declaration.get_status_display().lower()})."
        )
    reason = (reason or "").strip()
    target = {
        ControlDecision.VALIDATE: DeclarationStatus.VALIDATED,
        ControlDecision.REJECT: DeclarationStatus.REJECTED,
        ControlDecision.REQUEST_FIX: DeclarationStatus.FIX_REQUESTED,
    }.get(decision)
    if target is None:
        raise ValidationError("Décision inconnue.")
    if target != DeclarationStatus.VALIDATED and not reason:
        raise ValidationError({"reason": ["Indiquez le motif : l'entreprise le verra."]})
    with transaction.atomic():
        before = declaration.status
        declaration.status = target
        declaration.rejection_reason = reason if target != DeclarationStatus.VALIDATED else ""
        declaration.controlled_by_id = actor.user_id
        declaration.controlled_at = timezone.now()
        settings = settings_for_market(declaration.assignment.lot.market)
        _apply_count(declaration, settings)
        declaration.save()
        _event(declaration, f"control_{decision}", actor=actor, from_status=before, reason=reason)
        audit.record(
            actor,
            AuditAction.UPDATE,
            declaration,
            {"status": [before, target], "counted_hours": ["", str(declaration.counted_hours)]},
            request,
            organisation=declaration.assignment.employer,
        )
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
    request: HttpRequest | None = None,
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
            {"clauses": sorted(c.pk for c in chosen)},
            request,
            organisation=company,
        )
        recount_clauses(chosen)
    return agreement


def end_agreement(
    *,
    actor: Actor,
    agreement: GlobalisationAgreement,
    ended_on: date,
    request: HttpRequest | None = None,
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
            {"ended_on": ["", ended_on.isoformat()]},
            request,
            organisation=agreement.company,
        )
        recount_clauses(linked)
    return agreement

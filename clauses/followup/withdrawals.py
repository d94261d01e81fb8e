"""Withdrawing an eligibility validation (#12.2), and saying first what it will change.

The rule (docs/domain-rules.md §3.2, « Withdrawing a validation »): withdrawn because the
person is no longer eligible, the validation keeps covering the days before the withdrawal;
withdrawn for an error or a fraud, it never covered anything. The hours are recounted by
hours on the `eligibility_changed` signal, in the same transaction; `preview_withdrawal`
applies the withdrawal in a savepoint, asks hours what would change (`impacts`) and rolls
back. Importable from `services` too.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.followup import policies
from clauses.followup.enums import WithdrawalKind
from clauses.followup.impacts import CountedChange, counted_hours_changes
from clauses.followup.models import EligibilityValidation, Participant
from clauses.followup.signals import eligibility_changed


def _apply_withdrawal(
    validation: EligibilityValidation, *, kind: str, reason: str, now: datetime.datetime
) -> None:
    """The rule (docs/domain-rules.md §3.2, « Withdrawing a validation »): withdrawn
    because the person is no longer eligible, the validation covers until the day before
    the withdrawal (the eligibility was true when those hours were worked); withdrawn for
    an error or a fraud, it never covered anything (`EligibilityValidation.covers_hours`)."""
    validation.withdrawn_at = now
    validation.withdrawal_reason = reason.strip()
    validation.withdrawal_kind = kind
    fields = ["withdrawn_at", "withdrawal_reason", "withdrawal_kind"]
    if kind == WithdrawalKind.ENDED:
        last_day = timezone.localdate(now) - datetime.timedelta(days=1)
        if validation.valid_until is None or validation.valid_until > last_day:
            validation.valid_until = last_day
            fields.append("valid_until")
    validation.save(update_fields=fields)


def _check_withdrawal(actor: Actor, validation: EligibilityValidation, kind: str) -> None:
    if not policies.can_validate_eligibility(actor, validation.participant):
        raise PermissionDenied("Seul·e un·e facilitateur·rice du territoire retire une validation.")
    if validation.withdrawn_at is not None:
        raise ValidationError("Cette validation est déjà retirée.")
    if kind not in WithdrawalKind.values:
        raise ValidationError("Indiquez la nature du retrait.")


def withdraw_validation(
    *,
    actor: Actor,
    validation: EligibilityValidation,
    reason: str,
    kind: str = WithdrawalKind.ERROR,
) -> EligibilityValidation:
    """Withdraw a validation (`kind`: `WithdrawalKind`; the page always asks it, a caller
    that does not say gets the retroactive rule withdrawing had before). The hours are
    recounted in the same transaction (the `eligibility_changed` signal, received by
    hours): exactly what `preview_withdrawal` announced."""
    _check_withdrawal(actor, validation, kind)
    if not reason.strip():
        raise ValidationError("Indiquez le motif du retrait.")
    with transaction.atomic():
        _apply_withdrawal(validation, kind=kind, reason=reason, now=timezone.now())
        audit.record(actor, AuditAction.REVOKE, validation, changes={"kind": kind})
        eligibility_changed.send(sender=Participant, participant=validation.participant)
    return validation


class _Preview(Exception):
    """Raised to roll back the savepoint of a preview."""


def preview_withdrawal(
    *, actor: Actor, validation: EligibilityValidation, kind: str
) -> list[CountedChange]:
    """The counted hours that withdrawing `validation` with `kind` would change, computed
    by applying the withdrawal in a savepoint, asking hours (`impacts`) and rolling back:
    nothing is written."""
    _check_withdrawal(actor, validation, kind)
    changes: list[CountedChange] = []
    try:
        with transaction.atomic():
            copy = EligibilityValidation.objects.get(pk=validation.pk)
            _apply_withdrawal(copy, kind=kind, reason="aperçu", now=timezone.now())
            changes = counted_hours_changes(copy.participant)
            raise _Preview
    except _Preview:
        pass
    return changes

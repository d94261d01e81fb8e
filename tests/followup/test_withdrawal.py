"""#12.2 — withdrawing a validation does exactly what the page says, and the page says it
before confirming. The rule (docs/domain-rules.md §3.2): withdrawn because the person is no
longer eligible, the hours worked before the withdrawal keep counting; withdrawn for an
error or a fraud, the validation never covered anything (retroactive)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clauses.access.enums import AuditAction
from clauses.accounts.models import AuditEvent, Membership
from clauses.followup import services
from clauses.followup.enums import WithdrawalKind
from clauses.followup.models import EligibilityValidation
from clauses.hours import services as hours_services
from clauses.hours.models import HourDeclaration
from tests.access.helpers import login
from tests.hours.conftest import TODAY
from tests.hours.conftest import hw as hw  # noqa: F401 — fixture
from tests.markets.conftest import world as market_world  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db


def _validated(hw, month: date, hours: int = 100) -> HourDeclaration:  # noqa: F811
    declaration = hours_services.declare_hours(
        actor=hw.actor("company"),
        assignment=hw.assignment,
        month=month,
        hours=Decimal(hours),
        today=TODAY,
    )
    return hours_services.control_declaration(
        actor=hw.actor("facilitator"), declaration=declaration, decision="validate"
    )


def _counted(declaration: HourDeclaration) -> Decimal:
    declaration.refresh_from_db()
    return declaration.counted_hours


def test_no_longer_eligible_keeps_the_hours_worked_before(hw):  # noqa: F811
    march = _validated(hw, date(2026, 3, 1))
    services.withdraw_validation(
        actor=hw.actor("facilitator"),
        validation=hw.validation,
        reason="A trouvé un CDI ailleurs",
        kind=WithdrawalKind.ENDED,
    )
    assert _counted(march) == 100  # failed before: every past hour was erased
    hw.validation.refresh_from_db()
    yesterday = timezone.localdate() - timedelta(days=1)
    assert hw.validation.valid_until == yesterday
    assert hw.validation.is_valid_on(yesterday) and not hw.validation.is_valid_on(
        yesterday + timedelta(days=1)
    )
    event = AuditEvent.objects.get(action=AuditAction.REVOKE, object_id=str(hw.validation.pk))
    assert event.details == {"kind": "ended"}


def test_an_error_or_a_fraud_is_retroactive(hw):  # noqa: F811
    march = _validated(hw, date(2026, 3, 1))
    services.withdraw_validation(
        actor=hw.actor("facilitator"),
        validation=hw.validation,
        reason="Justificatif falsifié",
        kind=WithdrawalKind.ERROR,
    )
    assert _counted(march) == 0


def test_preview_lists_the_hours_and_writes_nothing(hw):  # noqa: F811
    march = _validated(hw, date(2026, 3, 1))
    april = _validated(hw, date(2026, 4, 1), hours=60)
    actor = hw.actor("facilitator")
    ended = services.preview_withdrawal(actor=actor, validation=hw.validation, kind="ended")
    assert ended == []
    error = services.preview_withdrawal(actor=actor, validation=hw.validation, kind="error")
    assert [(c.month, c.before, c.after, c.lost) for c in error] == [
        (date(2026, 3, 1), Decimal(100), Decimal(0), Decimal(100)),
        (date(2026, 4, 1), Decimal(60), Decimal(0), Decimal(60)),
    ]
    assert {c.market for c in error} == {str(hw.market)}
    # nothing written
    assert (_counted(march), _counted(april)) == (100, 60)
    hw.validation.refresh_from_db()
    assert hw.validation.withdrawn_at is None and hw.validation.valid_until is None
    assert not AuditEvent.objects.filter(action=AuditAction.REVOKE).exists()


def test_a_withdrawn_validation_cannot_be_withdrawn_again(hw):  # noqa: F811
    actor = hw.actor("facilitator")
    services.withdraw_validation(actor=actor, validation=hw.validation, reason="x", kind="ended")
    with pytest.raises(ValidationError):
        services.preview_withdrawal(actor=actor, validation=hw.validation, kind="error")
    with pytest.raises(ValidationError):
        services.withdraw_validation(
            actor=actor, validation=hw.validation, reason="x", kind="error"
        )


def _login_facilitator(client, hw):  # noqa: F811
    login(client, Membership.objects.get(pk=hw.actor("facilitator").membership_id))


def test_page_says_what_each_choice_does_before_confirming(client, hw):  # noqa: F811
    _validated(hw, date(2026, 3, 1))
    _login_facilitator(client, hw)
    url = reverse(
        "followup:withdraw", kwargs={"pk": hw.participant.pk, "validation_pk": hw.validation.pk}
    )
    page = client.get(url).content.decode()
    assert "à partir d&#x27;aujourd&#x27;hui" in page
    ended = page.split('id="consequence-ended"')[1].split("</section>")[0]
    error = page.split('id="consequence-error"')[1].split("</section>")[0]
    assert "Aucune heure déjà comptée ne change" in ended
    assert "100 h" in error and "mars 2026" in error and hw.market.reference in error
    assert "Bilans modifiés" in error
    # the old promise, false for past hours, is gone
    assert (
        "Les heures réalisées à partir d&#x27;aujourd&#x27;hui ne compteront plus au titre"
        not in page
    )
    EligibilityValidation.objects.get(pk=hw.validation.pk, withdrawn_at__isnull=True)


def test_page_confirms_with_the_chosen_kind(client, hw):  # noqa: F811
    march = _validated(hw, date(2026, 3, 1))
    _login_facilitator(client, hw)
    url = reverse(
        "followup:withdraw", kwargs={"pk": hw.participant.pk, "validation_pk": hw.validation.pk}
    )
    missing = client.post(url, {"reason": "Déménagement"})
    assert missing.status_code == 200 and "Ce champ est obligatoire." in missing.content.decode()
    response = client.post(url, {"reason": "Déménagement", "kind": "ended"})
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "les heures faites jusqu'à hier restent comptées" in text
    assert _counted(march) == 100


def test_person_page_shows_the_hours_that_did_not_count_by_reason(client, hw):  # noqa: F811
    _validated(hw, date(2026, 3, 1))
    services.withdraw_validation(
        actor=hw.actor("facilitator"), validation=hw.validation, reason="Erreur", kind="error"
    )
    _login_facilitator(client, hw)
    page = client.get(reverse("followup:participant", kwargs={"pk": hw.participant.pk}))
    text = page.content.decode()
    assert "Hors de la période d&#x27;éligibilité de la personne : 100 h (1 déclaration)" in text
    assert "erreur ou fraude : elle ne couvre aucune heure" in text
    assert "aucune éligibilité validée ne la couvre" in text

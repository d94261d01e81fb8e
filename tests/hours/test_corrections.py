"""A change to a month already declared is a correction (#12.4): its reason is required,
its history kept (who, when, before/after, why), it goes back to control — a validated
declaration included — and the same values again are answered "déjà enregistrée"."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from clauses.hours import rules, services
from clauses.hours.enums import DeclarationStatus
from tests.hours.conftest import TODAY, HoursWorld

pytestmark = pytest.mark.django_db
MONTH = date(2026, 3, 1)


def declare(hw: HoursWorld, hours: int, reason: str = ""):  # noqa: ANN201
    return services.declare(
        actor=hw.actor("company"),
        assignment=hw.assignment,
        month=MONTH,
        hours=Decimal(hours),
        reason=reason,
        today=TODAY,
    )


def test_a_second_declaration_of_the_month_is_a_correction_with_its_reason(hw):
    first, result = declare(hw, 140)
    assert result == "created"
    with pytest.raises(ValidationError) as error:
        declare(hw, 10)
    message = error.value.message_dict["reason"][0]
    assert "140 h" in message and "motif de la correction" in message
    first.refresh_from_db()
    assert first.declared_hours == 140  # nothing silently replaced
    corrected, result = declare(hw, 10, reason="Erreur de saisie : 10 h et non 140 h.")
    assert (corrected.pk, result) == (first.pk, "corrected")
    corrected.refresh_from_db()
    assert corrected.declared_hours == 10 and corrected.status == DeclarationStatus.SUBMITTED
    event = services.corrections(corrected).get()
    assert event.reason == "Erreur de saisie : 10 h et non 140 h."
    assert event.details["before"]["declared_hours"] == "140.00"
    assert event.details["after"]["declared_hours"] == "10"
    assert event.actor_repr and event.created_at is not None


def test_a_validated_declaration_corrected_goes_back_to_control(hw):
    declaration, _ = declare(hw, 120)
    services.control_declaration(
        actor=hw.actor("facilitator"), declaration=declaration, decision="validate"
    )
    assert declaration.counted_hours == 120
    declare(hw, 100, reason="Deux jours d'absence oubliés.")
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.SUBMITTED
    assert declaration.counted_hours == 0 and declaration.counting_rule == rules.RULE_NOT_VALIDATED
    event = services.corrections(declaration).get()
    assert event.from_status == DeclarationStatus.VALIDATED
    assert event.details["before_status"] == DeclarationStatus.VALIDATED
    services.control_declaration(
        actor=hw.actor("facilitator"), declaration=declaration, decision="validate"
    )
    assert declaration.counted_hours == 100


def test_a_refused_declaration_may_be_corrected_with_a_reason(hw):
    declaration, _ = declare(hw, 120)
    services.control_declaration(
        actor=hw.actor("facilitator"), declaration=declaration, decision="reject", reason="Doublon."
    )
    _, result = declare(hw, 60, reason="Seulement la part de ce chantier.")
    declaration.refresh_from_db()
    assert result == "corrected" and declaration.status == DeclarationStatus.SUBMITTED
    assert declaration.rejection_reason == ""  # the refusal's reason stays in the history
    kinds = list(declaration.events.order_by("created_at", "pk").values_list("kind", flat=True))
    assert kinds == ["declared", "control_reject", "corrected"]


def test_the_same_values_again_are_already_recorded(hw):
    declare(hw, 120)
    declaration, result = declare(hw, 120)
    assert result == "unchanged"
    assert declaration.events.count() == 1
    assert "déjà enregistrée" in services.RESULT_MESSAGES[result]


def test_the_form_asks_for_the_reason_then_says_correction(client, hw):
    from django.urls import reverse

    from clauses.accounts.enums import Role
    from tests.hours.test_views import log

    log(client, hw.company, Role.COMPANY_CONTACT)
    month = f"{date.today().replace(day=1):%m/%Y}"  # noqa: DTZ011 — the page's today
    data = {"assignment": hw.assignment.pk, "month": month, "hours": "140"}
    first = client.post(reverse("hours:declare"), data, follow=True).content.decode()
    assert "Déclaration enregistrée" in first
    again = client.post(reverse("hours:declare"), data, follow=True).content.decode()
    assert "déjà enregistrée avec ces valeurs" in again
    refused = client.post(reverse("hours:declare"), {**data, "hours": "10"})
    assert refused.status_code == 422 and "motif de la correction" in refused.content.decode()
    done = client.post(
        reverse("hours:declare"),
        {**data, "hours": "10", "reason": "Erreur de saisie."},
        follow=True,
    )
    assert "Correction enregistrée" in done.content.decode()


def test_the_history_page_tells_who_when_before_after_why(client, hw):
    from django.urls import reverse

    from clauses.accounts.enums import Role
    from tests.hours.test_views import log
    from tests.markets.conftest import organisation_of

    declaration, _ = declare(hw, 140)
    declare(hw, 10, reason="Erreur de saisie : 10 h et non 140 h.")
    url = reverse("hours:declaration", args=[declaration.pk])
    for organisation, role in (
        (hw.company, Role.COMPANY_CONTACT),
        (organisation_of(hw.base.s93), Role.FACILITATOR),
    ):
        log(client, organisation, role)
        page = client.get(url).content.decode()
        assert "Corrigée" in page and "140.00 h → 10 h" in page
        assert "Erreur de saisie : 10 h et non 140 h." in page
        client.logout()
    for organisation, role in (
        (hw.other_company, Role.COMPANY_CONTACT),
        (organisation_of(hw.base.s75), Role.FACILITATOR),
        (hw.base.buyer, Role.BUYER_AGENT),
    ):
        log(client, organisation, role)
        assert client.get(url).status_code == 404
        client.logout()

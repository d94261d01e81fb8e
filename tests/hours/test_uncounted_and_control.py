"""Hours that did not count, explained wherever counted hours show (#12.1), the warning
before validating, several decisions at once and a clause's hours by person and month
(#12.11), a correction shown to the facilitator as such (#12.4)."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from clauses.access.enums import TokenScope
from clauses.accounts.enums import Role
from clauses.hours import rules, selectors, services
from clauses.hours.enums import DeclarationStatus
from clauses.hours.models import HourDeclaration
from clauses.markets.models import SocialConsideration
from tests.access.factories import make_api_token
from tests.hours.conftest import HoursWorld
from tests.hours.test_views import log
from tests.markets.conftest import organisation_of

pytestmark = pytest.mark.django_db


def late(hw: HoursWorld) -> tuple[HourDeclaration, HourDeclaration]:
    """A person whose eligibility was validated on 10/04/2026, on a mission begun in
    January: March is outside, April partly inside."""
    person = hw.new_participant("Inès Tardive", key="k-ines")
    hw.validate(person, date(2026, 4, 10))
    assignment = hw.assign(person, hw.lot, start=date(2026, 1, 5))
    actor = hw.actor("company")
    march = services.declare_hours(
        actor=actor, assignment=assignment, month=date(2026, 3, 1), hours=Decimal(120)
    )
    april = services.declare_hours(
        actor=actor, assignment=assignment, month=date(2026, 4, 1), hours=Decimal(150)
    )
    return march, april


def validate(hw: HoursWorld, *declarations: HourDeclaration) -> None:
    services.control_declarations(
        actor=hw.actor("facilitator"),
        decisions=[services.Decision(d, "validate") for d in declarations],
    )


def test_control_page_warns_before_validating_then_explains(client, hw):
    march, april = late(hw)
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    page = client.get(reverse("hours:control")).content.decode()
    assert "120 h ne seront pas comptées : Le mois est hors de la période d&#x27;éligibilité" in (
        page
    )
    assert "éligibilité validée du 10/04/2026 au 09/04/2028" in page
    assert f'data-preview="{april.pk}"' in page and "prorata" in page
    response = client.post(
        reverse("hours:control_many"),
        {f"decision-{march.pk}": "validate", f"decision-{april.pk}": "validate"},
    )
    assert response.status_code == 302
    march.refresh_from_db()
    assert (march.counted_hours, march.counting_rule) == (0, rules.RULE_OUT_OF_ELIGIBILITY)
    assert march.uncounted_hours == 120 and "10/04/2026" in march.uncounted_reason
    done = client.get(reverse("hours:control") + "?status=validated").content.decode()
    assert f'data-uncounted="{march.pk}"' in done
    assert "120 h non comptées : Le mois est hors de la période" in done
    company = client.__class__()
    log(company, hw.company, Role.COMPANY_CONTACT)
    mine = company.get(reverse("hours:my_clauses")).content.decode()
    assert f'data-uncounted="{march.pk}"' in mine
    assert "Validées mais non comptées" in mine  # the clause's progress


def test_uncounted_by_reason_for_reports(hw, django_assert_num_queries):
    march, april = late(hw)
    validate(hw, march, april)
    clauses = SocialConsideration.objects.filter(lot__market=hw.market)
    with django_assert_num_queries(2):
        summed = selectors.uncounted_by_reason(clauses)
    by_rule = {u.rule: u for u in summed}
    assert by_rule[rules.RULE_OUT_OF_ELIGIBILITY].hours == 120
    april.refresh_from_db()
    assert by_rule[rules.RULE_PARTLY_ELIGIBLE].hours == april.base_hours - april.counted_hours
    assert all(u.label and u.declarations == 1 for u in summed)
    group = selectors.market_progress(hw.actor("buyer"), hw.market.pk)
    assert group is not None and group.uncounted_hours == sum(u.hours for u in summed)


def test_clause_page_reasons_for_all_people_for_the_facilitator_only(
    client, hw, django_assert_max_num_queries
):
    march, april = late(hw)
    validate(hw, march, april)
    url = reverse("hours:clause", args=[hw.clause.pk])
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    with django_assert_max_num_queries(25):
        page = client.get(url).content.decode()
    assert "Heures non comptées par motif" in page
    assert "Hors de la période d&#x27;éligibilité de la personne" in page
    assert "Heures par personne et par mois" in page and "Tardive" in page
    buyer = client.__class__()
    log(buyer, hw.base.buyer, Role.BUYER_AGENT)
    seen = buyer.get(url).content.decode()
    assert "Heures non comptées par motif" in seen  # counts and reasons
    assert "Heures par personne et par mois" not in seen and "Tardive" not in seen


def test_api_progress_says_what_did_not_count(client, hw):
    march, april = late(hw)
    validate(hw, march, april)
    _, raw = make_api_token(hw.company, role="company_contact", scope=TokenScope.READ)
    body = client.get(
        f"/api/v1/clauses/{hw.clause.pk}/progress", HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    rules_seen = {u["rule"]: u for u in body["uncounted"]}
    assert rules_seen[rules.RULE_OUT_OF_ELIGIBILITY]["hours"] == "120"
    assert "éligibilité" in rules_seen[rules.RULE_OUT_OF_ELIGIBILITY]["reason"]
    assert Decimal(body["uncounted_hours"]) > 120


def test_several_decisions_at_once_all_or_nothing_with_a_reason_per_refusal(client, hw):
    actor = hw.actor("company")
    first = services.declare_hours(
        actor=actor, assignment=hw.assignment, month=date(2026, 3, 1), hours=Decimal(100)
    )
    second = services.declare_hours(
        actor=actor, assignment=hw.assignment, month=date(2026, 4, 1), hours=Decimal(90)
    )
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    data = {f"decision-{first.pk}": "validate", f"decision-{second.pk}": "reject"}
    page = client.post(reverse("hours:control_many"), data, follow=True).content.decode()
    assert "Rien n&#x27;a été enregistré" in page and f"Déclaration n° {second.pk}" in page
    first.refresh_from_db()
    assert first.status == DeclarationStatus.SUBMITTED
    data[f"reason-{second.pk}"] = "Heures déjà payées sur un autre marché."
    page = client.post(reverse("hours:control_many"), data, follow=True).content.decode()
    assert "2 décisions enregistrées : 1 validée(s), 1 refusée(s)." in page
    second.refresh_from_db()
    assert second.status == DeclarationStatus.REJECTED
    assert second.rejection_reason == "Heures déjà payées sur un autre marché."
    assert second.events.filter(kind="control_reject").exists()


def test_one_rows_button_decides_that_row_only(client, hw):
    actor = hw.actor("company")
    first = services.declare_hours(
        actor=actor, assignment=hw.assignment, month=date(2026, 3, 1), hours=Decimal(100)
    )
    second = services.declare_hours(
        actor=actor, assignment=hw.assignment, month=date(2026, 4, 1), hours=Decimal(90)
    )
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    data = {
        f"decision-{first.pk}": "validate",
        f"decision-{second.pk}": "validate",
        "only": str(first.pk),
    }
    page = client.post(reverse("hours:control_many"), data, follow=True).content.decode()
    assert f"Déclaration n° {first.pk} : validée." in page
    second.refresh_from_db()
    assert second.status == DeclarationStatus.SUBMITTED


def test_decisions_on_declarations_out_of_scope_are_404(client, hw):
    actor = hw.actor("company")
    declaration = services.declare_hours(
        actor=actor, assignment=hw.assignment, month=date(2026, 3, 1), hours=Decimal(100)
    )
    log(client, organisation_of(hw.base.s75), Role.FACILITATOR)
    response = client.post(
        reverse("hours:control_many"), {f"decision-{declaration.pk}": "validate"}
    )
    assert response.status_code == 404


def test_a_correction_shows_on_the_control_page(client, hw):
    actor = hw.actor("company")
    services.declare_hours(
        actor=actor, assignment=hw.assignment, month=date(2026, 3, 1), hours=Decimal(140)
    )
    corrected = services.declare_hours(
        actor=actor,
        assignment=hw.assignment,
        month=date(2026, 3, 1),
        hours=Decimal(10),
        reason="Erreur de saisie : 10 h.",
    )
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    page = client.get(reverse("hours:control")).content.decode()
    assert f'data-correction="{corrected.pk}"' in page
    assert "Avant : 140.00 h" in page and "Motif : Erreur de saisie : 10 h." in page


def test_control_page_query_budget(client, hw, django_assert_max_num_queries):
    actor = hw.actor("company")
    for month in range(1, 6):
        services.declare_hours(
            actor=actor, assignment=hw.assignment, month=date(2026, month, 1), hours=Decimal(10)
        )
    late(hw)
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("hours:control")).status_code == 200


def test_api_declarations_say_what_happened(client, hw):
    _, raw = make_api_token(hw.company, role="company_contact", scope=TokenScope.READ_WRITE)
    item = {"assignment": hw.assignment.pk, "month": "2026-03", "hours": "120"}

    def post(*items: dict):  # noqa: ANN202
        return client.post(
            "/api/v1/contractor/declarations",
            json.dumps({"declarations": list(items)}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )

    assert post(item).json()["declarations"][0]["result"] == "created"
    again = post(item).json()["declarations"][0]
    assert again["result"] == "unchanged" and "déjà enregistrée" in again["message"]
    refused = post({**item, "hours": "10"})
    assert refused.status_code == 422 and "motif" in refused.content.decode()
    corrected = post({**item, "hours": "10", "reason": "Saisie erronée."})
    assert corrected.json()["declarations"][0]["result"] == "corrected"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("facilitator", True),
        ("coordinator93", True),
        ("facilitator75", False),
        ("coordinator75", False),
        ("buyer", False),
        ("company", False),
    ],
)
def test_hours_by_person_only_for_those_who_follow_the_market(hw, who, allowed):
    from clauses.hours import policies

    late(hw)
    actor = hw.actor(who)
    assert policies.can_read_people_hours(actor, hw.clause) is allowed
    rows = selectors.clause_hours_by_person(actor, hw.clause)
    assert (rows is not None) is allowed
    if allowed:
        names = {r["assignment__participant__last_name"] for r in rows}
        assert names == {"Tardive"}


def test_company_page_query_budget_with_corrections_and_uncounted(
    client, hw, django_assert_max_num_queries
):
    march, april = late(hw)
    validate(hw, march, april)
    actor = hw.actor("company")
    for month in range(1, 6):
        services.declare_hours(
            actor=actor, assignment=hw.assignment, month=date(2026, month, 1), hours=Decimal(10)
        )
        services.declare_hours(
            actor=actor,
            assignment=hw.assignment,
            month=date(2026, month, 1),
            hours=Decimal(12),
            reason="Relevé rectifié.",
        )
    log(client, hw.company, Role.COMPANY_CONTACT)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("hours:my_clauses"))
    assert page.status_code == 200
    assert "Relevé rectifié." in page.content.decode()


def test_the_market_page_says_what_did_not_count_too(client, hw):
    """#12.1 wherever counted hours appear: the market's own progress (buyer's view
    included) lists the validated hours that did not count, by reason."""
    march, april = late(hw)
    validate(hw, march, april)
    log(client, hw.base.buyer, Role.BUYER_AGENT)
    page = client.get(reverse("markets:detail", args=[hw.clause.lot.market.pk])).content.decode()
    assert "Heures validées mais non comptées" in page
    assert "hors de la période d&#x27;éligibilité de la personne" in page
    assert "Tardive" not in page

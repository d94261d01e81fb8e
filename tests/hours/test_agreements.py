"""Globalisation agreements: who records and ends them (facilitators and coordinators of
the territory), what they link (two clauses or more of lots the company executes), the
audit event, the pooling they bring to progress, and the page under /heures/conventions/."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from clauses.accounts.enums import Role
from clauses.accounts.models import AuditEvent
from clauses.hours import selectors, services
from clauses.hours.models import GlobalisationAgreement
from clauses.markets.models import SocialConsideration
from tests.hours.conftest import TODAY
from tests.hours.test_views import log
from tests.markets.conftest import organisation_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(hw):
    """A small clause (100 h) where the company worked 150 h, and hw's clause (1 000 h)."""
    _, small_lot, small = hw.new_market(target=100, reference="M-PETIT")
    assignment = hw.assign(hw.participant, small_lot, start=date(2025, 9, 1))
    declaration = services.declare_hours(
        actor=hw.actor("company"),
        assignment=assignment,
        month=date(2026, 3, 1),
        hours=Decimal(150),
        today=TODAY,
    )
    services.control_declaration(
        actor=hw.actor("facilitator"), declaration=declaration, decision="validate"
    )
    return small, hw.clause


def _progress(clause: SocialConsideration):
    return selectors.clause_progress(SocialConsideration.objects.filter(pk=clause.pk))[0]


def test_facilitator_records_an_agreement_and_hours_are_pooled(hw, two):
    small, big = two
    assert _progress(big).progress.counted == 0
    agreement = services.create_agreement(
        actor=hw.actor("facilitator"),
        company=hw.company,
        clauses=[small, big],
        reference="CG-93-001",
        signed_on=TODAY - timedelta(days=30),
    )
    assert set(agreement.clauses.all()) == {small, big}
    assert AuditEvent.objects.filter(
        object_id=str(agreement.pk), action="create", organisation=hw.company
    ).exists()
    assert _progress(big).globalised == 50
    assert _progress(small).globalised == -50
    services.end_agreement(
        actor=hw.actor("facilitator"),
        agreement=agreement,
        ended_on=timezone.localdate() - timedelta(days=1),
    )
    assert _progress(big).globalised == 0  # ended: no more pooling
    assert AuditEvent.objects.filter(object_id=str(agreement.pk), action="update").exists()
    with pytest.raises(ValidationError, match="déjà résiliée"):
        services.end_agreement(actor=hw.actor("facilitator"), agreement=agreement, ended_on=TODAY)


@pytest.mark.parametrize("who", ["company", "buyer", "facilitator75"])
def test_only_the_territory_records_agreements(hw, two, who):
    with pytest.raises(PermissionDenied):
        services.create_agreement(
            actor=hw.actor(who),
            company=hw.company,
            clauses=list(two),
            reference="CG-1",
            signed_on=TODAY,
        )
    assert not GlobalisationAgreement.objects.exists()


def test_an_agreement_links_two_clauses_of_the_company(hw, two):
    small, big = two
    with pytest.raises(ValidationError) as error:
        services.create_agreement(
            actor=hw.actor("facilitator"),
            company=hw.company,
            clauses=[small],
            reference=" ",
            signed_on=TODAY,
        )
    assert set(error.value.message_dict) == {"clauses", "reference"}
    _, _, foreign = hw.new_market(company=hw.other_company, reference="M-AUTRE")
    with pytest.raises(ValidationError, match="n'exécute pas le lot de : M-AUTRE, lot 1"):
        services.create_agreement(
            actor=hw.actor("facilitator"),
            company=hw.company,
            clauses=[small, foreign],
            reference="CG-2",
            signed_on=TODAY,
        )


def test_agreements_page_lists_creates_and_ends(client, hw, two):
    small, big = two
    log(client, organisation_of(hw.base.s93), Role.FACILITATOR)
    url = reverse("hours:agreements")
    page = client.get(url)
    assert page.status_code == 200
    assert hw.company.name in page.content.decode()  # offered as a choice
    page = client.get(url, {"company": hw.company.pk}).content.decode()
    assert "M-PETIT, lot 1" in page and "Enregistrer la convention" in page
    refused = client.post(
        url,
        {
            "company": hw.company.pk,
            "reference": "CG-3",
            "signed_on": "2026-01-05",
            "clauses": [small.pk],
        },
    )
    assert refused.status_code == 422
    assert "au moins deux clauses" in refused.content.decode()
    created = client.post(
        url,
        {
            "company": hw.company.pk,
            "reference": "CG-3",
            "signed_on": "2026-01-05",
            "clauses": [small.pk, big.pk],
        },
    )
    assert created.status_code == 302
    agreement = GlobalisationAgreement.objects.get(reference="CG-3")
    listed = client.get(created["Location"]).content.decode()
    assert f'data-agreement="{agreement.pk}"' in listed
    ended = client.post(
        reverse("hours:agreement_end", args=[agreement.pk]), {"ended_on": "2026-02-01"}
    )
    assert ended.status_code == 302
    agreement.refresh_from_db()
    assert agreement.ended_on == date(2026, 2, 1)


def test_agreements_page_is_for_the_territory_only(client, hw, two):
    agreement = services.create_agreement(
        actor=hw.actor("facilitator"),
        company=hw.company,
        clauses=list(two),
        reference="CG-4",
        signed_on=TODAY,
    )
    log(client, hw.company, Role.COMPANY_CONTACT)
    assert client.get(reverse("hours:agreements")).status_code == 403
    client.logout()
    log(client, organisation_of(hw.base.s75), Role.FACILITATOR)
    page = client.get(reverse("hours:agreements")).content.decode()
    assert "CG-4" not in page
    response = client.post(
        reverse("hours:agreement_end", args=[agreement.pk]), {"ended_on": "2026-07-01"}
    )
    assert response.status_code == 404

"""Pages: access, view logging, validation form, positions and hiring, query budgets."""

import pytest
from django.urls import reverse

from clauses.access.enums import AuditAction
from clauses.accounts.enums import Role
from clauses.accounts.models import AuditEvent, Membership
from clauses.followup import services
from tests.access.helpers import login
from tests.followup.conftest import D

pytestmark = pytest.mark.django_db


def login_as(client, fw, who):
    actor = fw.actor(who)
    client.logout()
    login(client, Membership.objects.get(pk=actor.membership_id))
    return actor


def test_list_and_detail_for_the_facilitator_with_a_view_event(
    client, fw, django_assert_max_num_queries
):
    for index in range(12):
        fw.assign(fw.participant(f"Prénom{index}", f"Fictif{index}"))
    login_as(client, fw, "facilitator")
    with django_assert_max_num_queries(15):
        response = client.get(reverse("followup:participants"))
    assert response.status_code == 200
    assert "Fictif3" in response.content.decode()
    participant = fw.participant("Prénom3", "Fictif3")
    before = AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    response = client.get(reverse("followup:participant", kwargs={"pk": participant.pk}))
    assert response.status_code == 200
    assert (
        AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(participant.pk)).count()
        == before + 1
    )


def test_the_list_is_refused_to_companies_and_buyers(client, fw):
    for who in ("company_a", "buyer"):
        login_as(client, fw, who)
        assert client.get(reverse("followup:participants")).status_code == 403


def test_another_territory_gets_404(client, fw):
    participant = fw.participant()
    login_as(client, fw, "facilitator75")
    assert (
        client.get(reverse("followup:participant", kwargs={"pk": participant.pk})).status_code
        == 404
    )


def test_a_company_sees_names_and_its_assignments_never_eligibility(client, fw):
    participant = fw.participant("Zoé", "Dupré")
    services.validate_eligibility(
        actor=fw.actor("facilitator"),
        participant=participant,
        criteria_codes=["minimum_benefits"],
        proof_kind="benefits_certificate",
        proof_date=D(2026, 1, 10),
        on=D(2026, 2, 1),
    )
    fw.assign(participant, "company_a")
    fw.assign(participant, "company_b")
    login_as(client, fw, "company_a")
    page = client.get(
        reverse("followup:participant", kwargs={"pk": participant.pk})
    ).content.decode()
    assert "Zoé Dupré" in page
    assert fw.company_a.name in page and fw.company_b.name not in page
    assert "minimum social" not in page and "Validations" not in page


def test_validation_form_shows_supported_criteria_then_decides(client, fw):
    participant = fw.participant(birth_date=D(1976, 11, 24))
    login_as(client, fw, "facilitator")
    url = reverse("followup:validate", kwargs={"pk": participant.pk})
    assert client.get(url).status_code == 200
    data = {"assessment_date": "2026-11-24", "jobseeker_months": "3", "assess": "1"}
    page = client.post(url, data).content.decode()
    assert "Demandeur·se d&#x27;emploi de 50 ans ou plus" in page or "50 ans ou plus" in page
    from clauses.followup.models import EligibilityCriterion

    criterion = EligibilityCriterion.objects.get(code="senior_jobseeker")
    data = {
        "assessment_date": "2026-11-24",
        "jobseeker_months": "3",
        "criteria": [criterion.pk],
        "proof_kind": "identity_document",
        "proof_date": "2026-11-01",
        "decide": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert participant.validations.get().criteria.get().code == "senior_jobseeker"


def test_the_coordinator_may_not_validate(client, fw):
    participant = fw.participant()
    login_as(client, fw, "coordinator93")
    assert (
        client.get(reverse("followup:validate", kwargs={"pk": participant.pk})).status_code == 403
    )


def test_positions_publish_and_hire(client, fw):
    position = services.post_position(
        actor=fw.actor("company_a"),
        lot=fw.lot,
        company=fw.company_a,
        trade="Coffreur·se",
        start_date=D(2026, 5, 4),
    )
    login_as(client, fw, "facilitator")
    response = client.post(reverse("followup:publish", kwargs={"pk": position.pk}))
    assert response.status_code == 302
    assert response.url == reverse("followup:positions")
    position.refresh_from_db()
    assert position.status == "published"
    candidate = services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name="Eden",
        last_name="Fictif",
        birth_year=2000,
        qualifications="Titre pro coffreur",
    )
    login_as(client, fw, "company_a")
    page = client.get(reverse("followup:positions")).content.decode()
    assert "Eden Fictif" in page and "Titre pro coffreur" in page
    hire_url = reverse("followup:hire", kwargs={"pk": candidate.pk})
    assert client.get(hire_url).status_code == 200
    hire = {"start_date": "2026-05-04", "modality": "direct_cdd", "contract_type": "cdd"}
    assert client.post(hire_url, hire).status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "hired" and candidate.assignment.employer == fw.company_a
    login_as(client, fw, "company_c")
    assert "Eden Fictif" not in client.get(reverse("followup:positions")).content.decode()


def test_export_download(client, fw):
    participant = fw.participant()
    login_as(client, fw, "facilitator")
    response = client.get(reverse("followup:export", kwargs={"pk": participant.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    login_as(client, fw, "company_a")
    assert client.get(reverse("followup:export", kwargs={"pk": participant.pk})).status_code == 404


def test_the_menu_entry_for_facilitators(client, fw):
    login_as(client, fw, "facilitator")
    assert (
        reverse("followup:participants")
        in client.get(reverse("followup:positions")).content.decode()
    )
    assert Role.FACILITATOR

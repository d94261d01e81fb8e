"""The follow-up screens added to the participant file and the positions: access per role
(facilitator own / other territory, company own / other, buyer → 404, anonymous → login),
happy paths, French errors on bad input, audit events, query budgets, the XLSX export."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clauses.access.enums import AuditAction
from clauses.accounts.models import AuditEvent
from clauses.followup import services
from clauses.followup.identity import identity_key
from clauses.followup.models import Assignment, Candidate, Participant, Position
from clauses.markets.models import LotContractor
from clauses.territories.models import Department
from tests.followup.conftest import D
from tests.followup.test_views import login_as
from tests.network.factories import FacilitatorStructureFactory

pytestmark = pytest.mark.django_db


def status_for(client, fw, who, url, method="get", data=None):
    if who == "anonymous":
        client.logout()
    else:
        login_as(client, fw, who)
    return getattr(client, method)(url, data or {})


def assert_login_redirect(response):
    assert response.status_code == 302 and "connexion" in response.url


def view_events(participant, via):
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(participant.pk), details__via=via
    ).count()


def validated(fw, participant):
    return services.validate_eligibility(
        actor=fw.actor("facilitator"),
        participant=participant,
        criteria_codes=["minimum_benefits"],
        proof_kind="benefits_certificate",
        proof_date=D(2026, 1, 10),
        on=D(2026, 2, 1),
    )


def published(fw, company="company_a"):
    position = services.post_position(
        actor=fw.actor(company),
        lot=fw.lot,
        company=fw.company_a,
        trade="Coffreur·se",
        start_date=D(2026, 5, 4),
        required_qualification="CAP",
    )
    services.publish_position_to_partners(
        actor=fw.actor("facilitator"), position=position, send=False
    )
    return position


def proposed(fw, position, **kwargs):
    kwargs.setdefault("birth_year", 2000)
    return services.propose_candidate(
        actor=fw.actor("partner93"),
        position=position,
        first_name=kwargs.pop("first_name", "Eden"),
        last_name=kwargs.pop("last_name", "Fictif"),
        qualifications="Titre professionnel coffreur",
        **kwargs,
    )


# -- create a participant by hand ----------------------------------------------------------


PERSON = {"first_name": "Inès", "last_name": "Manuel", "birth_year": "1994", "gender": "female"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [("facilitator", 200), ("facilitator75", 200), ("company_a", 404), ("buyer", 404)],
)
def test_participant_create_access(client, fw, who, expected):
    url = reverse("followup:participant_create")
    assert status_for(client, fw, who, url).status_code == expected


def test_participant_create_anonymous_goes_to_login(client, fw):
    assert_login_redirect(
        status_for(client, fw, "anonymous", reverse("followup:participant_create"))
    )


def test_participant_create_happy_path(client, fw):
    login_as(client, fw, "facilitator")
    response = client.post(reverse("followup:participant_create"), PERSON)
    participant = Participant.objects.get(last_name="Manuel")
    assert response.status_code == 302
    assert response.url == reverse("followup:participant", kwargs={"pk": participant.pk})
    assert participant.structure == fw.base.s93 and participant.department.code == "93"
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(participant.pk)
    ).exists()


def test_participant_create_bad_input_in_french(client, fw):
    login_as(client, fw, "facilitator")
    url = reverse("followup:participant_create")
    page = client.post(url, {**PERSON, "birth_year": ""}).content.decode()
    assert "Indiquez au moins l&#x27;année de naissance." in page
    page = client.post(url, {**PERSON, "birth_year": "2999"}).content.decode()
    assert "ne peut pas être dans le futur" in page
    page = client.post(url, {**PERSON, "first_name": ""}).content.decode()
    assert "Ce champ est obligatoire." in page
    assert not Participant.objects.filter(last_name="Manuel").exists()


def test_participant_create_reuses_a_person_the_facilitator_sees(client, fw):
    known = fw.participant("Inès", "Manuel", birth_date=None, birth_year=1994)
    login_as(client, fw, "facilitator")
    response = client.post(reverse("followup:participant_create"), PERSON, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "followup:participant", kwargs={"pk": known.pk}
    )
    assert "Aucun doublon" in response.content.decode()
    assert Participant.objects.filter(last_name="Manuel").count() == 1


def test_participant_create_dedupe_reveals_nothing_of_another_structure(client, fw):
    """#11.7: the hidden record is neither reused nor mentioned (tests/followup/
    test_identity_privacy.py holds the matrix)."""
    other = FacilitatorStructureFactory(name="Structure Voisine Secrète")
    hidden = Participant.objects.create(
        first_name="Inès",
        last_name="Manuel",
        birth_year=1994,
        structure=other,
        department=Department.objects.get(code="93"),
        identity_key=identity_key(first_name="Inès", last_name="Manuel", birth_year=1994),
    )
    login_as(client, fw, "facilitator")
    response = client.post(reverse("followup:participant_create"), PERSON, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Structure Voisine Secrète" not in page and "autre structure" not in page
    assert "Inès Manuel est enregistré·e." in page
    own = Participant.objects.get(last_name="Manuel", structure=fw.base.s93)
    assert response.redirect_chain[-1][0] == reverse("followup:participant", kwargs={"pk": own.pk})
    assert own.pk != hidden.pk


# -- withdraw a validation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("facilitator", 200),
        ("facilitator75", 404),
        ("coordinator93", 403),
        ("company_a", 404),
        ("company_c", 404),
        ("buyer", 404),
    ],
)
def test_withdraw_access(client, fw, who, expected):
    participant = fw.participant()
    fw.assign(participant)
    validation = validated(fw, participant)
    url = reverse(
        "followup:withdraw", kwargs={"pk": participant.pk, "validation_pk": validation.pk}
    )
    assert status_for(client, fw, who, url).status_code == expected


def test_withdraw_happy_path_bad_input_and_audit(client, fw):
    participant = fw.participant()
    validation = validated(fw, participant)
    url = reverse(
        "followup:withdraw", kwargs={"pk": participant.pk, "validation_pk": validation.pk}
    )
    assert_login_redirect(status_for(client, fw, "anonymous", url))
    login_as(client, fw, "facilitator")
    assert client.get(url).status_code == 200
    assert view_events(participant, "withdrawal") == 1
    page = client.post(url, {"reason": "  "}).content.decode()
    assert "Ce champ est obligatoire." in page or "Indiquez le motif du retrait." in page
    response = client.post(url, {"reason": "Justificatif non conforme", "kind": "error"})
    assert response.status_code == 302
    validation.refresh_from_db()
    assert validation.withdrawn_at and validation.withdrawal_reason == "Justificatif non conforme"
    assert validation.withdrawal_kind == "error"
    assert AuditEvent.objects.filter(
        action=AuditAction.REVOKE, object_id=str(validation.pk)
    ).exists()
    assert client.get(url).status_code == 404  # already withdrawn
    page = client.get(reverse("followup:participant", kwargs={"pk": participant.pk})).content
    assert "Justificatif non conforme" in page.decode()


# -- record an outcome -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("facilitator", 200),
        ("coordinator93", 200),
        ("facilitator75", 404),
        ("company_a", 404),
        ("company_c", 404),
        ("buyer", 404),
    ],
)
def test_outcome_access(client, fw, who, expected):
    participant = fw.participant()
    fw.assign(participant)
    url = reverse("followup:outcome", kwargs={"pk": participant.pk})
    assert status_for(client, fw, who, url).status_code == expected


def test_outcome_category_is_computed_and_shown(client, fw):
    participant = fw.participant()
    assignment = fw.assign(participant, end_date=D(2026, 9, 30))
    url = reverse("followup:outcome", kwargs={"pk": participant.pk})
    assert_login_redirect(status_for(client, fw, "anonymous", url))
    login_as(client, fw, "facilitator")
    assert client.get(url).status_code == 200
    assert view_events(participant, "outcome") == 1
    data = {"moment": "end_of_assignment", "assignment": assignment.pk, "situation": "cdd"}
    page = client.post(url, data).content.decode()
    assert "Indiquez la durée du contrat pour un CDD ou un intérim." in page
    page = client.post(url, {**data, "situation": "martian"}).content.decode()
    assert "Sélectionnez un choix valide" in page
    response = client.post(url, {**data, "contract_months": "9"}, follow=True)
    page = response.content.decode()
    assert "Type de sortie calculé : Emploi durable" in page
    outcome = participant.outcomes.get()
    assert outcome.category == "lasting_job" and outcome.assignment == assignment
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(outcome.pk)).exists()


def test_outcome_refuses_another_persons_assignment(client, fw):
    participant = fw.participant()
    other = fw.participant("Autre", "Personne")
    foreign = fw.assign(other)
    login_as(client, fw, "facilitator")
    url = reverse("followup:outcome", kwargs={"pk": participant.pk})
    page = client.post(
        url, {"moment": "six_months", "assignment": foreign.pk, "situation": "cdi"}
    ).content.decode()
    assert "Sélectionnez un choix valide" in page
    assert not participant.outcomes.exists()


# -- create an assignment --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("facilitator", 200),
        ("facilitator75", 404),
        ("company_a", 404),
        ("company_c", 404),
        ("buyer", 404),
    ],
)
def test_assignment_access(client, fw, who, expected):
    participant = fw.participant()
    fw.assign(participant)
    url = reverse("followup:assign", kwargs={"pk": participant.pk})
    assert status_for(client, fw, who, url).status_code == expected


def test_assignment_lots_limited_to_followed_markets_and_created(client, fw):
    participant = fw.participant()
    url = reverse("followup:assign", kwargs={"pk": participant.pk})
    assert_login_redirect(status_for(client, fw, "anonymous", url))
    login_as(client, fw, "facilitator")
    page = client.get(url).content.decode()
    assert view_events(participant, "assignment") == 1
    assert "SUIVI-93" in page and "SUIVI-75" not in page
    own = LotContractor.objects.get(lot=fw.lot, organisation=fw.company_b)
    paris = LotContractor.objects.get(lot=fw.lot75)
    data = {"lot_contractor": own.pk, "modality": "etti", "start_date": "2026-04-01"}
    page = client.post(url, {**data, "lot_contractor": paris.pk}).content.decode()
    assert "Sélectionnez un choix valide" in page
    page = client.post(url, {**data, "end_date": "2026-03-01"}).content.decode()
    assert "La fin de la mission précède son début." in page
    page = client.post(url, {**data, "start_date": "demain"}).content.decode()
    assert "Saisissez une date valide." in page
    assert not Assignment.objects.filter(participant=participant).exists()
    response = client.post(url, {**data, "weekly_hours": "35"})
    assert response.status_code == 302
    assignment = Assignment.objects.get(participant=participant)
    assert assignment.employer == fw.company_b and assignment.modality == "etti"


# -- positions: post, propose, pre-check, hire ----------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("company_a", 200),
        ("company_c", 200),
        ("facilitator", 200),
        ("partner93", 404),
        ("buyer", 404),
    ],
)
def test_position_create_access(client, fw, who, expected):
    url = reverse("followup:position_create")
    assert status_for(client, fw, who, url).status_code == expected


def test_position_create_on_a_lot_the_company_holds(client, fw):
    url = reverse("followup:position_create")
    assert_login_redirect(status_for(client, fw, "anonymous", url))
    login_as(client, fw, "company_c")
    page = client.get(url).content.decode()
    assert "SUIVI-75" in page and "SUIVI-93" not in page
    login_as(client, fw, "company_a")
    row = LotContractor.objects.get(lot=fw.lot, organisation=fw.company_a)
    paris = LotContractor.objects.get(lot=fw.lot75)
    data = {
        "lot_contractor": row.pk,
        "trade": "Maçon·ne",
        "start_date": "2026-06-01",
        "openings": "2",
        "modality": "direct_cdd",
        "contract_type": "cdd",
    }
    page = client.post(url, {**data, "trade": ""}).content.decode()
    assert "Ce champ est obligatoire." in page
    page = client.post(url, {**data, "lot_contractor": paris.pk}).content.decode()
    assert "Sélectionnez un choix valide" in page
    page = client.post(url, {**data, "openings": "0"}).content.decode()
    assert "supérieure ou égale à 1" in page
    assert not Position.objects.exists()
    assert client.post(url, data).status_code == 302
    position = Position.objects.get()
    assert position.company == fw.company_a and position.status == "draft"
    assert position.openings == 2


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("partner93", 200),
        ("facilitator", 200),
        ("company_a", 403),
        ("company_c", 404),
        ("facilitator75", 404),
        ("buyer", 404),
    ],
)
def test_propose_access(client, fw, who, expected):
    position = published(fw)
    url = reverse("followup:propose", kwargs={"pk": position.pk})
    assert status_for(client, fw, who, url).status_code == expected


def test_propose_a_candidate(client, fw):
    position = published(fw)
    url = reverse("followup:propose", kwargs={"pk": position.pk})
    assert_login_redirect(status_for(client, fw, "anonymous", url))
    login_as(client, fw, "partner93")
    data = {"first_name": "Yanis", "last_name": "Proposé", "birth_year": "2001"}
    page = client.post(url, {**data, "birth_year": ""}).content.decode()
    assert "Indiquez au moins l&#x27;année de naissance." in page
    page = client.post(url, {**data, "last_name": ""}).content.decode()
    assert "Ce champ est obligatoire." in page
    assert client.post(url, {**data, "qualifications": "CACES R482"}).status_code == 302
    candidate = Candidate.objects.get(last_name="Proposé")
    assert candidate.proposed_by_partner is not None and candidate.qualifications == "CACES R482"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("facilitator", 200),
        ("facilitator75", 404),
        ("company_a", 404),
        ("company_c", 404),
        ("partner93", 404),
        ("buyer", 404),
    ],
)
def test_precheck_access(client, fw, who, expected):
    candidate = proposed(fw, published(fw))
    url = reverse("followup:precheck", kwargs={"pk": candidate.pk})
    assert status_for(client, fw, who, url).status_code == expected


def test_precheck_shows_the_assessment_and_stores_the_result_only(client, fw):
    candidate = proposed(fw, published(fw), birth_date=D(1970, 3, 3))
    url = reverse("followup:precheck", kwargs={"pk": candidate.pk})
    assert_login_redirect(status_for(client, fw, "anonymous", url))
    login_as(client, fw, "facilitator")
    facts = {"assessment_date": "2026-11-24", "jobseeker_months": "14", "benefits": ["rsa"]}
    page = client.post(url, {**facts, "assess": "1"}).content.decode()
    assert "Critères permis par les faits" in page and "source" in page
    candidate.refresh_from_db()
    assert candidate.precheck_result == ""
    page = client.post(url, {**facts, "decide": "1"}).content.decode()
    assert "Choisissez le résultat de la pré-vérification." in page
    response = client.post(url, {**facts, "decide": "1", "result": "likely_eligible"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.precheck_result == "likely_eligible" and candidate.status == "prechecked"
    assert candidate.precheck_note == ""  # the facts are never stored
    login_as(client, fw, "company_a")
    page = client.get(reverse("followup:positions")).content.decode()
    assert "Eden Fictif" in page and "Titre professionnel coffreur" in page
    assert "Éligible a priori" not in page and "RSA" not in page and "Pré-vérifier" not in page


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("company_a", 200),
        ("facilitator", 200),
        ("company_c", 404),
        ("facilitator75", 404),
        ("partner93", 403),
        ("buyer", 404),
    ],
)
def test_hire_access(client, fw, who, expected):
    candidate = proposed(fw, published(fw))
    url = reverse("followup:hire", kwargs={"pk": candidate.pk})
    assert status_for(client, fw, who, url).status_code == expected


def test_hire_creates_the_participant_and_the_assignment(client, fw):
    candidate = proposed(fw, published(fw))
    url = reverse("followup:hire", kwargs={"pk": candidate.pk})
    assert_login_redirect(status_for(client, fw, "anonymous", url))
    login_as(client, fw, "company_a")
    page = client.get(url).content.decode()
    assert 'value="2026-05-04"' in page  # from the position, no retyping
    data = {"start_date": "2026-05-04", "modality": "direct_cdd", "contract_type": "cdd"}
    page = client.post(url, {**data, "end_date": "2026-01-01"}).content.decode()
    assert "La fin du contrat précède son début." in page
    assert client.post(url, {**data, "weekly_hours": "35"}).status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "hired"
    assert candidate.participant.structure == fw.base.s93
    assert candidate.assignment.employer == fw.company_a
    assert client.get(url).status_code == 200  # the page stays, the service refuses again
    page = client.post(url, data).content.decode()
    assert "Cette candidature est close." in page


def test_position_list_within_a_query_budget(client, fw, django_assert_max_num_queries):
    for _ in range(6):
        position = published(fw)
        for index in range(3):
            proposed(fw, position, last_name=f"Budget{index}")
    for who in ("facilitator", "company_a", "partner93"):
        login_as(client, fw, who)
        with django_assert_max_num_queries(20):
            response = client.get(reverse("followup:positions"))
        assert response.status_code == 200
        assert "Budget2" in response.content.decode()


def test_participant_list_within_a_query_budget_and_create_button(
    client, fw, django_assert_max_num_queries
):
    for index in range(10):
        fw.assign(fw.participant(f"Prénom{index}", f"Budget{index}"))
    login_as(client, fw, "facilitator")
    with django_assert_max_num_queries(15):
        page = client.get(reverse("followup:participants")).content.decode()
    assert reverse("followup:participant_create") in page


# -- right of access as XLSX ---------------------------------------------------------------


def test_right_of_access_xlsx_opened_back_with_formulas_neutralised(client, fw):
    participant = fw.participant('=HYPERLINK("http://x")', "+Dupré")
    fw.assign(participant, trade="@SUM(A1)", weekly_hours=Decimal("17.5"))
    validated(fw, participant)
    url = reverse("followup:export_xlsx", kwargs={"pk": participant.pk})
    for who in ("company_a", "facilitator75", "buyer"):
        assert status_for(client, fw, who, url).status_code == 404
    assert_login_redirect(status_for(client, fw, "anonymous", url))
    login_as(client, fw, "facilitator")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Identité", "Validations", "Missions", "Sorties", "Candidatures"]
    identity = {row[0]: row[1] for row in workbook["Identité"].iter_rows(values_only=True) if row}
    assert identity["Prénom"] == '\'=HYPERLINK("http://x")'
    assert identity["Nom"] == "'+Dupré"
    missions = list(workbook["Missions"].iter_rows(values_only=True))
    assert "'@SUM(A1)" in missions[1] and fw.company_a.name in missions[1]
    weekly = workbook["Missions"].cell(2, missions[0].index("Heures hebdomadaires") + 1)
    assert weekly.value == 17.5  # a number, not the text « 17.50 » (#12.12)
    assert weekly.number_format == "#,##0.0"
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    validations = list(workbook["Validations"].iter_rows(values_only=True))
    assert len(validations) == 2
    assert (
        AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(participant.pk)).count()
        == 1
    )

"""#12.1, eligibility side — warned before hours fail to count: a mission that starts before
the person's eligibility (assignment form and participant page), a validation recorded
after work began (validation form), and the retroactive start the rules allow (from the
proof's date, with the reason stated, kept and audited)."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from clauses.access.enums import AuditAction
from clauses.accounts.models import AuditEvent
from clauses.followup import rules, services
from clauses.followup.models import Assignment
from clauses.markets.models import LotContractor
from tests.followup.conftest import D
from tests.followup.test_views import login_as

pytestmark = pytest.mark.django_db


def test_uncovered_start_rule():
    windows = [(D(2026, 2, 1), None)]
    assert rules.uncovered_start(D(2026, 1, 5), None, windows) == (D(2026, 1, 5), D(2026, 1, 31))
    assert rules.uncovered_start(D(2026, 2, 1), None, windows) is None
    assert rules.uncovered_start(D(2026, 1, 5), D(2026, 1, 20), windows) == (
        D(2026, 1, 5),
        D(2026, 1, 20),
    )
    assert rules.uncovered_start(D(2026, 1, 5), None, []) == (D(2026, 1, 5), None)
    assert rules.uncovered_start(D(2026, 3, 5), None, [(D(2026, 1, 1), D(2026, 2, 28))]) == (
        D(2026, 3, 5),
        None,
    )
    assert rules.estimated_hours((D(2026, 1, 5), D(2026, 1, 31)), 35) == 135


ASSESSED = D(2026, 2, 1)


def _validated(fw, participant, on=ASSESSED, **kwargs):
    return services.validate_eligibility(
        actor=fw.actor("facilitator"),
        participant=participant,
        criteria_codes=["qpv_resident"],
        proof_kind="residence_proof",
        proof_date=kwargs.pop("proof_date", D(2026, 1, 10)),
        on=on,
        **kwargs,
    )


def test_assignment_form_warns_before_and_asks_to_confirm(client, fw):
    participant = fw.participant()
    _validated(fw, participant)
    login_as(client, fw, "facilitator")
    url = reverse("followup:assign", kwargs={"pk": participant.pk})
    page = client.get(url).content.decode()
    assert "Éligibilité de la personne : à partir du 01/02/2026" in page
    own = LotContractor.objects.get(lot=fw.lot, organisation=fw.company_b)
    data = {
        "lot_contractor": own.pk,
        "modality": "etti",
        "start_date": "2026-01-05",
        "weekly_hours": "35",
    }
    page = client.post(url, data).content.decode()
    expected = (
        "La mission commence le 05/01/2026, avant l&#x27;éligibilité de la personne (validée à "
        "partir du 01/02/2026) : les heures faites du 05/01/2026 au 31/01/2026 ne compteront "
        "pas (environ 135 h à 35 h par semaine)."
    )
    assert expected in page and "Enregistrer quand même" in page
    assert not Assignment.objects.filter(participant=participant).exists()
    response = client.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("ne compteront pas" in text for text in texts)
    assert Assignment.objects.filter(participant=participant).exists()
    page = client.get(response.url).content.decode()
    assert "les heures faites du 05/01/2026 au 31/01/2026 ne compteront pas" in page


def test_a_mission_within_eligibility_is_recorded_without_warning(client, fw):
    participant = fw.participant()
    _validated(fw, participant)
    login_as(client, fw, "facilitator")
    url = reverse("followup:assign", kwargs={"pk": participant.pk})
    own = LotContractor.objects.get(lot=fw.lot, organisation=fw.company_b)
    response = client.post(
        url, {"lot_contractor": own.pk, "modality": "etti", "start_date": "2026-02-02"}
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["La mission est enregistrée."]


def test_validation_form_warns_when_work_began_before(client, fw):
    participant = fw.participant()
    fw.assign(participant, start_date=D(2026, 1, 5))
    login_as(client, fw, "facilitator")
    url = reverse("followup:validate", kwargs={"pk": participant.pk})
    page = client.post(url, {"assessment_date": "2026-02-01", "assess": "1"}).content.decode()
    assert "les heures faites du 05/01/2026 au 31/01/2026 ne compteront pas" in page
    assert "Éligibilité à compter du" in page
    # starting the eligibility at the proof's date (before the work): no warning any more
    page = client.post(
        url, {"assessment_date": "2026-02-01", "valid_from": "2026-01-05", "assess": "1"}
    ).content.decode()
    assert "ne compteront pas" not in page


def test_retroactive_start_from_the_proof_date_with_a_reason_audited(fw):
    participant = fw.participant()
    fw.assign(participant, start_date=D(2026, 1, 5))
    with pytest.raises(ValidationError, match="Indiquez pourquoi"):
        _validated(fw, participant, valid_from=D(2026, 1, 10))
    with pytest.raises(ValidationError, match="avant la date du justificatif"):
        _validated(fw, participant, valid_from=D(2026, 1, 5), backdating_reason="Urgence")
    with pytest.raises(ValidationError, match="après la date d"):
        _validated(fw, participant, valid_from=D(2026, 3, 1))
    validation = _validated(
        fw,
        participant,
        proof_date=D(2026, 1, 3),
        valid_from=D(2026, 1, 5),
        backdating_reason="Recrutement en urgence, attestation datée du 3 janvier",
    )
    assert validation.valid_from == D(2026, 1, 5)
    assert validation.backdating_reason.startswith("Recrutement en urgence")
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE,
        object_id=str(validation.pk),
        details__backdated_from__isnull=False,
    )
    assert event.details["backdated_from"] == "2026-01-05"
    assert event.details["assessed_on"] == "2026-02-01"
    assert event.details["proof_date"] == "2026-01-03"

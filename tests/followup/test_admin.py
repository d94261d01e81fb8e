"""The follow-up admin: the referential is editable, participants are read-only for
superusers only, every opening of a participant is audited, lists stay within a budget;
`load_eligibility_criteria` is part of `load_reference` and idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.access.enums import AuditAction
from clauses.accounts.models import AuditEvent, User
from clauses.followup.models import EligibilityCriterion
from clauses.site.management.commands.load_reference import REFERENCE_COMMANDS

pytestmark = pytest.mark.django_db


def _logged_in(client, user):
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(client):
    return _logged_in(
        client, User.objects.create_superuser(email="admin@demo.clauses.example", password="x")
    )


@pytest.mark.parametrize(
    "model",
    [
        "eligibilitycriterion",
        "participant",
        "eligibilityvalidation",
        "assignment",
        "outcome",
        "position",
        "candidate",
    ],
)
def test_changelists_load_within_budget(admin_client, fw, model, django_assert_max_num_queries):
    for index in range(6):
        fw.assign(fw.participant(f"Prénom{index}", f"Liste{index}"))
    with django_assert_max_num_queries(15):
        response = admin_client.get(reverse(f"admin:followup_{model}_changelist"))
    assert response.status_code == 200


def test_participant_change_view_is_read_only_and_audited(admin_client, fw):
    participant = fw.participant("Zoé", "Dupré")
    fw.assign(participant)
    url = reverse("admin:followup_participant_change", args=[participant.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dupré" in page and fw.company_a.name in page
    assert 'name="_save"' not in page  # read-only
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(participant.pk))
    assert event.details == {"via": "admin"}
    assert admin_client.get(reverse("admin:followup_participant_add")).status_code == 403


def test_participants_are_for_superusers_only(client, fw):
    participant = fw.participant()
    staff = User.objects.create_user(email="staff@exemple.fr", password="x", is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="followup"))
    _logged_in(client, staff)
    url = reverse("admin:followup_participant_change", args=[participant.pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:followup_participant_changelist")).status_code == 403
    assert client.get(reverse("admin:followup_eligibilitycriterion_changelist")).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_territory_adds_its_version_of_a_criterion(admin_client, fw):
    from clauses.territories.models import Department

    national = EligibilityCriterion.objects.get(code="qpv_resident", department__isnull=True)
    response = admin_client.post(
        reverse("admin:followup_eligibilitycriterion_add"),
        {
            "code": national.code,
            "label": "Habitant·e d'un QPV de Seine-Saint-Denis",
            "group": national.group,
            "order": national.order,
            "source": "Liste départementale 93",
            "department": Department.objects.get(code="93").pk,
            "version": 1,
            "valid_from": "2026-01-01",
            "proof_kinds": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EligibilityCriterion.objects.filter(code="qpv_resident").count() == 2


def test_load_reference_loads_the_criteria_idempotently():
    assert "load_eligibility_criteria" in REFERENCE_COMMANDS
    assert "load_qpv" not in REFERENCE_COMMANDS
    row = EligibilityCriterion.objects.get(code="qpv_resident", department__isnull=True)
    row.label = "Libellé modifié"
    row.save()
    out = StringIO()
    call_command("load_eligibility_criteria", wet_run=False, stdout=out)
    assert "~ qpv_resident" in out.getvalue() and "0 ajouté(s), 1 modifié(s)" in out.getvalue()
    row.refresh_from_db()
    assert row.label == "Libellé modifié"  # dry run
    call_command("load_eligibility_criteria", wet_run=True, stdout=StringIO())
    row.refresh_from_db()
    assert row.label != "Libellé modifié"
    out = StringIO()
    call_command("load_eligibility_criteria", wet_run=True, stdout=out)
    assert "0 ajouté(s), 0 modifié(s)" in out.getvalue()

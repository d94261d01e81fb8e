"""The network admin: pages load within a query budget, and a change is kept in history."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.accounts.models import User
from clauses.network.models import Coordination
from tests.network.factories import (
    FacilitatorFactory,
    FacilitatorStructureFactory,
    PartnerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return User.objects.create_superuser(email="admin@demo.clauses.example", password="x")


@pytest.fixture
def admin_client(client, admin_user):
    """A superuser logged in with the second factor done (the admin requires it)."""
    client.force_login(admin_user)
    device = TOTPDevice.objects.create(user=admin_user, name="Test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def form_data(response) -> dict:
    """The POST data of an admin change form as the browser would send it unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = getattr(value, "pk", value)
    return data


@pytest.mark.parametrize(
    "model", ["coordination", "facilitatorstructure", "facilitator", "partner"]
)
def test_changelists_load_without_n_plus_one(admin_client, model, django_assert_max_num_queries):
    structure = FacilitatorStructureFactory()
    FacilitatorFactory.create_batch(5, structure=structure)
    PartnerFactory.create_batch(3)
    with django_assert_max_num_queries(15):
        response = admin_client.get(reverse(f"admin:network_{model}_changelist"))
    assert response.status_code == 200


def test_changelist_filters_by_department(admin_client):
    structure = FacilitatorStructureFactory(name="Structure filtrée 93")
    FacilitatorFactory(structure=structure, last_name="Filtré")
    url = reverse("admin:network_facilitator_changelist")
    assert "Filtré" in admin_client.get(url, {"departement": "93"}).text
    assert "Filtré" not in admin_client.get(url, {"departement": "75"}).text


def test_admin_change_is_recorded_with_who_and_what(admin_client, admin_user):
    facilitator = FacilitatorFactory(phone="01 99 00 00 01")
    url = reverse("admin:network_facilitator_change", args=[facilitator.pk])
    data = form_data(admin_client.get(url))
    data["phone"] = "01 99 00 00 02"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    last, previous = facilitator.history.all()[:2]
    assert last.history_user == admin_user
    assert last.history_type == "~"
    delta = last.diff_against(previous)
    assert delta.changed_fields == ["phone"]
    assert (delta.changes[0].old, delta.changes[0].new) == ("01 99 00 00 01", "01 99 00 00 02")
    history = admin_client.get(reverse("admin:network_facilitator_history", args=[facilitator.pk]))
    assert history.status_code == 200
    assert "admin@demo.clauses.example" in history.text


def test_coordination_change_through_admin_keeps_history(admin_client, admin_user):
    regional = Coordination.objects.regional().get()
    url = reverse("admin:network_coordination_change", args=[regional.pk])
    data = form_data(admin_client.get(url))
    data["phone"] = "01 99 00 11 22"
    assert admin_client.post(url, data).status_code == 302
    last, previous = regional.history.all()[:2]
    assert last.history_user == admin_user
    assert last.diff_against(previous).changed_fields == ["phone"]
    regional.refresh_from_db()
    assert regional.desk_email == "macs@maximilien.fr"  # untouched


def test_autocomplete_of_coverage_searches_communes(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Saint-Denis",
            "app_label": "network",
            "model_name": "facilitatorstructure",
            "field_name": "communes",
        },
    )
    assert response.status_code == 200
    assert "Saint-Denis" in response.text


def test_reference_tables_are_read_only(admin_client):
    assert admin_client.get(reverse("admin:territories_commune_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:territories_commune_add")).status_code == 403

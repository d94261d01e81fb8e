"""One journal family (#16.3): every journal is a `JournalEntry` with the same field names,
append-only (no update, no delete outside the named RGPD paths), and nothing but the
network's admin uses django-simple-history."""

import pytest
from django.apps import apps

from clauses.core.models import JournalEntry

JOURNALS = sorted(
    (m for m in apps.get_models() if issubclass(m, JournalEntry)), key=lambda m: m._meta.label
)
COMMON_FIELDS = {"created_at", "actor_user", "actor_repr", "details"}


def test_the_five_journals_are_one_family():
    assert {m._meta.label for m in JOURNALS} >= {
        "accounts.AuditEvent",
        "accounts.LoginEvent",
        "desk.RequestEvent",
        "markets.MarketEvent",
        "hours.DeclarationEvent",
    }


@pytest.mark.parametrize("model", JOURNALS, ids=lambda m: m._meta.label)
def test_same_field_names(model):
    assert COMMON_FIELDS <= {f.name for f in model._meta.get_fields()}


@pytest.mark.parametrize("model", JOURNALS, ids=lambda m: m._meta.label)
def test_append_only(model):
    with pytest.raises(PermissionError):
        model.objects.none().update(actor_repr="réécrit")
    with pytest.raises(PermissionError):
        model.objects.none().delete()
    line = model()
    line._state.adding = False  # an existing line
    with pytest.raises(PermissionError):
        line.save()
    with pytest.raises(PermissionError):
        line.delete()


def test_simple_history_is_only_for_the_network_admin():
    historical = {
        m._meta.app_label for m in apps.get_models() if m.__name__.startswith("Historical")
    }
    assert historical == {"network"}

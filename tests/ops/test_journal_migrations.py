"""The audit trail's move from access to accounts, and the scrubbing of names, on a database
with rows (#16.3, #11.4): every row is kept, `changes` becomes `details`, the API token's
number survives the token, the login journal keeps its user, and people are named by number."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Migrating back and forth takes minutes: an operations test (make test-ops, PostgreSQL).
pytestmark = [pytest.mark.ops, pytest.mark.django_db(transaction=True)]

BEFORE = [
    ("access", "0001_initial"),
    ("accounts", "0002_organisations_memberships_invitations"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_the_audit_trail_moves_down_with_its_rows_and_loses_the_names():
    leaves = _leaves()
    old = _migrate(BEFORE)
    user = old.get_model("accounts", "User").objects.create(email="agent@ville.fr")
    organisation = old.get_model("accounts", "Organisation").objects.create(
        name="Ville", kind="buyer"
    )
    token = old.get_model("access", "ApiToken").objects.create(
        organisation=organisation, name="t", role="buyer_agent", prefix="abcdefgh", token_hash="h"
    )
    content_types = old.get_model("contenttypes", "ContentType").objects
    participant_type, _ = content_types.get_or_create(app_label="followup", model="participant")
    events = old.get_model("access", "AuditEvent").objects
    kept = events.create(
        action="update",
        actor_user=user,
        actor_token=token,
        actor_organisation=organisation,
        organisation=organisation,
        object_id="7",
        object_repr="Ville",
        changes={"name": ["A", "B"]},
        ip="192.0.2.1",
    )
    named = events.create(
        action="view",
        content_type=participant_type,
        object_id="48",
        object_repr="Lou Quenouillard",
        changes={"via": "page", "note": "Lou Quenouillard, née le 14/07/1980"},
    )
    old.get_model("accounts", "LoginEvent").objects.create(
        user=user, email="agent@ville.fr", success=True, reason="success"
    )

    new = _migrate(leaves)
    AuditEvent = new.get_model("accounts", "AuditEvent")
    assert AuditEvent.objects.count() == 2
    moved = AuditEvent.objects.get(pk=kept.pk)
    assert moved.details == {"name": ["A", "B"]} and moved.ip == "192.0.2.1"
    assert moved.actor_user_id == user.pk and moved.actor_token_id == token.pk
    assert moved.organisation_id == moved.actor_organisation_id == organisation.pk
    scrubbed = AuditEvent.objects.get(pk=named.pk)
    assert scrubbed.object_repr == "Participant n° 48"
    assert scrubbed.details == {"via": "page"}
    login = new.get_model("accounts", "LoginEvent").objects.get()
    assert login.actor_user_id == user.pk and login.details == {}
    new.get_model("access", "ApiToken").objects.all().delete()
    assert AuditEvent.objects.get(pk=kept.pk).actor_token_id == token.pk
    assert (
        new.get_model("contenttypes", "ContentType")
        .objects.filter(app_label="accounts", model="auditevent")
        .count()
        <= 1
    )

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clauses.access import audit, demo, policies
from clauses.access.actors import ANONYMOUS, actor_for_membership, actor_for_request
from clauses.access.enums import AuditAction
from clauses.access.models import ApiToken
from clauses.accounts.models import AuditEvent, Department, LoginEvent
from clauses.network.enums import CoordinationLevel
from tests.access.conftest import World
from tests.access.helpers import login
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.network.factories import FacilitatorStructureFactory

# -- the actor's scope -----------------------------------------------------------------


def test_scope_nests_local_in_departmental_in_regional(world: World):
    s93, s75 = world.structures["own"], world.structures["other"]
    direct93 = FacilitatorStructureFactory(coordination=world.coordinations["dep93"])
    local = world.actor("local_coordinator")
    departmental = world.actor("departmental_coordinator")
    regional = world.actor("regional_coordinator")
    national = world.actor("national_coordinator")
    # Actors were built before direct93: rebuild the departmental and regional ones.
    departmental = actor_for_membership(world.memberships["departmental_coordinator"])
    regional = actor_for_membership(world.memberships["regional_coordinator"])
    assert local.structure_ids == {s93.pk}
    assert departmental.structure_ids == {s93.pk, direct93.pk}
    assert {s93.pk, direct93.pk, s75.pk} <= regional.structure_ids
    assert national.structure_ids == frozenset() and national.is_national
    assert departmental.department_codes == {"93"} and departmental.covers_whole_departments
    assert local.department_codes == {"93"} and not local.covers_whole_departments
    assert {"75", "77", "78", "91", "92", "93", "94", "95"} <= regional.department_codes
    assert world.coordinations["local93"].pk in departmental.coordination_ids
    assert world.coordinations["dep75"].pk not in departmental.coordination_ids
    assert departmental.coordination_level == CoordinationLevel.DEPARTMENTAL


def test_personal_data_hook(world: World):
    s93, s75 = world.structures["own"], world.structures["other"]
    d93, d75 = Department.objects.get(code="93"), Department.objects.get(code="75")
    expected = {
        # role:                    s93    s75    dep 93 dep 75
        "facilitator":              (True, False, False, False),
        "local_coordinator":        (True, False, False, False),
        "departmental_coordinator": (True, False, True, False),
        "regional_coordinator":     (True, True, True, True),
        "national_coordinator":     (False, False, False, False),
        "platform_admin":           (False, False, False, False),
        "buyer_org_admin":          (False, False, False, False),
        "company_contact":          (False, False, False, False),
        "partner":                  (False, False, False, False),
        "anonymous":                (False, False, False, False),
    }  # fmt: skip
    for role, row in expected.items():
        actor = world.actor(role)
        actual = tuple(policies.can_view_personal_data(actor, t) for t in (s93, s75, d93, d75))
        assert actual == row, role
        assert policies.can_view_personal_data(actor, "93") == row[2], role


def test_membership_not_in_force_gives_no_role(world: World):
    membership = world.memberships["departmental_coordinator"]
    membership.is_confirmed = False
    membership.save()
    actor = actor_for_membership(membership)
    assert actor.is_authenticated and actor.role is None and actor.organisation_id is None
    assert not policies.visible_organisations(actor).exists()
    assert not policies.visible_structures(actor).exists()


def test_actor_for_request_ignores_someone_elses_membership(world: World):
    request = RequestFactory().get("/")
    request.user = world.memberships["buyer_agent"].user
    request.membership = world.memberships["platform_admin"]
    actor = actor_for_request(request)
    assert actor.role is None and not actor.is_platform_admin
    anonymous = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    anonymous.user = AnonymousUser()
    assert actor_for_request(anonymous) is ANONYMOUS


def test_an_actor_is_built_in_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    membership = world.memberships["regional_coordinator"]
    with django_assert_max_num_queries(6):
        actor_for_membership(membership)


# -- the audit trail -------------------------------------------------------------------


def test_record_fills_who_what_where(world: World):
    actor = world.actor("departmental_coordinator")
    membership = world.colleagues[world.organisations["structure93"].pk]
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")
    event = audit.record(
        actor, AuditAction.UPDATE, membership, changes={"rôle": ["a", "b"]}, request=request
    )
    assert event.actor_user_id == actor.user_id
    assert event.actor_organisation_id == actor.organisation_id
    assert event.organisation == membership.organisation
    assert event.territory == "93"
    assert event.object_id == str(membership.pk)
    assert event.ip == "198.51.100.4"
    assert event in policies.visible_audit_events(actor)
    assert event not in policies.visible_audit_events(world.actor("national_coordinator"))
    # one keyword-only record() (#16.3): what changed is named, never passed by position
    with pytest.raises(TypeError):
        audit.record(actor, AuditAction.UPDATE, membership, {"rôle": ["a", "b"]})  # type: ignore[misc]


def test_the_actor_carries_the_ip_so_services_need_no_request(world: World):
    membership = world.memberships["departmental_coordinator"]
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")
    request.user = membership.user
    request.membership = membership
    actor = actor_for_request(request)
    assert actor.ip == "198.51.100.7"
    event = audit.record(actor, AuditAction.VIEW, membership.organisation)
    assert event.ip == "198.51.100.7"


def test_journal_fills_the_actor_of_any_journal(world: World):
    actor = world.actor("departmental_coordinator")
    line = audit.journal(LoginEvent, actor, email="x@y.fr", success=True, reason="success")
    assert (line.actor_user_id, line.actor_repr) == (actor.user_id, actor.label)
    assert audit.journal(LoginEvent, None, email="", success=False, reason="x").actor_repr == (
        "Plateforme"
    )


def test_audit_events_are_append_only(world: World):
    event = world.events["own"]
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_deleting_a_token_keeps_its_events(world: World):
    token = world.tokens[world.organisations["buyer93"].pk]
    event = audit.record(world.actor("buyer_org_admin"), AuditAction.REVOKE, token)
    token.delete()
    event.refresh_from_db()
    assert event.content_type is not None and event.object_repr


def test_journal_filters_and_query_budget(world: World, client, django_assert_max_num_queries):
    admin = world.memberships["platform_admin"]
    for _n in range(60):
        audit.record(
            world.actor("buyer_org_admin"), AuditAction.VIEW, world.organisations["buyer93"]
        )
    old = audit.record(world.actor("platform_admin"), AuditAction.EXPORT, world.structures["own"])
    # Backdated through the base manager: the application's querysets refuse updates.
    AuditEvent._base_manager.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    login(client, admin)
    url = reverse("access:audit")
    client.get(url)  # warm up the session and the content types
    with django_assert_max_num_queries(12):
        page1 = client.get(url)
    assert page1.status_code == 200
    assert page1.context["page"].paginator.count == 63
    assert len(page1.context["events"]) == 50
    with django_assert_max_num_queries(12):
        page2 = client.get(url, {"page": 2})
    assert len(page2.context["events"]) == 13
    exports = client.get(url, {"action": "export"})
    assert [e.pk for e in exports.context["events"]] == [old.pk]
    recent = client.get(url, {"start": (timezone.localdate() - timedelta(days=1)).isoformat()})
    assert old.pk not in [e.pk for e in recent.context["events"]]
    by_user = client.get(url, {"user": "buyer-org-admin@"})
    assert by_user.context["page"].paginator.count == 60


def test_admin_pages_go_through_the_policies(world: World, client):
    coordinator = world.memberships["departmental_coordinator"]
    coordinator.user.is_staff = True
    coordinator.user.is_superuser = False
    coordinator.user.save()
    from django.contrib.auth.models import Permission

    coordinator.user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_auditevent", "view_apitoken"])
    )
    login(client, coordinator)
    response = client.get(reverse("admin:accounts_auditevent_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Événement de Saint-Denis" in content and "Événement de Paris" not in content
    response = client.get(reverse("admin:access_apitoken_changelist"))
    assert response.context["cl"].result_count == 0


# -- demo ------------------------------------------------------------------------------


def test_demo_tokens_only_in_demo_mode(world: World, settings):
    user = UserFactory(email="acheteur@demo.clauses.example")
    MembershipFactory(user=user, organisation=OrganisationFactory(as_buyer=True))
    settings.DEMO_MODE = False
    demo.seed(stdout=_Null())
    assert not ApiToken.objects.filter(is_demo=True).exists()
    assert demo.demo_tokens() == {}
    settings.DEMO_MODE = True
    demo.seed(stdout=_Null())
    demo.seed(stdout=_Null())  # idempotent
    assert demo.demo_tokens() == {"acheteur@demo.clauses.example": "clauses_demo_acheteur"}
    assert ApiToken.objects.filter(is_demo=True).count() == 1


def test_demo_accounts_prints_the_tokens(world: World, settings, capsys):
    settings.DEMO_MODE = True
    user = UserFactory(email="acheteur@demo.clauses.example")
    MembershipFactory(user=user, organisation=OrganisationFactory(as_buyer=True))
    demo.seed(stdout=_Null())
    call_command("demo_accounts")
    assert "clauses_demo_acheteur" in capsys.readouterr().out


class _Null:
    def write(self, text: str) -> None:
        pass


def test_territory_of_follows_structures_and_coordinations(world: World):
    s93 = world.structures["own"]
    fresh93 = FacilitatorStructureFactory(coordination=world.coordinations["dep93"])
    structure_org = OrganisationFactory(as_structure=True, structure=fresh93)
    assert audit.territory_of(s93) == "93"
    assert audit.territory_of(structure_org) == "93"  # through Organisation.structure
    assert audit.territory_of(world.coordinations["local93"]) == "93"  # through its parent
    assert audit.territory_of(world.structures["other"]) == "75"
    assert audit.territory_of(None) == ""

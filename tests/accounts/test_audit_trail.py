"""Every sensitive change of accounts leaves an event in the audit trail (clauses.access)."""

import pytest

from clauses.accounts import services
from clauses.accounts.enums import Role
from clauses.accounts.models import AuditEvent
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_invitation_sent_accepted_and_revoked_are_audited(mailoutbox):
    admin = MembershipFactory(is_organisation_admin=True)
    invitation, _raw = services.send_invitation(
        organisation=admin.organisation,
        email="nouvelle@example.org",
        role=admin.role,
        invited_by=admin.user,
        base_url="https://clauses.example",
    )
    [created] = events("create")
    assert created.actor_user_id == admin.user.pk
    assert created.object_id == str(invitation.pk)
    assert created.organisation_id == admin.organisation_id
    services.revoke_invitation(invitation=invitation, by=admin.user)
    [revoked] = events("revoke")
    assert revoked.object_id == str(invitation.pk)

    second, _raw = services.send_invitation(
        organisation=admin.organisation,
        email="autre@example.org",
        role=admin.role,
        invited_by=admin.user,
        base_url="https://clauses.example",
    )
    newcomer = UserFactory(email="autre@example.org")
    membership = services.accept_invitation(invitation=second, user=newcomer)
    assert AuditEvent.objects.filter(
        action="create", object_id=str(membership.pk), actor_user=newcomer
    ).exists()


def test_role_change_and_removal_record_before_and_after():
    admin = MembershipFactory(is_organisation_admin=True)
    member = MembershipFactory(organisation=admin.organisation, role=admin.role)
    services.change_role(
        membership=member, role=member.role, is_organisation_admin=True, by=admin.user
    )
    [update] = events("update")
    assert update.details["is_organisation_admin"] == [False, True]
    services.end_membership(membership=member, by=admin.user)
    [delete] = events("delete")
    assert delete.object_id == str(member.pk)


def test_deactivation_and_confirmation_are_audited():
    coordinator = MembershipFactory(
        organisation=OrganisationFactory(as_coordination=True), role=Role.COORDINATOR
    )
    buyer = OrganisationFactory(as_buyer=True, unconfirmed=True)
    services.confirm_organisation(organisation=buyer, by=coordinator.user)
    [confirm] = events("confirm")
    assert confirm.organisation_id == buyer.pk
    assert confirm.territory == buyer.department.code

    user = MembershipFactory().user
    services.deactivate_user(user=user, by=coordinator.user)
    assert AuditEvent.objects.filter(
        action="update", object_id=str(user.pk), details__is_active=[True, False]
    ).exists()

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clauses.accounts import services
from clauses.accounts.enums import Role
from clauses.accounts.models import Invitation, Membership, User
from tests.accounts.conftest import login_verified
from tests.accounts.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-mot-de-passe-solide-2026"


def accept_url(invitation):
    return reverse("accounts:invitation", args=[invitation.raw_token])


def test_org_admin_sends_invitation(client):
    admin = MembershipFactory(is_organisation_admin=True)
    client.force_login(admin.user)
    response = client.post(
        reverse("accounts:invite"), {"email": "Collegue@Ville.fr", "role": Role.BUYER_AGENT}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "collegue@ville.fr"
    assert invitation.organisation == admin.organisation
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["collegue@ville.fr"]
    assert "/compte/invitation/" in message.body
    # Only the hash is stored: the token of the link is not in the database.
    raw = message.body.split("/compte/invitation/")[1].split("/")[0]
    assert raw not in invitation.token_hash
    assert services.find_invitation(raw) == invitation


def test_non_admin_cannot_invite(client):
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("accounts:invite")).status_code == 403


def test_coordinator_invites_facilitator_of_its_territory(client):
    coordinator = MembershipFactory(organisation=OrganisationFactory(as_coordination=True))
    structure_org = OrganisationFactory(as_structure=True)
    structure_org.structure.coordination = coordinator.organisation.coordination
    structure_org.structure.save()
    login_verified(client, coordinator.user)
    response = client.post(
        reverse("accounts:invite"),
        {"structure": structure_org.structure.pk, "email": "fac@mde.fr", "role": Role.FACILITATOR},
    )
    assert response.status_code == 302, response.content.decode()
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.role) == (structure_org, Role.FACILITATOR)


def test_new_user_accepts(client):
    invitation = InvitationFactory(organisation=OrganisationFactory(), role=Role.BUYER_AGENT)
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    response = client.post(
        accept_url(invitation),
        {
            "first_name": "Awa",
            "last_name": "Diallo",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email=invitation.email)
    assert user.check_password(NEW_PASSWORD)
    assert Membership.objects.active().get(user=user).organisation == invitation.organisation
    invitation.refresh_from_db()
    assert invitation.accepted_at and invitation.accepted_by == user


def test_existing_user_logs_in_then_accepts(client):
    user = UserFactory(email="deja@ville.fr")
    invitation = InvitationFactory(
        email="deja@ville.fr", organisation=OrganisationFactory(), role=Role.BUYER_AGENT
    )
    page = client.get(accept_url(invitation)).content.decode()
    assert "connectez-vous" in page
    client.force_login(user)
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, organisation=invitation.organisation).exists()


def test_other_logged_in_user_cannot_accept(client):
    invitation = InvitationFactory(organisation=OrganisationFactory(), role=Role.BUYER_AGENT)
    client.force_login(MembershipFactory().user)
    response = client.post(accept_url(invitation))
    assert "Cette invitation est adressée à" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None


def test_reuse_is_refused(client):
    invitation = InvitationFactory(organisation=OrganisationFactory(), role=Role.BUYER_AGENT)
    services.accept_invitation(invitation=invitation, user=UserFactory(email=invitation.email))
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert "Cette invitation a déjà été utilisée." in response.content.decode()


def test_expired(client):
    invitation = InvitationFactory(
        organisation=OrganisationFactory(),
        role=Role.BUYER_AGENT,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert "Cette invitation a expiré." in response.content.decode()


def test_default_expiry(settings):
    settings.CLAUSES_INVITATION_DAYS = 3
    invitation = InvitationFactory()
    assert (invitation.expires_at - timezone.now()).days == 2  # 3 days minus a few µs


def test_revoke(client):
    admin = MembershipFactory(is_organisation_admin=True)
    invitation = InvitationFactory(organisation=admin.organisation, role=Role.BUYER_AGENT)
    client.force_login(admin.user)
    assert invitation.email in client.get(reverse("accounts:members")).content.decode()
    response = client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert "Cette invitation a été annulée." in response.content.decode()


def test_cannot_revoke_invitation_of_another_organisation(client):
    admin = MembershipFactory(is_organisation_admin=True)
    other = InvitationFactory(organisation=OrganisationFactory(), role=Role.BUYER_AGENT)
    client.force_login(admin.user)
    response = client.post(reverse("accounts:invitation_revoke", args=[other.pk]))
    assert response.status_code == 404


def test_wrong_token_is_404(client):
    InvitationFactory()
    assert client.get(reverse("accounts:invitation", args=["pas-un-jeton"])).status_code == 404

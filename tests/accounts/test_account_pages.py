import pytest
from django.core import mail
from django.urls import reverse

from clauses.accounts import services
from clauses.accounts.enums import BuyerCategory, OrganisationKind, Role
from clauses.accounts.memberships import SESSION_KEY
from clauses.accounts.models import Membership, Organisation, User
from clauses.territories.models import Department
from tests.accounts.conftest import login_verified
from tests.accounts.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    valid_siret,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-mot-de-passe-solide-2026"


def signup_data(**overrides):
    data = {
        "email": "agent@demo-ville.fr",
        "first_name": "Nadia",
        "last_name": "Benali",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "organisation_name": "Ville de Bondy",
        "siret": valid_siret(),
        "buyer_category": BuyerCategory.COMMUNE,
        "department": Department.objects.get(code="93").pk,
    }
    return {**data, **overrides}


class TestSignUpAndConfirmation:
    def test_sign_up_creates_unconfirmed_organisation(self, client):
        response = client.post(reverse("accounts:signup"), signup_data())
        assert response.status_code == 302
        user = User.objects.get(email="agent@demo-ville.fr")
        membership = Membership.objects.get(user=user)
        assert membership.is_organisation_admin and membership.role == Role.BUYER_AGENT
        assert membership.organisation.is_confirmed is False
        page = client.get(reverse("accounts:account")).content.decode()
        assert "attend la confirmation de la coordination" in page

    def test_bad_siret(self, client):
        response = client.post(reverse("accounts:signup"), signup_data(siret="73282932000075"))
        assert "La clé de contrôle du SIRET est incorrecte." in response.content.decode()
        assert not User.objects.exists()

    def test_existing_siret_joins_as_pending(self, client):
        organisation = OrganisationFactory()
        client.post(reverse("accounts:signup"), signup_data(siret=organisation.siret))
        membership = Membership.objects.get(user__email="agent@demo-ville.fr")
        assert membership.organisation == organisation
        assert membership.is_confirmed is False and not membership.is_organisation_admin
        assert Organisation.objects.filter(kind=OrganisationKind.BUYER).count() == 1

    def test_coordinator_of_the_departement_confirms(self, client):
        client.post(reverse("accounts:signup"), signup_data())
        client.logout()
        organisation = Organisation.objects.get(is_confirmed=False)
        coordinator = MembershipFactory(
            organisation=OrganisationFactory(
                as_coordination=True, department=Department.objects.get(code="93")
            )
        )
        login_verified(client, coordinator.user)
        page = client.get(reverse("accounts:confirmations")).content.decode()
        assert organisation.name in page
        response = client.post(reverse("accounts:confirm_organisation", args=[organisation.pk]))
        assert response.status_code == 302
        organisation.refresh_from_db()
        assert organisation.is_confirmed and organisation.confirmed_by == coordinator.user
        assert mail.outbox[-1].to == ["agent@demo-ville.fr"]

    def test_coordinator_of_another_departement_cannot(self, client):
        client.post(reverse("accounts:signup"), signup_data())
        client.logout()
        organisation = Organisation.objects.get(is_confirmed=False)
        coordinator = MembershipFactory(
            organisation=OrganisationFactory(
                as_coordination=True, department=Department.objects.get(code="75")
            )
        )
        login_verified(client, coordinator.user)
        assert (
            organisation.name not in client.get(reverse("accounts:confirmations")).content.decode()
        )
        response = client.post(reverse("accounts:confirm_organisation", args=[organisation.pk]))
        assert response.status_code == 404

    def test_buyer_cannot_open_confirmations(self, client):
        client.force_login(MembershipFactory().user)
        assert client.get(reverse("accounts:confirmations")).status_code == 403


class TestEmailChange:
    def test_confirmation_sent_to_new_address_and_old_notified(self, client):
        user = UserFactory(email="ancienne@ville.fr")
        MembershipFactory(user=user)
        client.force_login(user)
        response = client.post(
            reverse("accounts:email_change"),
            {"new_email": "nouvelle@ville.fr", "password": PASSWORD},
        )
        assert response.status_code == 302
        assert mail.outbox[-1].to == ["nouvelle@ville.fr"]
        user.refresh_from_db()
        assert user.email == "ancienne@ville.fr"  # not before the confirmation
        link = next(
            line for line in mail.outbox[-1].body.splitlines() if "/adresse/confirmer/" in line
        )
        path = link[link.index("/compte/") :]
        assert client.get(path).status_code == 200
        client.post(path)
        user.refresh_from_db()
        assert user.email == "nouvelle@ville.fr"
        assert mail.outbox[-1].to == ["ancienne@ville.fr"]
        # Single use.
        response = client.post(path)
        assert "plus valable" in response.content.decode()

    def test_wrong_password(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(
            reverse("accounts:email_change"), {"new_email": "x@ville.fr", "password": "non"}
        )
        assert "Mot de passe incorrect." in response.content.decode()
        assert not mail.outbox


def test_password_reset_email(client):
    UserFactory(email="oubli@ville.fr")
    response = client.post(reverse("accounts:password_reset"), {"email": "oubli@ville.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Choisissez un nouveau mot de passe"
    link = next(line for line in message.body.splitlines() if "/mot-de-passe/nouveau/" in line)
    path = link[link.index("/compte/") :]
    response = client.get(path, follow=True)
    assert "Nouveau mot de passe" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(email="oubli@ville.fr").check_password(NEW_PASSWORD)


class TestMembershipSwitcher:
    def test_defaults_to_first_and_switches(self, client):
        user = UserFactory()
        first = MembershipFactory(user=user, organisation=OrganisationFactory(name="A ville"))
        second = MembershipFactory(user=user, organisation=OrganisationFactory(name="B ville"))
        client.force_login(user)
        response = client.get(reverse("accounts:organisations"))
        assert response.wsgi_request.membership == first
        assert "Agir pour cette organisation" in response.content.decode()
        client.post(reverse("accounts:organisations"), {"membership": second.pk})
        assert client.session[SESSION_KEY] == second.pk
        response = client.get(reverse("accounts:organisations"))
        assert response.wsgi_request.membership == second

    def test_cannot_switch_to_someone_elses_membership(self, client):
        user = MembershipFactory().user
        other = MembershipFactory()
        client.force_login(user)
        response = client.post(reverse("accounts:organisations"), {"membership": other.pk})
        assert response.status_code == 404

    def test_ended_membership_falls_back(self, client):
        user = UserFactory()
        first = MembershipFactory(user=user, organisation=OrganisationFactory(name="A ville"))
        second = MembershipFactory(user=user, organisation=OrganisationFactory(name="B ville"))
        client.force_login(user)
        client.post(reverse("accounts:organisations"), {"membership": second.pk})
        services.end_membership(membership=second, by=None)
        response = client.get(reverse("accounts:organisations"))
        assert response.wsgi_request.membership == first


class TestMembers:
    def test_non_admin_forbidden(self, client):
        client.force_login(MembershipFactory().user)
        assert client.get(reverse("accounts:members")).status_code == 403

    def test_admin_lists_changes_role_and_removes(self, client):
        admin = MembershipFactory(is_organisation_admin=True)
        member = MembershipFactory(organisation=admin.organisation)
        client.force_login(admin.user)
        page = client.get(reverse("accounts:members")).content.decode()
        assert member.user.email in page
        response = client.post(
            reverse("accounts:member_role", args=[member.pk]),
            {f"m{member.pk}-role": Role.BUYER_AGENT, f"m{member.pk}-is_organisation_admin": "on"},
        )
        assert response.status_code == 302
        member.refresh_from_db()
        assert member.is_organisation_admin
        client.post(reverse("accounts:member_remove", args=[member.pk]))
        member.refresh_from_db()
        assert not member.is_active and member.ended_by == admin.user

    def test_admin_cannot_touch_another_organisation(self, client):
        admin = MembershipFactory(is_organisation_admin=True)
        stranger = MembershipFactory()
        client.force_login(admin.user)
        response = client.post(reverse("accounts:member_remove", args=[stranger.pk]))
        assert response.status_code == 404
        stranger.refresh_from_db()
        assert stranger.is_active

    def test_admin_deactivates_member_of_only_its_organisation(self, client):
        admin = MembershipFactory(is_organisation_admin=True)
        member = MembershipFactory(organisation=admin.organisation)
        client.force_login(admin.user)
        client.post(reverse("accounts:member_deactivate", args=[member.pk]))
        member.user.refresh_from_db()
        assert not member.user.is_active

    def test_admin_cannot_deactivate_member_of_other_organisations(self, client):
        admin = MembershipFactory(is_organisation_admin=True)
        member = MembershipFactory(organisation=admin.organisation)
        MembershipFactory(user=member.user)
        client.force_login(admin.user)
        response = client.post(reverse("accounts:member_deactivate", args=[member.pk]))
        assert response.status_code == 403

"""ProConnect end to end against a real OpenID Connect provider started for the test run:
panva's oidc-provider (OpenID Certified), configured with ProConnect's scopes and claims,
`acr` eidas1, `amr` and a signed userinfo (tests/support/proconnect_provider/server.js).
Our side runs in Django's test client; the provider's login page is driven with httpx.

Needs node and `npm ci` in tests/support/proconnect_provider (skipped otherwise; CI sets
CLAUSES_TEST_PROCONNECT_REQUIRED and then they fail instead)."""

import json
import logging
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from clauses.accounts.enums import ROLES_REQUIRING_2FA, BuyerCategory, LoginEventReason, Role
from clauses.accounts.models import (
    AuditEvent,
    LoginEvent,
    Membership,
    Organisation,
    ProConnectIdentity,
    User,
)
from clauses.accounts.proconnect import client as proconnect
from clauses.accounts.proconnect import identities as proconnect_identities
from clauses.accounts.proconnect import views as proconnect_views
from clauses.territories.models import Department
from tests.accounts.conftest import login_verified
from tests.accounts.factories import PASSWORD, MembershipFactory, OrganisationFactory, valid_siret
from tests.accounts.proconnect_provider import PROVIDER, running_provider

CLIENT_ID = "clauses-test"
CLIENT_SECRET = "secret-de-test-" + "x" * 20
OTHER_CLIENT = ("un-autre-site", "secret-de-l-autre-site-" + "y" * 20)
CALLBACK = "http://testserver/compte/proconnect/retour/"
LOGOUT_BACK = "http://testserver/compte/proconnect/deconnexion/"
KNOWN_SIRET = valid_siret()
UNKNOWN_SIRET = valid_siret()
STRUCTURE_SIRET = valid_siret()
IDENTITIES = {
    "agent@ville-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd"]},
    "nouvelle@ville-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd"]},
    "inconnu@ailleurs.fr": {"siret": UNKNOWN_SIRET, "amr": ["pwd"]},
    "ancien@ville-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd"]},
    "mfa@structure-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd", "mfa"]},
    "pwd@structure-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd"]},
    "facilitatrice@structure-test.fr": {"siret": STRUCTURE_SIRET, "amr": ["pwd", "mfa"]},
    "sans-siret@ville-test.fr": {"siret": "12345", "amr": ["pwd"]},
}
for number, identity in enumerate(IDENTITIES.values()):
    identity.update(
        given_name="Camille",
        usual_name=f"Agent{number}",
        uid=str(number),
        idp_id="fia1v2",
        sub=f"sub-{number}",
    )


@pytest.fixture(scope="module")
def provider():
    """The local provider's issuer URL, for the module's tests."""
    with running_provider(
        site="http://testserver",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        identities=IDENTITIES,
        other_client=OTHER_CLIENT,
    ) as issuer:
        yield issuer


@pytest.fixture
def configured(provider, settings):
    settings.CLAUSES_PROCONNECT_ISSUER = provider
    settings.CLAUSES_PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.CLAUSES_PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    return provider


@pytest.fixture
def refusals(caplog):
    """The reasons of the refusals logged by the views (each refusal says which check)."""
    caplog.set_level(logging.INFO, logger="clauses.accounts.proconnect.views")

    def reasons() -> list[str]:
        return [
            record.args[0]
            for record in caplog.records
            if record.name == "clauses.accounts.proconnect.views" and record.args
        ]

    return reasons


def _at_provider(authorize_url: str, email: str) -> str:
    """Log in at the provider as `email`; return the URL it sends the browser back to."""
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        response = browser.get(authorize_url)
        for _ in range(10):
            location = response.headers.get("location", "")
            if location.startswith("http://testserver/"):
                return location
            url = httpx.URL(str(response.url)).join(location) if location else response.url
            if "/interaction/" in str(url) and not location:
                response = browser.post(f"{url}/login", data={"email": email})
            else:
                response = browser.get(url)
        raise AssertionError(f"no way back: {response.status_code} {response.text[:300]}")


def _start(client, next_url: str = "") -> str:
    response = client.post(reverse("accounts:proconnect_login"), {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def _sign_in(client, email: str, next_url: str = ""):  # type: ignore[no-untyped-def]
    back = _at_provider(_start(client, next_url), email)
    parts = urlsplit(back)
    return client.get(parts.path, parse_qs(parts.query))


def _messages(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.fixture
def buyer(db):
    return OrganisationFactory(siret=KNOWN_SIRET)


# ---------------------------------------------------------------------------------------
# Shown only when configured
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_configuration_the_login_page_is_as_before(client, settings):
    settings.CLAUSES_PROCONNECT_ISSUER = ""
    page = client.get(reverse("accounts:login")).content.decode()
    assert "ProConnect" not in page
    assert client.post(reverse("accounts:proconnect_login")).status_code == 404
    assert client.get(reverse("accounts:proconnect_callback")).status_code == 404


@pytest.mark.django_db
def test_configured_login_page_offers_proconnect(client, configured):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "S’identifier avec" in page
    assert 'class="fr-connect"' in page


# ---------------------------------------------------------------------------------------
# The authorisation request
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_authorisation_request_is_as_proconnect_documents(client, configured):
    url = _start(client)
    parts = urlsplit(url)
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}".startswith(configured)
    assert set(params) == {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "acr_values",
        "claims",
    }
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == CALLBACK
    assert params["scope"] == "openid email given_name usual_name siret uid idp_id"
    assert params["acr_values"] == "eidas1"
    assert json.loads(params["claims"]) == {"id_token": {"amr": {"essential": True}}}
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["state"] != params["nonce"]
    flows = client.session[proconnect.SESSION_FLOWS]
    assert flows[params["state"]]["nonce"] == params["nonce"]


# ---------------------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_existing_account_signs_in_and_is_journalled(client, configured, buyer):
    membership = MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    ProConnectIdentity.objects.create(user=membership.user, sub="sub-0", siret="0" * 14)
    response = _sign_in(client, "agent@ville-test.fr", next_url="/compte/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/"
    assert int(client.session["_auth_user_id"]) == membership.user.pk
    event = LoginEvent.objects.filter(email="agent@ville-test.fr").latest("created_at")
    assert event.success and event.reason == LoginEventReason.SUCCESS
    assert event.details == {"door": "proconnect"}
    identity = ProConnectIdentity.objects.get(user=membership.user)  # the SIRET kept up to date
    assert identity.siret == KNOWN_SIRET and identity.idp_id == "fia1v2"
    assert not identity.multi_factor
    # A buyer agent needs no second factor: the next page opens.
    assert client.get("/compte/").status_code == 200


@pytest.mark.django_db
def test_siret_and_identifiers_are_kept_up_to_date_at_each_login(client, configured, buyer):
    membership = MembershipFactory(organisation=buyer, user__email="mfa@structure-test.fr")
    _sign_in(client, "mfa@structure-test.fr")
    first = ProConnectIdentity.objects.get(user=membership.user)
    # (the provider's `sub` is its account id, the email)
    assert (first.siret, first.sub, first.multi_factor) == (KNOWN_SIRET, first.sub, True)
    # The agent's SIRET changed at the provider since (simulated on our side), and time went by.
    ProConnectIdentity.objects.filter(pk=first.pk).update(
        siret=UNKNOWN_SIRET, sub="old", uid="old", multi_factor=False
    )
    client.post(reverse("accounts:logout"))
    _sign_in(client, "mfa@structure-test.fr")
    second = ProConnectIdentity.objects.get(user=membership.user)
    assert (second.siret, second.sub, second.uid, second.multi_factor) == (
        KNOWN_SIRET,
        first.sub,
        "4",
        True,
    )
    assert second.last_login_at > first.last_login_at


@pytest.mark.django_db
def test_new_agent_of_a_confirmed_buyer_is_attached(client, configured, buyer, mailoutbox):
    admin = MembershipFactory(organisation=buyer, admin=True)
    MembershipFactory(organisation=buyer)  # not an administrator: not told
    response = _sign_in(client, "nouvelle@ville-test.fr")
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@ville-test.fr")
    assert not user.has_usable_password()
    assert user.last_name.startswith("Agent")
    membership = Membership.objects.get(user=user)
    assert membership.organisation == buyer
    assert membership.role == Role.BUYER_AGENT
    # Attached, as the issue says: a buyer agent sees no personal data, ProConnect vouches
    # for the SIRET; the attachment is in the audit trail of the organisation.
    assert membership.is_confirmed and not membership.is_organisation_admin
    event = AuditEvent.objects.get(object_id=str(membership.pk))
    assert event.details["proconnect"] == "attached" and event.organisation == buyer
    assert int(client.session["_auth_user_id"]) == user.pk
    # The organisation's administrators are told, with the way to end the membership.
    assert [message.to for message in mailoutbox] == [[admin.user.email]]
    assert "nouvelle@ville-test.fr" in mailoutbox[0].body
    assert "http://testserver/compte/organisation/membres/" in mailoutbox[0].body


def test_the_role_given_without_confirmation_sees_no_personal_data():
    assert proconnect_identities.ATTACHED_ROLE == Role.BUYER_AGENT
    assert proconnect_identities.ATTACHED_ROLE not in ROLES_REQUIRING_2FA


@pytest.mark.django_db
def test_siret_of_a_facilitator_structure_opens_nothing(client, configured, refusals):
    """A facilitator's role sees personal data: it is given by invitation only, never by
    the SIRET ProConnect carries, even for a confirmed structure."""
    OrganisationFactory(as_structure=True, siret=STRUCTURE_SIRET)
    response = _sign_in(client, "facilitatrice@structure-test.fr")
    assert response["Location"] == reverse("accounts:login")
    assert "sur invitation" in _messages(response)
    assert not User.objects.filter(email="facilitatrice@structure-test.fr").exists()
    assert "_auth_user_id" not in client.session
    assert refusals() == ["not_a_buyer"]


@pytest.mark.django_db
def test_invalid_siret_is_refused_towards_the_sign_up_form(client, configured, refusals):
    response = _sign_in(client, "sans-siret@ville-test.fr")
    assert response["Location"] == reverse("accounts:login")
    assert reverse("accounts:signup") in _messages(response)
    assert not User.objects.filter(email="sans-siret@ville-test.fr").exists()
    assert refusals() == ["bad_siret"]


@pytest.mark.django_db
def test_unknown_siret_proposes_the_organisation_then_a_coordinator_confirms(
    client, configured, buyer, mailoutbox
):
    response = _sign_in(client, "inconnu@ailleurs.fr")
    assert response["Location"] == reverse("accounts:proconnect_signup")
    assert not User.objects.filter(email="inconnu@ailleurs.fr").exists()
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:proconnect_signup")).content.decode()
    assert "Inscrire votre organisation" in page
    assert UNKNOWN_SIRET in page and "inconnu@ailleurs.fr" in page
    assert 'name="organisation_name"' in page

    seine_saint_denis = Department.objects.get(code="93")
    response = client.post(
        reverse("accounts:proconnect_signup"),
        {
            "organisation_name": "  Ville   d'Ailleurs ",
            "buyer_category": BuyerCategory.COMMUNE,
            "department": seine_saint_denis.pk,
        },
    )
    assert response["Location"] == reverse("accounts:account")
    user = User.objects.get(email="inconnu@ailleurs.fr")
    assert not user.has_usable_password() and int(client.session["_auth_user_id"]) == user.pk
    membership = Membership.objects.get(user=user)
    organisation = membership.organisation
    assert (organisation.name, organisation.siret, organisation.siren) == (
        "Ville d'Ailleurs",
        UNKNOWN_SIRET,
        UNKNOWN_SIRET[:9],
    )
    assert not organisation.is_confirmed and organisation.department == seine_saint_denis
    assert membership.role == Role.BUYER_AGENT and membership.is_organisation_admin
    assert ProConnectIdentity.objects.get(user=user).siret == UNKNOWN_SIRET
    assert proconnect_views.SESSION_PENDING not in client.session
    assert "attend la confirmation de la coordination" in client.get("/compte/").content.decode()
    assert LoginEvent.objects.filter(email="inconnu@ailleurs.fr", success=True).exists()

    # The coordination of the département confirms it in its usual page.
    client.post(reverse("accounts:logout"))
    coordinator = MembershipFactory(
        organisation=OrganisationFactory(as_coordination=True, department=seine_saint_denis)
    )
    login_verified(client, coordinator.user)
    assert "Ville d&#x27;Ailleurs" in client.get(reverse("accounts:confirmations")).content.decode()
    client.post(reverse("accounts:confirm_organisation", args=[organisation.pk]))
    organisation.refresh_from_db()
    assert organisation.is_confirmed and organisation.confirmed_by == coordinator.user
    assert mailoutbox[-1].to == ["inconnu@ailleurs.fr"]

    # Next time, ProConnect opens the same account.
    client.logout()
    _sign_in(client, "inconnu@ailleurs.fr")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_organisation_awaiting_confirmation_is_joined_pending(client, configured):
    pending = OrganisationFactory(siret=KNOWN_SIRET, unconfirmed=True)
    response = _sign_in(client, "nouvelle@ville-test.fr")
    assert response["Location"] == reverse("accounts:proconnect_signup")
    page = client.get(reverse("accounts:proconnect_signup")).content.decode()
    assert "Rejoindre votre organisation" in page and pending.name in page
    assert 'name="organisation_name"' not in page
    client.post(reverse("accounts:proconnect_signup"))
    membership = Membership.objects.get(user__email="nouvelle@ville-test.fr")
    assert membership.organisation == pending
    assert not membership.is_confirmed and not membership.is_organisation_admin
    assert Organisation.objects.filter(siret=KNOWN_SIRET).count() == 1


@pytest.mark.django_db
def test_organisation_confirmed_while_the_agent_fills_the_form_attaches(client, configured):
    pending = OrganisationFactory(siret=KNOWN_SIRET, unconfirmed=True)
    _sign_in(client, "nouvelle@ville-test.fr")
    Organisation.objects.filter(pk=pending.pk).update(is_confirmed=True)
    response = client.post(reverse("accounts:proconnect_signup"))
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="nouvelle@ville-test.fr")
    assert membership.organisation == pending and membership.is_confirmed


@pytest.mark.django_db
def test_sign_up_page_refuses_hostile_input_in_french(client, configured):
    _sign_in(client, "inconnu@ailleurs.fr")
    for data in (
        {},
        {"organisation_name": "   ", "buyer_category": "commune", "department": "1"},
        {"organisation_name": "x" * 5000, "buyer_category": "nope", "department": "abc"},
        {"organisation_name": "Ville", "buyer_category": "commune", "department": "999999"},
    ):
        response = client.post(reverse("accounts:proconnect_signup"), data)
        assert response.status_code == 200
        assert "fr-error-text" in response.content.decode()
    page = response.content.decode()
    assert "Choisissez un département de la liste." in page
    assert not User.objects.filter(email="inconnu@ailleurs.fr").exists()


@pytest.mark.django_db
def test_sign_up_page_needs_a_fresh_proconnect_identity(client, configured, monkeypatch):
    response = client.get(reverse("accounts:proconnect_signup"))
    assert response["Location"] == reverse("accounts:login")
    assert "expiré" in _messages(response)
    _sign_in(client, "inconnu@ailleurs.fr")
    later = time.time() + proconnect.FLOW_SECONDS + 1
    monkeypatch.setattr(proconnect_views.time, "time", lambda: later)
    response = client.post(
        reverse("accounts:proconnect_signup"),
        {"organisation_name": "Ville", "buyer_category": "commune", "department": "1"},
    )
    assert response["Location"] == reverse("accounts:login")
    assert not User.objects.filter(email="inconnu@ailleurs.fr").exists()


@pytest.mark.django_db
def test_deactivated_account_is_refused(client, configured, buyer, refusals):
    membership = MembershipFactory(organisation=buyer, user__email="ancien@ville-test.fr")
    membership.user.is_active = False
    membership.user.save()
    response = _sign_in(client, "ancien@ville-test.fr")
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    event = LoginEvent.objects.filter(email="ancien@ville-test.fr").latest("created_at")
    assert event.reason == LoginEventReason.INACTIVE and not event.success
    assert "désactivé" in _messages(response)
    assert refusals() == ["inactive"]


# ---------------------------------------------------------------------------------------
# Second factor
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_multi_factor_proconnect_login_stands_for_the_second_factor(client, configured):
    structure = OrganisationFactory(as_structure=True)
    MembershipFactory(organisation=structure, user__email="mfa@structure-test.fr")
    _sign_in(client, "mfa@structure-test.fr")
    assert client.session[proconnect.SESSION_MFA] is True
    assert client.get("/compte/").status_code == 200


@pytest.mark.django_db
def test_multi_factor_login_is_worth_one_session_only(client, configured):
    """After a multi-factor ProConnect session, a password login asks the local TOTP."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    structure = OrganisationFactory(as_structure=True)
    membership = MembershipFactory(organisation=structure, user__email="mfa@structure-test.fr")
    TOTPDevice.objects.create(user=membership.user, name="app", confirmed=True)
    _sign_in(client, "mfa@structure-test.fr")
    assert client.get("/compte/").status_code == 200  # enrolled, yet not asked: ProConnect's mfa
    client.post(reverse("accounts:logout"))
    client.post(
        reverse("accounts:login"), {"username": "mfa@structure-test.fr", "password": PASSWORD}
    )
    response = client.get("/compte/")
    assert response["Location"].startswith(reverse("accounts:otp_verify"))


@pytest.mark.django_db
def test_password_only_proconnect_login_still_needs_local_totp(client, configured):
    structure = OrganisationFactory(as_structure=True)
    MembershipFactory(organisation=structure, user__email="pwd@structure-test.fr")
    _sign_in(client, "pwd@structure-test.fr")
    assert client.session[proconnect.SESSION_MFA] is False
    response = client.get("/compte/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))


# ---------------------------------------------------------------------------------------
# Refusals of the flow, against the real provider (the reason of each refusal is logged)
# ---------------------------------------------------------------------------------------


def _refused(client, response) -> None:  # type: ignore[no-untyped-def]
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    event = LoginEvent.objects.latest("created_at")
    assert not event.success and event.details == {"door": "proconnect"}
    assert "La connexion avec ProConnect a échoué" in _messages(response)


@pytest.mark.django_db
def test_bad_state_is_refused(client, configured, buyer, refusals):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    query["state"] = ["x" * 43]
    _refused(client, client.get(parts.path, query))
    assert refusals() == ["bad_state"]


@pytest.mark.django_db
def test_missing_state_and_provider_error_are_refused(client, configured, refusals):
    _refused(client, client.get(reverse("accounts:proconnect_callback"), {"code": "x"}))
    url = _start(client)
    back = _at_provider(url, "personne@nulle-part.fr")  # unknown at the provider: access_denied
    parts = urlsplit(back)
    assert "error=access_denied" in parts.query
    _refused(client, client.get(parts.path, parse_qs(parts.query)))
    assert refusals() == ["bad_state", "provider_error"]


@pytest.mark.django_db
def test_answer_from_another_issuer_is_refused(client, configured, buyer, refusals):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    assert query["iss"] == [configured]  # the provider names itself (RFC 9207)
    query["iss"] = ["https://evil.example"]
    _refused(client, client.get(parts.path, query))
    assert refusals() == ["wrong_issuer"]


@pytest.mark.django_db
def test_state_is_single_use(client, configured, buyer, refusals):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    parts = urlsplit(back)
    client.get(parts.path, parse_qs(parts.query))
    assert "_auth_user_id" in client.session
    client.logout()
    _refused(client, client.get(parts.path, parse_qs(parts.query)))
    assert refusals() == ["bad_state"]


@pytest.mark.django_db
def test_state_of_another_session_is_refused(client, configured, buyer):
    from django.test import Client

    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    parts = urlsplit(back)
    other = Client()
    response = other.get(parts.path, parse_qs(parts.query))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in other.session


@pytest.mark.django_db
def test_expired_state_is_refused(client, configured, buyer, refusals, monkeypatch):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    later = time.time() + proconnect.FLOW_SECONDS
    monkeypatch.setattr(proconnect.time, "time", lambda: later)
    parts = urlsplit(back)
    _refused(client, client.get(parts.path, parse_qs(parts.query)))
    assert refusals() == ["expired_state"]


def _with_nonce(client, url: str, nonce: str) -> str:  # type: ignore[no-untyped-def]
    """The authorisation URL `url` with `nonce` instead of its own, the session's flow
    changed alike (as if our side had drawn it)."""
    parts = urlsplit(url)
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    params["nonce"] = nonce
    session = client.session
    flows = session[proconnect.SESSION_FLOWS]
    flows[params["state"]]["nonce"] = nonce
    session[proconnect.SESSION_FLOWS] = flows
    session.save()
    return urlunsplit(parts._replace(query=urlencode(params)))


@pytest.mark.django_db
def test_replayed_nonce_is_refused(client, configured, buyer, refusals):
    """A real id_token of the provider carrying a nonce already accepted once is refused."""
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    first = _start(client)
    nonce = parse_qs(urlsplit(first).query)["nonce"][0]
    parts = urlsplit(_at_provider(first, "agent@ville-test.fr"))
    client.get(parts.path, parse_qs(parts.query))
    assert "_auth_user_id" in client.session  # accepted once
    client.post(reverse("accounts:logout"))

    second = _with_nonce(client, _start(client), nonce)
    parts = urlsplit(_at_provider(second, "agent@ville-test.fr"))
    _refused(client, client.get(parts.path, parse_qs(parts.query)))
    assert refusals() == ["replayed_nonce"]


@pytest.mark.django_db
def test_id_token_of_another_client_is_refused(client, configured, buyer, refusals, monkeypatch):
    """Wrong audience: the token endpoint's answer carries a real id_token of the provider,
    issued to another relying party (token substitution), with the right nonce."""
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    url = _start(client)
    parts = urlsplit(url)
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    params["client_id"] = OTHER_CLIENT[0]  # the other site's authorisation, same nonce
    back = _at_provider(urlunsplit(parts._replace(query=urlencode(params))), "agent@ville-test.fr")
    real_post = httpx.post

    def as_the_other_client(endpoint, *, data, **kwargs):  # type: ignore[no-untyped-def]
        data = {**data, "client_id": OTHER_CLIENT[0], "client_secret": OTHER_CLIENT[1]}
        return real_post(endpoint, data=data, **kwargs)

    monkeypatch.setattr(proconnect.httpx, "post", as_the_other_client)
    parts = urlsplit(back)
    _refused(client, client.get(parts.path, parse_qs(parts.query)))
    assert refusals() == ["claim_aud"]


@pytest.mark.django_db
def test_code_of_another_client_is_refused(client, configured, buyer, refusals):
    """A code the provider gave another relying party cannot be exchanged by us."""
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    parts = urlsplit(_start(client))
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    params["client_id"] = OTHER_CLIENT[0]
    back = _at_provider(urlunsplit(parts._replace(query=urlencode(params))), "agent@ville-test.fr")
    parts = urlsplit(back)
    _refused(client, client.get(parts.path, parse_qs(parts.query)))
    assert refusals() == ["token_refused"]


@pytest.mark.django_db
def test_expired_id_token_is_refused(client, configured, buyer, refusals, monkeypatch):
    """The provider's real id_token (valid 60 s) presented five minutes later: expired."""
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 300)  # joserfc's clock too
    parts = urlsplit(back)
    response = client.get(parts.path, parse_qs(parts.query))
    monkeypatch.undo()
    _refused(client, response)
    assert refusals() == ["expired_token"]


# The audience and the expiry are also checked on tokens signed here, unit by unit: the
# same `_decode` that checks the provider's tokens.
@pytest.fixture
def own_keys(monkeypatch):
    key = RSAKey.generate_key(2048, parameters={"kid": "test"})
    keyset = KeySet([key])
    monkeypatch.setattr(proconnect, "_keys", lambda conf, metadata, refresh=False: keyset)
    return key


def _token(key, **claims) -> str:  # type: ignore[no-untyped-def]
    now = int(time.time())
    payload = {"iss": "https://idp.test", "aud": CLIENT_ID, "sub": "s", "iat": now}
    payload["exp"] = now + 60
    payload.update(claims)
    return jwt.encode({"alg": "RS256", "kid": "test"}, payload, key)


CONF = proconnect.Config(issuer="https://idp.test", client_id=CLIENT_ID, client_secret="s")
METADATA = {"issuer": "https://idp.test", "jwks_uri": "https://idp.test/jwks"}


def test_valid_token_passes(own_keys):
    assert proconnect._decode(_token(own_keys), CONF, METADATA)["sub"] == "s"


def test_wrong_audience_is_refused(own_keys):
    with pytest.raises(proconnect.ProConnectError, match="claim_aud"):
        proconnect._decode(_token(own_keys, aud="another-client"), CONF, METADATA)


def test_expired_token_is_refused(own_keys):
    expired = _token(own_keys, exp=int(time.time()) - 120, iat=int(time.time()) - 300)
    with pytest.raises(proconnect.ProConnectError, match="expired_token"):
        proconnect._decode(expired, CONF, METADATA)


def test_wrong_issuer_and_foreign_key_are_refused(own_keys):
    with pytest.raises(proconnect.ProConnectError):
        proconnect._decode(_token(own_keys, iss="https://evil.test"), CONF, METADATA)
    stranger = RSAKey.generate_key(2048, parameters={"kid": "test"})
    with pytest.raises(proconnect.ProConnectError, match="bad_signature"):
        proconnect._decode(_token(stranger), CONF, METADATA)


# ---------------------------------------------------------------------------------------
# Logout
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_logout_ends_the_proconnect_session(client, configured, buyer):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    _sign_in(client, "agent@ville-test.fr")
    id_token = client.session[proconnect.SESSION_ID_TOKEN]
    response = client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
    parts = urlsplit(response["Location"])
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{configured}/session/end"
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == LOGOUT_BACK
    assert len(params["state"]) >= 32
    # The provider ends its session and sends the browser back with our state.
    with httpx.Client(timeout=10) as browser:
        confirm = browser.get(response["Location"])
        assert confirm.status_code == 200
        form = confirm.text
        action = form.split('action="', 1)[1].split('"', 1)[0]
        fields = dict(
            (
                chunk.split('name="', 1)[1].split('"', 1)[0],
                chunk.split('value="', 1)[1].split('"', 1)[0],
            )
            for chunk in form.split("<input")[1:]
            if 'name="' in chunk and 'value="' in chunk
        )
        ended = browser.post(httpx.URL(configured).join(action), data={**fields, "logout": "yes"})
    back = urlsplit(ended.headers["location"])
    assert f"http://testserver{back.path}" == LOGOUT_BACK
    assert parse_qs(back.query)["state"] == [params["state"]]
    done = client.get(back.path, parse_qs(back.query))
    assert "déconnecté·e de Clauses et de ProConnect" in _messages(done)


@pytest.mark.django_db
def test_logout_back_with_another_state_says_nothing_of_proconnect(client, configured, buyer):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    _sign_in(client, "agent@ville-test.fr")
    client.post(reverse("accounts:logout"))
    done = client.get(reverse("accounts:proconnect_logout_done"), {"state": "x" * 43})
    assert "ProConnect" not in _messages(done)


@pytest.mark.django_db
def test_password_logout_does_not_go_to_proconnect(client, configured, buyer):
    membership = MembershipFactory(organisation=buyer)
    client.force_login(membership.user)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == "/"


# ---------------------------------------------------------------------------------------
# Who may open which ProConnect page (the pages are about the visitor's own login)
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "page", "method", "expected"),
    [
        ("anonymous", "proconnect_login", "post", "provider"),
        ("anonymous", "proconnect_login", "get", "login"),
        ("anonymous", "proconnect_callback", "get", "login"),  # no flow of this session
        ("anonymous", "proconnect_signup", "get", "login"),  # no identity from ProConnect
        ("anonymous", "proconnect_logout_done", "get", "home"),
        ("identified", "proconnect_signup", "get", 200),  # identified by ProConnect, no account
        ("buyer_agent", "proconnect_signup", "get", "account"),
        ("buyer_agent", "proconnect_callback", "get", "login"),
        ("coordinator", "proconnect_signup", "get", "account"),
    ],
)
def test_pages_by_actor(client, configured, actor, page, method, expected):
    if actor == "identified":
        _sign_in(client, "inconnu@ailleurs.fr")
    elif actor == "buyer_agent":
        client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)
    elif actor == "coordinator":
        login_verified(
            client, MembershipFactory(organisation=OrganisationFactory(as_coordination=True)).user
        )
    response = getattr(client, method)(reverse(f"accounts:{page}"))
    if expected == 200:
        assert response.status_code == 200
        return
    assert response.status_code == 302
    location = response["Location"]
    if expected == "provider":
        assert location.startswith(f"{configured}/auth?")
    else:
        target = {"login": "accounts:login", "account": "accounts:account", "home": None}[expected]
        assert location == (reverse(target) if target else "/")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["proconnect_login", "proconnect_callback", "proconnect_signup"])
def test_pages_answer_404_when_not_configured(client, settings, page):
    settings.CLAUSES_PROCONNECT_ISSUER = ""
    assert client.post(reverse(f"accounts:{page}")).status_code == 404
    assert client.get(reverse(f"accounts:{page}")).status_code == 404


# ---------------------------------------------------------------------------------------
# Demo
# ---------------------------------------------------------------------------------------


def test_demo_identities_are_agents_of_the_demo_buyer():
    """The local provider's demo identities (README, optional setup): the demo buyer agent,
    a new agent of the same confirmed buyer, and an agent of an unknown organisation."""
    from clauses.accounts.demo import DEMO_ACCOUNTS, demo_siret

    identities = json.loads((PROVIDER / "demo-identities.json").read_text())
    buyer = next(account for account in DEMO_ACCOUNTS if account.role == Role.BUYER_AGENT)
    assert identities[buyer.email]["siret"] == demo_siret(1)
    assert identities["nouvel.agent@demo.clauses.example"]["siret"] == demo_siret(1)
    assert identities["agent@mairie-inconnue.example"]["siret"] == demo_siret(99)


# ---------------------------------------------------------------------------------------
# Content Security Policy: the forms may end at ProConnect (browsers check redirects too)
# ---------------------------------------------------------------------------------------


def _form_action(response) -> str:  # type: ignore[no-untyped-def]
    policy = response["Content-Security-Policy"]
    return next(part for part in policy.split(";") if part.strip().startswith("form-action"))


@pytest.mark.django_db
def test_forms_may_end_at_proconnect_only_when_configured(client, configured, settings):
    assert _form_action(client.get(reverse("accounts:login"))).split() == [
        "form-action",
        "'self'",
        configured,
    ]
    settings.CLAUSES_PROCONNECT_ISSUER = ""
    assert _form_action(client.get(reverse("accounts:login"))).split() == [
        "form-action",
        "'self'",
    ]


def test_form_action_takes_the_endpoints_origins_from_cached_discovery(settings):
    from django.core.cache import cache

    from clauses.accounts.proconnect.middleware import form_action_origins

    settings.CLAUSES_PROCONNECT_ISSUER = "https://auth.example/api/v2"
    settings.CLAUSES_PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.CLAUSES_PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    cache.delete("proconnect:discovery:https://auth.example/api/v2")
    assert form_action_origins() == ["https://auth.example"]
    cache.set(
        "proconnect:discovery:https://auth.example/api/v2",
        {
            "authorization_endpoint": "https://login.example/authorize",
            "end_session_endpoint": "javascript:alert(1)",
        },
    )
    assert form_action_origins() == ["https://auth.example", "https://login.example"]


@pytest.mark.django_db
@pytest.mark.parametrize("confirmed", [True, False])
def test_the_same_agent_signing_in_twice_at_once_gets_one_account(monkeypatch, confirmed):
    """Two tabs back from ProConnect together: the second creation meets the first
    account (unique email) and is refused cleanly, never a 500."""
    from clauses.accounts.models import User as UserModel

    OrganisationFactory(siret=KNOWN_SIRET, is_confirmed=confirmed)
    identity = proconnect.Identity(
        sub="s",
        email="double@ville-test.fr",
        given_name="Camille",
        usual_name="Double",
        siret=KNOWN_SIRET,
        uid="1",
        idp_id="fia1v2",
        amr=["pwd"],
        id_token="t",
        next_url="",
    )
    UserModel.objects.create_user(email="double@ville-test.fr")
    monkeypatch.setattr(proconnect_identities, "_check_email", lambda identity: None)
    with pytest.raises(proconnect_identities.Refused, match="email_taken"):
        if confirmed:
            proconnect_identities.account_for(identity)
        else:
            proconnect_identities.sign_up(identity)
    assert UserModel.objects.filter(email="double@ville-test.fr").count() == 1
    assert not Membership.objects.filter(user__email="double@ville-test.fr").exists()

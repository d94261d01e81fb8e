"""ProConnect end to end against a real OpenID Connect provider started for the test run:
panva's oidc-provider (OpenID Certified), configured with ProConnect's scopes and claims,
`acr` eidas1, `amr` and a signed userinfo (tests/support/proconnect_provider/server.js).
Our side runs in Django's test client; the provider's login page is driven with httpx.

Needs node and `npm ci` in tests/support/proconnect_provider (skipped otherwise)."""

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from clauses.accounts.enums import LoginEventReason, Role
from clauses.accounts.models import LoginEvent, Membership, ProConnectIdentity, User
from clauses.accounts.proconnect import client as proconnect
from tests.accounts.factories import MembershipFactory, OrganisationFactory, valid_siret

PROVIDER = Path(__file__).resolve().parents[1] / "support" / "proconnect_provider"
CLIENT_ID = "clauses-test"
CLIENT_SECRET = "secret-de-test-" + "x" * 20
CALLBACK = "http://testserver/compte/proconnect/retour/"
LOGOUT_BACK = "http://testserver/compte/proconnect/deconnexion/"
KNOWN_SIRET = valid_siret()
UNKNOWN_SIRET = valid_siret()
IDENTITIES = {
    "agent@ville-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd"]},
    "nouvelle@ville-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd"]},
    "inconnu@ailleurs.fr": {"siret": UNKNOWN_SIRET, "amr": ["pwd"]},
    "ancien@ville-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd"]},
    "mfa@structure-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd", "mfa"]},
    "pwd@structure-test.fr": {"siret": KNOWN_SIRET, "amr": ["pwd"]},
}
for number, identity in enumerate(IDENTITIES.values()):
    identity.update(
        given_name="Camille",
        usual_name=f"Agent{number}",
        uid=str(number),
        idp_id="fia1v2",
        sub=f"sub-{number}",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider():
    """The local provider's issuer URL, for the module's tests."""
    node = shutil.which("node")
    if node is None or not (PROVIDER / "node_modules" / "oidc-provider").exists():
        missing = "node or tests/support/proconnect_provider/node_modules missing (npm ci)"
        if os.environ.get("CLAUSES_TEST_PROCONNECT_REQUIRED"):  # CI: never skipped
            pytest.fail(missing)
        pytest.skip(missing)
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "ISSUER": issuer,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": CALLBACK,
        "POST_LOGOUT_REDIRECT_URIS": LOGOUT_BACK,
        "IDENTITIES": json.dumps(IDENTITIES),
    }
    process = subprocess.Popen(  # noqa: S603 - node, our own script
        [node, "server.js"],
        cwd=PROVIDER,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("ready"), line
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def configured(provider, settings):
    settings.CLAUSES_PROCONNECT_ISSUER = provider
    settings.CLAUSES_PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.CLAUSES_PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    return provider


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
def test_new_agent_of_a_confirmed_buyer_gets_an_account(client, configured, buyer):
    response = _sign_in(client, "nouvelle@ville-test.fr")
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle@ville-test.fr")
    assert not user.has_usable_password()
    assert user.last_name.startswith("Agent")
    membership = Membership.objects.get(user=user)
    assert membership.organisation == buyer
    assert membership.role == Role.BUYER_AGENT


@pytest.mark.django_db
def test_unknown_siret_is_refused_towards_sign_up(client, configured, buyer):
    response = _sign_in(client, "inconnu@ailleurs.fr")
    assert response["Location"] == reverse("accounts:login")
    assert UNKNOWN_SIRET in _messages(response)
    assert not User.objects.filter(email="inconnu@ailleurs.fr").exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_unconfirmed_organisation_does_not_open_an_account(client, configured):
    OrganisationFactory(siret=KNOWN_SIRET, unconfirmed=True)
    response = _sign_in(client, "nouvelle@ville-test.fr")
    assert response["Location"] == reverse("accounts:login")
    assert not User.objects.filter(email="nouvelle@ville-test.fr").exists()


@pytest.mark.django_db
def test_deactivated_account_is_refused(client, configured, buyer):
    membership = MembershipFactory(organisation=buyer, user__email="ancien@ville-test.fr")
    membership.user.is_active = False
    membership.user.save()
    response = _sign_in(client, "ancien@ville-test.fr")
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    event = LoginEvent.objects.filter(email="ancien@ville-test.fr").latest("created_at")
    assert event.reason == LoginEventReason.INACTIVE and not event.success


# ---------------------------------------------------------------------------------------
# Second factor
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_multi_factor_proconnect_login_stands_for_the_second_factor(client, configured):
    structure = OrganisationFactory(as_structure=True)
    MembershipFactory(organisation=structure, user__email="mfa@structure-test.fr")
    _sign_in(client, "mfa@structure-test.fr")
    assert client.get("/compte/").status_code == 200


@pytest.mark.django_db
def test_password_only_proconnect_login_still_needs_local_totp(client, configured):
    structure = OrganisationFactory(as_structure=True)
    MembershipFactory(organisation=structure, user__email="pwd@structure-test.fr")
    _sign_in(client, "pwd@structure-test.fr")
    response = client.get("/compte/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_enrol"))


# ---------------------------------------------------------------------------------------
# Refusals of the flow
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_state_is_refused(client, configured, buyer):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    query["state"] = ["x" * 43]
    response = client.get(parts.path, query)
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    event = LoginEvent.objects.latest("created_at")
    assert not event.success and event.details == {"door": "proconnect"}


@pytest.mark.django_db
def test_answer_from_another_issuer_is_refused(client, configured, buyer):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    assert query["iss"] == [configured]  # the provider names itself (RFC 9207)
    query["iss"] = ["https://evil.example"]
    response = client.get(parts.path, query)
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_state_is_single_use(client, configured, buyer):
    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    back = _at_provider(_start(client), "agent@ville-test.fr")
    parts = urlsplit(back)
    client.get(parts.path, parse_qs(parts.query))
    assert "_auth_user_id" in client.session
    client.logout()
    response = client.get(parts.path, parse_qs(parts.query))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


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
def test_replayed_nonce_is_refused(client, configured, buyer):
    """An id_token whose nonce was already accepted once is refused."""
    from django.core.cache import cache

    MembershipFactory(organisation=buyer, user__email="agent@ville-test.fr")
    url = _start(client)
    nonce = parse_qs(urlsplit(url).query)["nonce"][0]
    cache.add(f"proconnect:nonce:{nonce}", 1)  # as if accepted once already
    back = _at_provider(url, "agent@ville-test.fr")
    parts = urlsplit(back)
    response = client.get(parts.path, parse_qs(parts.query))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


# The audience and the expiry are checked on tokens signed here (the provider signs only
# valid ones): the same `_decode` that checks the provider's tokens.
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
    with pytest.raises(proconnect.ProConnectError):
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
    # The provider knows the token and the way back (its confirmation page answers).
    assert httpx.get(response["Location"], timeout=10).status_code == 200
    back = client.get(reverse("accounts:proconnect_logout_done"), {"state": params["state"]})
    assert "ProConnect" in _messages(back)


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

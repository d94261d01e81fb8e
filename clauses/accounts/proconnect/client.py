"""The OpenID Connect flow of ProConnect, with joserfc (JWT/JWK) and httpx (HTTP).

The authorisation request carries what ProConnect documents and nothing else (it refuses
unknown parameters): `response_type=code`, `client_id`, the exact `redirect_uri`, the
scopes, `state` and `nonce` (random, 43 characters), `acr_values=eidas1` and a `claims`
object asking for `amr`. The state is kept in the session with its nonce and is single
use; the id_token and the userinfo (a signed JWT) are verified against the issuer's keys
(`jwks_uri`): signature, issuer, audience, expiry, nonce (never accepted twice)."""

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.http import urlencode
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from clauses.core.tokens import new_token

SCOPES = "openid email given_name usual_name siret uid idp_id"
CLAIMS = json.dumps({"id_token": {"amr": {"essential": True}}}, separators=(",", ":"))
ALGORITHMS = ["RS256", "ES256"]
SESSION_FLOWS = "proconnect_flows"  # {state: {"nonce", "next", "at"}}
SESSION_ID_TOKEN = "proconnect_id_token"  # noqa: S105 - a session key
SESSION_MFA = "proconnect_mfa"
SESSION_LOGOUT_STATE = "proconnect_logout_state"
FLOW_SECONDS = 600  # an authorisation started more than 10 minutes ago is refused
MAX_FLOWS = 5  # several tabs may start a login; older ones are dropped
TIMEOUT = 10.0
# Integration and production issuers (ProConnect's documentation, valeur_ac_domain.md).
INTEGRATION_ISSUER = "https://fca.integ01.dev-agentconnect.fr/api/v2"
PRODUCTION_ISSUER = "https://auth.agentconnect.gouv.fr/api/v2"


class ProConnectError(Exception):
    """The answer of ProConnect cannot be trusted; `reason` says why (for the journal)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str


def config() -> Config | None:
    """The client's settings from the environment, or None when ProConnect is not set up
    (then nothing of it shows)."""
    issuer = (settings.CLAUSES_PROCONNECT_ISSUER or "").strip().rstrip("/")
    client_id = (settings.CLAUSES_PROCONNECT_CLIENT_ID or "").strip()
    secret = (settings.CLAUSES_PROCONNECT_CLIENT_SECRET or "").strip()
    if issuer and client_id and secret:
        return Config(issuer=issuer, client_id=client_id, client_secret=secret)
    return None


def is_configured() -> bool:
    return config() is not None


def _get_json(url: str) -> dict[str, Any]:
    response = httpx.get(url, timeout=TIMEOUT)
    response.raise_for_status()
    return response.json()


def discovery(conf: Config) -> dict[str, Any]:
    """The provider's metadata (cached 10 minutes); its issuer must be the one configured."""
    key = f"proconnect:discovery:{conf.issuer}"
    metadata = cache.get(key)
    if metadata is None:
        metadata = _get_json(f"{conf.issuer}/.well-known/openid-configuration")
        if metadata.get("issuer", "").rstrip("/") != conf.issuer:
            raise ProConnectError("issuer_mismatch")
        cache.set(key, metadata, 600)
    return metadata


def _keys(conf: Config, metadata: dict[str, Any], *, refresh: bool = False) -> KeySet:
    key = f"proconnect:jwks:{conf.issuer}"
    jwks = None if refresh else cache.get(key)
    if jwks is None:
        jwks = _get_json(metadata["jwks_uri"])
        cache.set(key, jwks, 600)
    return KeySet.import_key_set(jwks)


def redirect_uri(request: HttpRequest) -> str:
    from django.urls import reverse

    return request.build_absolute_uri(reverse("accounts:proconnect_callback"))


def post_logout_redirect_uri(request: HttpRequest) -> str:
    from django.urls import reverse

    return request.build_absolute_uri(reverse("accounts:proconnect_logout_done"))


def authorization_url(request: HttpRequest, *, next_url: str = "") -> str:
    """Start a login: remember a fresh state and nonce in the session, return the URL of
    ProConnect's authorisation page."""
    conf = config()
    if conf is None:
        raise ProConnectError("not_configured")
    metadata = discovery(conf)
    state = new_token()
    nonce = new_token()
    flows = dict(request.session.get(SESSION_FLOWS, {}))
    now = time.time()
    flows = {
        key: flow
        for key, flow in sorted(flows.items(), key=lambda item: item[1]["at"])[-MAX_FLOWS + 1 :]
        if now - flow["at"] < FLOW_SECONDS
    }
    flows[state] = {"nonce": nonce, "next": next_url, "at": now}
    request.session[SESSION_FLOWS] = flows
    params = {
        "response_type": "code",
        "client_id": conf.client_id,
        "redirect_uri": redirect_uri(request),
        "scope": SCOPES,
        "state": state,
        "nonce": nonce,
        "acr_values": "eidas1",
        "claims": CLAIMS,
    }
    return f"{metadata['authorization_endpoint']}?{urlencode(params)}"


def _decode(token: str, conf: Config, metadata: dict[str, Any]) -> dict[str, Any]:
    """Verify a JWT's signature with the issuer's keys (fetched again once when the key id
    is unknown: keys rotate), then its issuer, audience and times."""
    try:
        try:
            decoded = jwt.decode(token, _keys(conf, metadata), algorithms=ALGORITHMS)
        except (ValueError, JoseError):
            decoded = jwt.decode(token, _keys(conf, metadata, refresh=True), algorithms=ALGORITHMS)
    except (ValueError, JoseError) as error:
        raise ProConnectError("bad_signature") from error
    claims = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": conf.client_id},
        exp={"essential": True},
        sub={"essential": True},
        leeway=30,
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise ProConnectError("expired_token") from error
    except JoseError as error:
        raise ProConnectError(f"claim_{getattr(error, 'claim', 'invalid')}") from error
    return claims


@dataclass
class Identity:
    """What ProConnect says about the agent (the userinfo) and how they logged in."""

    sub: str
    email: str
    given_name: str
    usual_name: str
    siret: str
    uid: str
    idp_id: str
    amr: list[str]
    id_token: str
    next_url: str

    @property
    def multi_factor(self) -> bool:
        return "mfa" in self.amr


def finish(request: HttpRequest) -> Identity:
    """The agent is back from ProConnect with `code` and `state`: check the state (single
    use, bound to this session), exchange the code, verify the id_token and the signed
    userinfo. Raises ProConnectError on anything wrong."""
    conf = config()
    if conf is None:
        raise ProConnectError("not_configured")
    state = request.GET.get("state", "")
    flows = dict(request.session.get(SESSION_FLOWS, {}))
    flow = flows.pop(state, None) if state else None
    request.session[SESSION_FLOWS] = flows  # the state is spent, whatever happens next
    if flow is None:
        raise ProConnectError("bad_state")
    if time.time() - flow["at"] >= FLOW_SECONDS:
        raise ProConnectError("expired_state")
    if request.GET.get("error"):
        raise ProConnectError("provider_error")
    code = request.GET.get("code", "")
    if not code:
        raise ProConnectError("no_code")
    metadata = discovery(conf)
    # RFC 9207: a provider that names itself in the answer must be ours (mix-up defence).
    answered_by = request.GET.get("iss")
    if answered_by is not None and answered_by.rstrip("/") != metadata["issuer"].rstrip("/"):
        raise ProConnectError("wrong_issuer")
    try:
        response = httpx.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(request),
                "client_id": conf.client_id,
                "client_secret": conf.client_secret,
            },
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as error:
        raise ProConnectError("token_unreachable") from error
    if response.status_code != 200:
        raise ProConnectError("token_refused")
    tokens = response.json()
    id_token = tokens.get("id_token", "")
    access_token = tokens.get("access_token", "")
    if not id_token or not access_token:
        raise ProConnectError("token_incomplete")
    claims = _decode(id_token, conf, metadata)
    if not secrets.compare_digest(str(claims.get("nonce", "")), flow["nonce"]):
        raise ProConnectError("bad_nonce")
    # A nonce is accepted once: an id_token replayed into another flow is refused.
    if not cache.add(f"proconnect:nonce:{flow['nonce']}", 1, timeout=12 * 3600):
        raise ProConnectError("replayed_nonce")
    try:
        response = httpx.get(
            metadata["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as error:
        raise ProConnectError("userinfo_unreachable") from error
    if response.status_code != 200:
        raise ProConnectError("userinfo_refused")
    if not response.headers.get("content-type", "").startswith("application/jwt"):
        raise ProConnectError("userinfo_not_signed")
    userinfo = _decode(response.text.strip(), conf, metadata)
    if userinfo.get("sub") != claims.get("sub"):
        raise ProConnectError("sub_mismatch")
    amr = claims.get("amr") or []
    return Identity(
        sub=str(userinfo["sub"]),
        email=str(userinfo.get("email", "")).strip().lower(),
        given_name=str(userinfo.get("given_name", "")),
        usual_name=str(userinfo.get("usual_name", "")),
        siret=str(userinfo.get("siret", "")).replace(" ", ""),
        uid=str(userinfo.get("uid", "")),
        idp_id=str(userinfo.get("idp_id", "")),
        amr=[str(value) for value in amr] if isinstance(amr, list) else [],
        id_token=id_token,
        next_url=flow.get("next", ""),
    )


def logout_url(request: HttpRequest, id_token: str) -> str | None:
    """Where to send the browser to end the ProConnect session too, with a fresh state
    kept in the (new) session for the way back."""
    conf = config()
    if conf is None or not id_token:
        return None
    try:
        endpoint = discovery(conf).get("end_session_endpoint")
    except (httpx.HTTPError, ProConnectError):
        return None
    if not endpoint:
        return None
    state = new_token()
    request.session[SESSION_LOGOUT_STATE] = state
    params = {
        "id_token_hint": id_token,
        "state": state,
        "post_logout_redirect_uri": post_logout_redirect_uri(request),
    }
    return f"{endpoint}?{urlencode(params)}"

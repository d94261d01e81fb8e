"""ProConnect's pages: start a login, come back from ProConnect, sign an organisation up
(an agent whose organisation is not confirmed yet), come back from its logout. Each
answers 404 when ProConnect is not configured."""

import logging
import time

import httpx
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from clauses.accounts import services
from clauses.accounts.enums import LoginEventReason
from clauses.accounts.models import User
from clauses.accounts.proconnect import client, identities
from clauses.accounts.proconnect.forms import ProConnectSignUpForm
from clauses.core.http import client_ip

logger = logging.getLogger(__name__)

DOOR = "proconnect"
# The identity of an agent sent to the sign-up page (`identities.SignUpNeeded`), kept for
# as long as a login flow (client.FLOW_SECONDS) and spent when the account is created.
SESSION_PENDING = "proconnect_pending"
_FAILED = "La connexion avec ProConnect a échoué. Veuillez réessayer."
_EXPIRED = "Votre identification ProConnect a expiré : identifiez-vous de nouveau."


def _require_configured() -> None:
    if not client.is_configured():
        raise Http404


def _safe(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _journal(request: HttpRequest, *, email: str, success: bool, reason: str, user=None):  # type: ignore[no-untyped-def]
    services.record_login_event(
        email=email,
        success=success,
        reason=reason,
        user=user,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        door=DOOR,
    )


@login_not_required
def start(request: HttpRequest) -> HttpResponse:
    _require_configured()
    if request.method != "POST":
        return redirect("accounts:login")
    next_url = _safe(request, request.POST.get("next", ""))
    try:
        url = client.authorization_url(request, next_url=next_url)
    except (httpx.HTTPError, client.ProConnectError, KeyError, ValueError):
        messages.error(request, "ProConnect ne répond pas. Veuillez réessayer plus tard.")
        return redirect("accounts:login")
    return redirect(url)


def _log_in(request: HttpRequest, user: User, identity: client.Identity) -> None:
    request.session.pop(SESSION_PENDING, None)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[client.SESSION_ID_TOKEN] = identity.id_token
    # ProConnect's multi-factor login stands for the second factor (the middleware).
    request.session[client.SESSION_MFA] = identity.multi_factor
    _journal(request, email=user.email, success=True, reason=LoginEventReason.SUCCESS, user=user)


def _refuse(request: HttpRequest, identity: client.Identity, reason: str) -> HttpResponse:
    """The French message of a refusal (identities.Refused), journalled."""
    logger.info("ProConnect: refused (%s)", reason)
    request.session.pop(SESSION_PENDING, None)
    if reason == "inactive":
        _journal(request, email=identity.email, success=False, reason=LoginEventReason.INACTIVE)
        messages.error(request, "Ce compte est désactivé.")
        return redirect("accounts:login")
    _journal(
        request,
        email=identity.email if reason != "no_email" else "",
        success=False,
        reason=LoginEventReason.BAD_CREDENTIALS,
    )
    if reason == "bad_siret":
        messages.error(
            request,
            format_html(
                "ProConnect n'a pas transmis de SIRET valide pour votre organisation. "
                '<a href="{}">Créez un compte acheteur</a> : une coordination le confirmera.',
                reverse("accounts:signup"),
            ),
        )
    elif reason == "not_a_buyer":
        messages.error(
            request,
            format_html(
                "Le SIRET de votre organisation ({}) n'est pas celui d'un acheteur public : "
                "les facilitateurs, les coordinations, les entreprises et les partenaires "
                "rejoignent Clauses sur invitation. Demandez-la à l'administrateur·rice de "
                "votre organisation.",
                identity.siret,
            ),
        )
    else:
        messages.error(request, _FAILED)
    return redirect("accounts:login")


@login_not_required
def callback(request: HttpRequest) -> HttpResponse:
    _require_configured()
    try:
        identity = client.finish(request)
    except client.ProConnectError as error:
        logger.info("ProConnect: refused (%s)", error.reason)
        _journal(request, email="", success=False, reason=LoginEventReason.BAD_CREDENTIALS)
        messages.error(request, _FAILED)
        return redirect("accounts:login")
    except (httpx.HTTPError, KeyError, ValueError) as error:
        logger.info("ProConnect: refused (%s)", type(error).__name__)
        _journal(request, email="", success=False, reason=LoginEventReason.BAD_CREDENTIALS)
        messages.error(request, _FAILED)
        return redirect("accounts:login")
    if services.login_locked_until(email=identity.email, ip=client_ip(request)):
        _journal(request, email=identity.email, success=False, reason=LoginEventReason.THROTTLED)
        messages.error(request, "Trop de tentatives : la connexion est bloquée un moment.")
        return redirect("accounts:login")
    try:
        user = identities.account_for(identity, members_url=_members_url(request))
    except identities.SignUpNeeded:
        # Unknown organisation, or one awaiting confirmation: propose to sign it up.
        request.session[SESSION_PENDING] = {
            "identity": identities.to_session(identity),
            "at": time.time(),
        }
        return redirect("accounts:proconnect_signup")
    except identities.Refused as refused:
        return _refuse(request, identity, refused.reason)
    _log_in(request, user, identity)
    return redirect(identity.next_url or reverse(settings.LOGIN_REDIRECT_URL))


def _members_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:members"))


def _pending_identity(request: HttpRequest) -> client.Identity | None:
    pending = request.session.get(SESSION_PENDING)
    try:
        if time.time() - float(pending["at"]) >= client.FLOW_SECONDS:
            return None
        return identities.from_session(pending["identity"])
    except (TypeError, KeyError, ValueError):
        return None


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    """An agent ProConnect identified, whose SIRET is of no confirmed buyer organisation:
    propose the organisation (or ask to join the one awaiting confirmation). The account is
    created pending; the coordination of the département confirms it."""
    _require_configured()
    if request.user.is_authenticated:
        return redirect("accounts:account")
    identity = _pending_identity(request)
    if identity is None:
        request.session.pop(SESSION_PENDING, None)
        messages.error(request, _EXPIRED)
        return redirect("accounts:login")
    try:
        # The organisation may have been confirmed meanwhile: then the agent is attached.
        user = identities.account_for(identity, members_url=_members_url(request))
    except identities.SignUpNeeded as needed:
        organisation = needed.organisation
    except identities.Refused as refused:
        return _refuse(request, identity, refused.reason)
    else:
        _log_in(request, user, identity)
        return redirect(identity.next_url or reverse(settings.LOGIN_REDIRECT_URL))
    data = request.POST if request.method == "POST" else None  # an empty POST is bound
    form = ProConnectSignUpForm(data, joining=organisation is not None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = identities.sign_up(identity, **form.cleaned_data)
        except identities.Refused as refused:
            return _refuse(request, identity, refused.reason)
        _log_in(request, membership.user, identity)
        messages.success(
            request,
            "Votre compte est créé. La coordination de votre département doit confirmer votre "
            "organisation (ou votre accès) avant que vous puissiez déposer des demandes.",
        )
        return redirect("accounts:account")
    return render(
        request,
        "accounts/proconnect_signup.html",
        {"form": form, "identity": identity, "organisation": organisation},
    )


@login_not_required
def logout_done(request: HttpRequest) -> HttpResponse:
    expected = request.session.pop(client.SESSION_LOGOUT_STATE, None)
    state = request.GET.get("state", "")
    if expected and state == expected:
        messages.info(request, "Vous êtes déconnecté·e de Clauses et de ProConnect.")
    return redirect(settings.LOGOUT_REDIRECT_URL)

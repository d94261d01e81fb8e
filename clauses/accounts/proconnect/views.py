"""ProConnect's pages: start a login, come back from ProConnect, come back from its
logout. Each answers 404 when ProConnect is not configured."""

import httpx
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from clauses.accounts import services
from clauses.accounts.enums import LoginEventReason
from clauses.accounts.proconnect import client, identities
from clauses.core.http import client_ip

DOOR = "proconnect"
_FAILED = "La connexion avec ProConnect a échoué. Veuillez réessayer."


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


@login_not_required
def callback(request: HttpRequest) -> HttpResponse:
    _require_configured()
    try:
        identity = client.finish(request)
    except (httpx.HTTPError, client.ProConnectError, KeyError, ValueError):
        _journal(request, email="", success=False, reason=LoginEventReason.BAD_CREDENTIALS)
        messages.error(request, _FAILED)
        return redirect("accounts:login")
    if services.login_locked_until(email=identity.email, ip=client_ip(request)):
        _journal(request, email=identity.email, success=False, reason=LoginEventReason.THROTTLED)
        messages.error(request, "Trop de tentatives : la connexion est bloquée un moment.")
        return redirect("accounts:login")
    try:
        user = identities.account_for(identity)
    except identities.Refused as refused:
        if refused.reason == "inactive":
            _journal(request, email=identity.email, success=False, reason=LoginEventReason.INACTIVE)
            messages.error(request, "Ce compte est désactivé.")
        elif refused.reason == "unknown_siret":
            _journal(
                request,
                email=identity.email,
                success=False,
                reason=LoginEventReason.BAD_CREDENTIALS,
            )
            messages.error(
                request,
                format_html(
                    "Votre organisation (SIRET {}) n'est pas encore inscrite sur Clauses. "
                    '<a href="{}">Inscrivez-la</a> : une coordination la confirmera.',
                    identity.siret or "inconnu",
                    reverse("accounts:signup"),
                ),
            )
        else:
            _journal(request, email="", success=False, reason=LoginEventReason.BAD_CREDENTIALS)
            messages.error(request, _FAILED)
        return redirect("accounts:login")
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[client.SESSION_ID_TOKEN] = identity.id_token
    # ProConnect's multi-factor login stands for the second factor (the middleware).
    request.session[client.SESSION_MFA] = identity.multi_factor
    _journal(request, email=user.email, success=True, reason=LoginEventReason.SUCCESS, user=user)
    return redirect(identity.next_url or reverse(settings.LOGIN_REDIRECT_URL))


@login_not_required
def logout_done(request: HttpRequest) -> HttpResponse:
    expected = request.session.pop(client.SESSION_LOGOUT_STATE, None)
    state = request.GET.get("state", "")
    if expected and state == expected:
        messages.info(request, "Vous êtes déconnecté·e de Clauses et de ProConnect.")
    return redirect(settings.LOGOUT_REDIRECT_URL)

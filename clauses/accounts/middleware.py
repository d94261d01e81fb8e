"""Two tiny middlewares: the current membership, and the two-factor gate. The rules live
in `services` (`two_factor_step`) and `memberships` (`current_membership`)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from clauses.accounts import services
from clauses.accounts.memberships import current_membership
from clauses.accounts.proconnect import client as proconnect


class CurrentMembershipMiddleware:
    """Set `request.membership`: the membership chosen in the switcher, else the first
    active one, else None."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = current_membership(request)
        return self.get_response(request)


# Pages a person who must still enrol or verify may open.
_OPEN_URL_NAMES = (
    "accounts:otp_enrol",
    "accounts:otp_verify",
    "accounts:recovery_codes",
    "accounts:logout",
)


class TwoFactorMiddleware:
    """Send a logged-in person who must use two-factor authentication, and has not yet
    done so in this session, to enrolment or verification."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith("/static/"):
            open_paths = {reverse(name) for name in _OPEN_URL_NAMES}
            # A ProConnect login that was multi-factor (`amr` has `mfa`) is the second factor.
            if request.path not in open_paths and not request.session.get(proconnect.SESSION_MFA):
                step = services.two_factor_step(request.user)
                if step:
                    target = reverse(f"accounts:otp_{step}")
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

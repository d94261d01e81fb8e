"""Pages of accounts: login and 2FA, my account, my organisations, members, invitations,
sign-up and its confirmation. Rules live in `services`; these only fetch and render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from clauses.accounts import forms, services
from clauses.accounts.enums import LoginEventReason
from clauses.accounts.memberships import switch_membership, user_memberships
from clauses.accounts.models import Invitation, Membership, Organisation, User
from clauses.accounts.proconnect import client as proconnect
from clauses.core.http import client_ip

RECOVERY_CODES_SESSION_KEY = "clauses_recovery_codes"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


# ---------------------------------------------------------------------------------------
# Login, logout, 2FA
# ---------------------------------------------------------------------------------------


@login_not_required
def login_view(request: HttpRequest, *, door: str = "") -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request, reverse("accounts:account")))
    form = forms.LoginForm(request, data=request.POST or None, door=door)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        services.record_login_event(
            email=user.email,
            success=True,
            reason=LoginEventReason.SUCCESS,
            user=user,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            door=door,
        )
        # The two-factor middleware takes over from here when the user needs it.
        return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
    context = {
        "form": form,
        "next": request.GET.get("next", ""),
        "proconnect": proconnect.is_configured() and not door,
    }
    if settings.DEMO_MODE:
        from clauses.accounts.demo import demo_accounts_for_display

        context["demo_accounts"] = demo_accounts_for_display()
    return render(request, "accounts/login.html", context)


@login_not_required
def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """`/admin/login/` (installed as `admin.site.login`): the site's own login form, so the
    administration has the same throttle, the same journal and the same second factor as
    every other way in. A logged-in account without access to the administration gets a
    403, not a login loop."""
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(_next_url(request, reverse("admin:index")))
        raise PermissionDenied("Votre compte n'a pas accès à l'administration.")
    if "next" not in request.GET and "next" not in request.POST:
        return redirect(f"{request.path}?next={reverse('admin:index')}")
    return login_view(request, door="admin")


@login_not_required
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        id_token = request.session.get(proconnect.SESSION_ID_TOKEN, "")
        auth_logout(request)
        # Signed in through ProConnect: end its session too (it comes back to us).
        provider_logout = proconnect.logout_url(request, id_token) if id_token else None
        if provider_logout:
            return redirect(provider_logout)
        messages.info(request, "Vous êtes déconnecté·e.")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/logout.html")


def otp_enrol(request: HttpRequest) -> HttpResponse:
    if services.user_has_2fa(request.user):
        return redirect("accounts:account")
    device = services.get_enrolment_device(user=request.user)
    form = forms.OtpTokenForm(request.POST or None)
    form.fields["token"].help_text = "Les 6 chiffres affichés par votre application."
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp_enrolment(
            user=request.user, device=device, token=form.cleaned_data["token"]
        )
        if codes is None:
            form.add_error(
                "token",
                "Code incorrect. Vérifiez que l'heure de votre téléphone est à jour et "
                "saisissez le code affiché.",
            )
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            messages.success(request, "La double authentification est activée.")
            return redirect(
                f"{reverse('accounts:recovery_codes')}?next="
                f"{_next_url(request, reverse('accounts:account'))}"
            )
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr_svg": services.totp_qr_svg(device),
            "secret": services.totp_secret(device),
            "required": services.user_needs_2fa(request.user),
            "next": request.GET.get("next", ""),
        },
    )


def otp_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified() or not services.user_has_2fa(request.user):
        return redirect(_next_url(request, reverse("accounts:account")))
    form = forms.OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meta = {
            "email": request.user.email,
            "user": request.user,
            "ip": client_ip(request),
            "user_agent": request.headers.get("user-agent", ""),
        }
        until = services.login_locked_until(email=request.user.email, ip=meta["ip"])
        if until:
            # The second factor shares the login's throttle: too many wrong codes lock it.
            services.record_login_event(success=False, reason=LoginEventReason.THROTTLED, **meta)
            form.add_error(
                "token",
                "Trop de codes incorrects. Par sécurité, la vérification est bloquée jusqu'à "
                f"{timezone.localtime(until):%H h %M}.",
            )
            return render(
                request,
                "accounts/otp_verify.html",
                {"form": form, "next": request.GET.get("next", "")},
            )
        result = services.verify_second_factor(user=request.user, token=form.cleaned_data["token"])
        if result.device is None:
            services.record_login_event(success=False, reason=LoginEventReason.OTP_FAILED, **meta)
            form.add_error(
                "token",
                "Code incorrect ou expiré. Saisissez le code affiché par votre application, "
                "ou un code de secours non encore utilisé.",
            )
        else:
            otp_login(request, result.device)
            services.record_login_event(
                success=True,
                reason=(
                    LoginEventReason.RECOVERY_CODE_USED
                    if result.recovery_code_used
                    else LoginEventReason.OTP_SUCCESS
                ),
                **meta,
            )
            if result.recovery_code_used:
                left = services.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    f"Vous avez utilisé un code de secours ; il vous en reste {left}. "
                    "Vous pouvez en générer de nouveaux depuis votre compte.",
                )
            return redirect(_next_url(request, reverse("accounts:account")))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )


def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show freshly generated recovery codes, once."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("accounts:account")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": _next_url(request, reverse("accounts:account"))},
    )


@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    if not services.user_has_2fa(request.user):
        raise PermissionDenied
    request.session[RECOVERY_CODES_SESSION_KEY] = services.regenerate_recovery_codes(
        user=request.user
    )
    return redirect("accounts:recovery_codes")


# ---------------------------------------------------------------------------------------
# My account
# ---------------------------------------------------------------------------------------


def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_2fa": services.user_has_2fa(user),
            "needs_2fa": services.user_needs_2fa(user),
            "recovery_codes_left": services.recovery_codes_left(user),
            "memberships": user_memberships(user),
            "pending_email_change": user.email_change_requests.filter(confirmed_at=None)
            .order_by("-created_at")
            .first(),
        },
    )


def email_change(request: HttpRequest) -> HttpResponse:
    form = forms.EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_email_change(
                user=request.user,
                new_email=form.cleaned_data["new_email"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            form.add_error("new_email", error)
        else:
            messages.success(
                request,
                "Un lien de confirmation a été envoyé à la nouvelle adresse. Votre adresse "
                "ne changera qu'après la confirmation.",
            )
            return redirect("accounts:account")
    return render(request, "accounts/email_change.html", {"form": form})


@login_not_required
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return render(request, "accounts/email_confirm.html", {"error": None})
    try:
        services.confirm_email_change(raw_token=token)
    except ValidationError as error:
        return render(request, "accounts/email_confirm.html", {"error": error.messages[0]})
    messages.success(request, "Votre nouvelle adresse électronique est confirmée.")
    return redirect("accounts:account" if request.user.is_authenticated else "accounts:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        messages.success(self.request, "Votre mot de passe a été changé.")
        return response


def deactivate(request: HttpRequest) -> HttpResponse:
    form = forms.DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.deactivate_user(user=request.user, by=request.user)
        auth_logout(request)
        messages.info(request, "Votre compte est désactivé. Son historique est conservé.")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/deactivate.html", {"form": form})


# ---------------------------------------------------------------------------------------
# Organisations and members
# ---------------------------------------------------------------------------------------


def organisations(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            membership_id = int(request.POST.get("membership", ""))
        except ValueError:
            raise Http404 from None
        membership = switch_membership(request, membership_id)
        if membership is None:
            raise Http404
        messages.success(request, f"Vous agissez maintenant pour {membership.organisation.name}.")
        return redirect(_next_url(request, reverse("accounts:organisations")))
    return render(
        request, "accounts/organisations.html", {"memberships": user_memberships(request.user)}
    )


def _admin_membership(request: HttpRequest) -> Membership:
    if not services.can_manage_members(request.membership):
        raise PermissionDenied("Seuls les administrateurs de l'organisation gèrent ses membres.")
    return request.membership


def members(request: HttpRequest) -> HttpResponse:
    current = _admin_membership(request)
    organisation = current.organisation
    rows = list(
        organisation.memberships.active()
        .select_related("user", "facilitator")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    deactivatable = services.deactivatable_user_ids(
        request.user, current, [row.user for row in rows]
    )
    return render(
        request,
        "accounts/members.html",
        {
            "organisation": organisation,
            "rows": [
                {
                    "membership": row,
                    "form": forms.MemberRoleForm(
                        initial={
                            "role": row.role,
                            "is_organisation_admin": row.is_organisation_admin,
                        },
                        membership=row,
                        prefix=f"m{row.pk}",
                    ),
                    "can_deactivate": row.user_id != request.user.pk
                    and row.user_id in deactivatable,
                }
                for row in rows
            ],
            "invitations": services.invitations_managed_by(current),
        },
    )


def _member_of_my_organisation(request: HttpRequest, pk: int) -> Membership:
    current = _admin_membership(request)
    return get_object_or_404(
        current.organisation.memberships.active().select_related("user", "organisation"), pk=pk
    )


@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _member_of_my_organisation(request, pk)
    form = forms.MemberRoleForm(request.POST, membership=membership, prefix=f"m{pk}")
    if form.is_valid():
        try:
            services.change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                is_organisation_admin=form.cleaned_data["is_organisation_admin"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"Le rôle de {membership.user} est mis à jour.")
    else:
        messages.error(request, "Choisissez un rôle valide.")
    return redirect("accounts:members")


@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _member_of_my_organisation(request, pk)
    if membership.user_id == request.user.pk:
        messages.error(request, "Vous ne pouvez pas vous retirer vous-même de l'organisation.")
    else:
        services.end_membership(membership=membership, by=request.user)
        messages.success(request, f"{membership.user} ne fait plus partie de l'organisation.")
    return redirect("accounts:members")


@require_POST
def member_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _member_of_my_organisation(request, pk)
    services.confirm_membership(membership=membership, by=request.user)
    messages.success(request, f"{membership.user} est confirmé·e.")
    return redirect("accounts:members")


@require_POST
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _member_of_my_organisation(request, pk)
    user = membership.user
    if user.pk == request.user.pk or not services.can_deactivate(
        request.user, request.membership, user
    ):
        raise PermissionDenied
    services.deactivate_user(user=user, by=request.user)
    messages.success(request, f"Le compte de {user} est désactivé.")
    return redirect("accounts:members")


def invite(request: HttpRequest) -> HttpResponse:
    if not services.can_invite(request.membership):
        raise PermissionDenied("Vous ne pouvez pas inviter de personnes.")
    form = forms.InvitationForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation, _raw = services.send_invitation(
            organisation=data["organisation"],
            email=data["email"],
            role=data["role"],
            invited_by=request.user,
            base_url=_base_url(request),
            is_organisation_admin=data["is_organisation_admin"],
            facilitator=data.get("facilitator"),
        )
        messages.success(
            request,
            f"Invitation envoyée à {invitation.email} pour rejoindre "
            f"{invitation.organisation.name}.",
        )
        return redirect("accounts:invite")
    return render(
        request,
        "accounts/invite.html",
        {
            "form": form,
            "invitations": services.invitations_managed_by(request.membership),
            "INVITATION_DAYS": settings.CLAUSES_INVITATION_DAYS,
        },
    )


@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if request.membership is None:
        raise Http404
    invitation = get_object_or_404(services.invitations_managed_by(request.membership), pk=pk)
    services.revoke_invitation(invitation=invitation, by=request.user)
    messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    if request.POST.get("from") == "members":
        return redirect("accounts:members")
    return redirect("accounts:invite")


def _now_used(invitation: Invitation) -> bool:
    invitation.refresh_from_db(fields=["accepted_at", "revoked_at"])
    return invitation.status != "pending"


def _invitation_refused(
    request: HttpRequest, context: dict, invitation: Invitation, exc: ValidationError
) -> HttpResponse:
    """The acceptance was refused (another tab or person used the link meanwhile): say why,
    without offering the form again when the invitation is no longer pending."""
    context["error"] = exc.messages[0]
    if _now_used(invitation):
        context["form"] = None
        return render(request, "accounts/invitation.html", context, status=409)
    return render(request, "accounts/invitation.html", context)


@login_not_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = services.find_invitation(token)
    if found is None:
        raise Http404("Invitation inconnue.")
    error = services.invitation_error(found)
    context: dict = {"invitation": found, "error": error, "form": None, "existing": False}
    if error:
        return render(request, "accounts/invitation.html", context, status=410)
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.accept_invitation(invitation=found, user=user)
            except ValidationError as exc:
                return _invitation_refused(request, context, found, exc)
            else:
                switch_membership(request, membership.pk)
                messages.success(request, f"Vous avez rejoint {found.organisation.name}.")
                return redirect("accounts:organisations")
        return render(request, "accounts/invitation.html", context)
    if User.objects.filter(email__iexact=found.email).exists():
        context["existing"] = True
        return render(request, "accounts/invitation.html", context)
    form = forms.AcceptInvitationForm(request.POST or None, email=found.email)
    if request.method == "POST" and form.is_valid():
        try:
            new_user, membership = services.accept_invitation_as_new_user(
                invitation=found,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            if _now_used(found):
                return _invitation_refused(request, context, found, exc)
            context["error"] = exc.messages[0]
        else:
            auth_login(request, new_user, backend=BACKEND)
            switch_membership(request, membership.pk)
            messages.success(
                request,
                f"Bienvenue ! Vous avez rejoint {found.organisation.name}.",
            )
            return redirect("accounts:account")
    context["form"] = form
    return render(request, "accounts/invitation.html", context)


# ---------------------------------------------------------------------------------------
# Sign-up of buyer agents and its confirmation by coordinations
# ---------------------------------------------------------------------------------------


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = services.sign_up_buyer(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password1"],
            organisation_name=data["organisation_name"],
            siret=data["siret"],
            buyer_category=data["buyer_category"],
            department=data["department"],
        )
        auth_login(request, membership.user, backend=BACKEND)
        messages.success(
            request,
            "Votre compte est créé. La coordination de votre département doit confirmer votre "
            "organisation avant que vous puissiez déposer des demandes.",
        )
        return redirect("accounts:account")
    return render(request, "accounts/signup.html", {"form": form})


def _coordination(request: HttpRequest):  # type: ignore[no-untyped-def]
    coordination = services.coordination_of(request.membership)
    if coordination is None:
        raise PermissionDenied("Cette page est réservée aux coordinations.")
    return coordination


def confirmations(request: HttpRequest) -> HttpResponse:
    coordination = _coordination(request)
    organisations_qs, memberships_qs = services.awaiting_confirmation(coordination)
    organisations_qs = organisations_qs.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.active().select_related("user"))
    )
    return render(
        request,
        "accounts/confirmations.html",
        {"organisations": organisations_qs, "pending_memberships": memberships_qs},
    )


@require_POST
def confirm_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    organisations_qs, _ = services.awaiting_confirmation(_coordination(request))
    organisation: Organisation = get_object_or_404(organisations_qs, pk=pk)
    services.confirm_organisation(organisation=organisation, by=request.user)
    messages.success(request, f"{organisation.name} est confirmée.")
    return redirect("accounts:confirmations")


@require_POST
def confirm_membership(request: HttpRequest, pk: int) -> HttpResponse:
    _, memberships_qs = services.awaiting_confirmation(_coordination(request))
    membership = get_object_or_404(memberships_qs, pk=pk)
    if request.POST.get("decision") == "refuse":
        services.end_membership(membership=membership, by=request.user)
        messages.success(request, f"La demande de {membership.user} est refusée.")
    else:
        services.confirm_membership(membership=membership, by=request.user)
        messages.success(
            request, f"{membership.user} est confirmé·e dans {membership.organisation}."
        )
    return redirect("accounts:confirmations")

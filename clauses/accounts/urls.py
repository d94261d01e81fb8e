from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from clauses.accounts import forms, views
from clauses.accounts.proconnect import views as proconnect_views

app_name = "accounts"


def _public(view):  # type: ignore[no-untyped-def]
    return login_not_required(view)


urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("inscription/", views.signup, name="signup"),
    # ProConnect (404 unless configured)
    path("proconnect/", proconnect_views.start, name="proconnect_login"),
    path("proconnect/retour/", proconnect_views.callback, name="proconnect_callback"),
    path("proconnect/inscription/", proconnect_views.signup, name="proconnect_signup"),
    path("proconnect/deconnexion/", proconnect_views.logout_done, name="proconnect_logout_done"),
    path("", views.account, name="account"),
    # Two-factor authentication
    path("double-authentification/activer/", views.otp_enrol, name="otp_enrol"),
    path("double-authentification/verifier/", views.otp_verify, name="otp_verify"),
    path("double-authentification/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path(
        "double-authentification/codes-de-secours/regenerer/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    # My account
    path("adresse/", views.email_change, name="email_change"),
    path("adresse/confirmer/<str:token>/", views.email_confirm, name="email_confirm"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("desactiver/", views.deactivate, name="deactivate"),
    # Password reset (public)
    path(
        "mot-de-passe/oublie/",
        _public(
            auth_views.PasswordResetView.as_view(
                form_class=forms.PasswordResetForm,
                template_name="accounts/password_reset.html",
                email_template_name="accounts/emails/password_reset.txt",
                subject_template_name="accounts/emails/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        _public(
            auth_views.PasswordResetDoneView.as_view(
                template_name="accounts/password_reset_done.html"
            )
        ),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        _public(
            auth_views.PasswordResetConfirmView.as_view(
                form_class=forms.SetPasswordForm,
                template_name="accounts/password_reset_confirm.html",
                success_url=reverse_lazy("accounts:password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        _public(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
    # Organisations, members, invitations
    path("organisations/", views.organisations, name="organisations"),
    path("organisation/membres/", views.members, name="members"),
    path("organisation/membres/<int:pk>/role/", views.member_role, name="member_role"),
    path("organisation/membres/<int:pk>/retirer/", views.member_remove, name="member_remove"),
    path("organisation/membres/<int:pk>/confirmer/", views.member_confirm, name="member_confirm"),
    path(
        "organisation/membres/<int:pk>/desactiver/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path("organisation/inviter/", views.invite, name="invite"),
    path(
        "organisation/invitations/<int:pk>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    # Coordinations
    path("organisations-a-confirmer/", views.confirmations, name="confirmations"),
    path(
        "organisations-a-confirmer/<int:pk>/confirmer/",
        views.confirm_organisation,
        name="confirm_organisation",
    ),
    path(
        "organisations-a-confirmer/membres/<int:pk>/",
        views.confirm_membership,
        name="confirm_membership",
    ),
]

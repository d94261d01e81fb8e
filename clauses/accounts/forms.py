"""Forms of accounts, all rendered by the DSFR (`{{ form }}`)."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

from clauses.accounts import services
from clauses.accounts.enums import BuyerCategory, LoginEventReason, Role
from clauses.accounts.models import Membership, User
from clauses.accounts.validators import normalize_company_number, validate_siret
from clauses.core.forms import DsfrForm
from clauses.core.http import client_ip
from clauses.network.models import Facilitator, FacilitatorStructure
from clauses.territories.models import Department


class LoginForm(DsfrForm, auth_forms.AuthenticationForm):
    """Email and password, with the attempt logged and too many failures blocked."""

    username = auth_forms.UsernameField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
        "locked": "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est "
        "bloquée jusqu'à %(until)s. Vous pouvez aussi réinitialiser votre mot de passe.",
    }

    def __init__(self, *args: object, door: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.door = door  # "admin" for /admin/login/: same form, same throttle, same journal

    def clean(self) -> dict:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        password = self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        meta = {
            "ip": client_ip(self.request),
            "user_agent": self.request.headers.get("user-agent", "") if self.request else "",
            "door": self.door,
        }
        until = services.login_locked_until(email=email, ip=meta["ip"])
        if until:
            services.record_login_event(
                email=email, success=False, reason=LoginEventReason.THROTTLED, **meta
            )
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"until": timezone.localtime(until).strftime("%H h %M")},
            )
        try:
            return super().clean()
        except ValidationError:
            known = User.objects.filter(email__iexact=email).first()
            reason = (
                LoginEventReason.INACTIVE
                if known and not known.is_active and known.check_password(password)
                else LoginEventReason.BAD_CREDENTIALS
            )
            services.record_login_event(
                email=email, success=False, reason=reason, user=known, **meta
            )
            raise ValidationError(
                self.error_messages["invalid_login"], code="invalid_login"
            ) from None


class OtpTokenForm(DsfrForm):
    token = forms.CharField(
        label="Code de vérification",
        help_text="Les 6 chiffres affichés par votre application, ou un code de secours.",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordResetForm(DsfrForm, auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, *args: object, request: object = None, **kwargs: object) -> None:  # type: ignore[override]
        """Send the reset email unless this address or this IP asked too often lately
        (`services.password_reset_allowed`); each request is a line of the login journal.
        The page answers the same in every case, known address or not."""
        email = self.cleaned_data["email"].strip().lower()
        meta = {
            "email": email,
            "ip": client_ip(request),  # type: ignore[arg-type]
            "user_agent": request.headers.get("user-agent", "") if request else "",  # type: ignore[attr-defined]
            "door": "password_reset",
        }
        if not services.password_reset_allowed(email=email, ip=meta["ip"]):
            services.record_login_event(success=False, reason=LoginEventReason.THROTTLED, **meta)
            return
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        services.record_login_event(
            success=user is not None, reason=LoginEventReason.PASSWORD_RESET, user=user, **meta
        )
        super().save(*args, request=request, **kwargs)  # type: ignore[arg-type]


class SetPasswordForm(DsfrForm, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(DsfrForm, auth_forms.PasswordChangeForm):
    pass


class NewPasswordFields(DsfrForm):
    """Name and password of a new account (sign-up, accepted invitation)."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, pas uniquement des chiffres ni un mot courant.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def email_for_validation(self) -> str:
        return ""

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif password1:
            probe = User(
                email=self.email_for_validation(),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AcceptInvitationForm(NewPasswordFields):
    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def email_for_validation(self) -> str:
        return self.email


class SignUpForm(NewPasswordFields):
    field_order = [
        "email",
        "first_name",
        "last_name",
        "password1",
        "password2",
        "organisation_name",
        "siret",
        "buyer_category",
        "department",
    ]

    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation_name = forms.CharField(
        label="Nom de votre organisation",
        max_length=250,
        help_text="Par exemple : Ville de Montreuil, Seine-Saint-Denis Habitat.",
    )
    siret = forms.CharField(
        label="SIRET de votre organisation",
        max_length=20,
        help_text="14 chiffres, à retrouver sur annuaire-entreprises.data.gouv.fr.",
    )
    buyer_category = forms.ChoiceField(label="Catégorie d'acheteur", choices=BuyerCategory.choices)
    department = forms.ModelChoiceField(
        label="Département", queryset=Department.objects.order_by("code"), empty_label=None
    )

    def email_for_validation(self) -> str:
        return self.cleaned_data.get("email", "")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                "Un compte existe déjà avec cette adresse. Connectez-vous ou réinitialisez "
                "votre mot de passe."
            )
        return email

    def clean_siret(self) -> str:
        siret = normalize_company_number(self.cleaned_data["siret"])
        validate_siret(siret)
        return siret


class EmailChangeForm(DsfrForm):
    new_email = forms.EmailField(
        label="Nouvelle adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("Mot de passe incorrect.")
        return password

    def clean_new_email(self) -> str:
        email = self.cleaned_data["new_email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("Cette adresse est déjà utilisée par un compte.")
        return email


class DeactivateForm(DsfrForm):
    confirm = forms.BooleanField(
        label="Je comprends que je ne pourrai plus me connecter avec ce compte.",
        required=True,
    )


class InvitationForm(DsfrForm):
    """Invite someone into one's organisation, or (coordinators) into a facilitator
    structure of one's territory, optionally linked to the directory entry."""

    facilitator = forms.ModelChoiceField(
        label="Fiche de l'annuaire (facilitateur·rice)",
        queryset=Facilitator.objects.none(),
        required=False,
        help_text="La personne rejoindra sa structure avec le rôle de facilitateur·rice.",
    )
    structure = forms.ModelChoiceField(
        label="Structure facilitatrice",
        queryset=FacilitatorStructure.objects.none(),
        required=False,
        help_text="Laissez vide pour inviter dans votre propre organisation.",
    )
    email = forms.EmailField(label="Adresse électronique de la personne invitée")
    role = forms.ChoiceField(label="Rôle", choices=())
    is_organisation_admin = forms.BooleanField(
        label="Administrateur·rice de l'organisation (peut inviter et gérer les membres)",
        required=False,
    )

    def __init__(self, *args: object, membership: Membership, **kwargs: object) -> None:
        self.membership = membership
        super().__init__(*args, **kwargs)
        coordination = services.coordination_of(membership)
        if coordination is None:
            del self.fields["facilitator"]
            del self.fields["structure"]
        else:
            structures = services.coordinated_structures(coordination).order_by("name")
            self.fields["structure"].queryset = structures
            self.fields["facilitator"].queryset = (
                Facilitator.objects.filter(structure__in=structures, is_active=True)
                .select_related("structure")
                .order_by("last_name", "first_name")
            )
            self.fields["email"].required = False
            self.fields[
                "email"
            ].help_text = (
                "Facultative si vous choisissez une fiche de l'annuaire qui a une adresse."
            )
        own_roles = services.invitable_roles(membership, membership.organisation)
        roles = set(own_roles) | ({Role.FACILITATOR} if coordination else set())
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r in roles]
        if not services.can_manage_members(membership):
            del self.fields["is_organisation_admin"]

    def clean(self) -> dict:
        cleaned = super().clean()
        facilitator = cleaned.get("facilitator")
        structure = cleaned.get("structure")
        if facilitator:
            structure = facilitator.structure
            cleaned["role"] = Role.FACILITATOR
            cleaned["email"] = cleaned.get("email") or facilitator.email
        if structure:
            cleaned["organisation"] = services.organisation_for_structure(structure)
            cleaned["role"] = Role.FACILITATOR
        else:
            cleaned["organisation"] = self.membership.organisation
        if not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Indiquez l'adresse électronique de la personne invitée.")
        role = cleaned.get("role")
        if role and role not in cleaned["organisation"].allowed_roles:
            self.add_error("role", "Ce rôle ne correspond pas au type de l'organisation.")
        cleaned.setdefault("is_organisation_admin", False)
        return cleaned


class MemberRoleForm(DsfrForm):
    role = forms.ChoiceField(label="Rôle", choices=())
    is_organisation_admin = forms.BooleanField(
        label="Administrateur·rice de l'organisation", required=False
    )

    def __init__(self, *args: object, membership: Membership, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        allowed = membership.organisation.allowed_roles - {Role.ADMIN}
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r in allowed]

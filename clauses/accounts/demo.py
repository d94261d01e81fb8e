"""Demo accounts: one per role, on the demo network (`clauses.network.demo` runs first).

Every account has the same password, and those whose role requires two-factor
authentication are enrolled with the SAME, public TOTP secret and the same recovery codes,
so that a visitor can add the secret to an authenticator app (or read the current code on
the login page). Never created outside demo mode: the secret is public.

Idempotent: accounts are upserted by email, organisations by their link or name, and the
2FA devices are reset to the documented values on each run.
"""

import base64
from dataclasses import dataclass
from typing import TextIO

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses.accounts import services
from clauses.accounts.enums import ROLES_REQUIRING_2FA, BuyerCategory, OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation, User
from clauses.accounts.validators import luhn_complete
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure
from clauses.territories.models import Department

DEMO_PASSWORD = "demo-Clauses-2026"  # noqa: S105 (public demo password)
# Public on purpose (demo only): base 32, as typed in an authenticator app.
DEMO_TOTP_SECRET = "CLAUSESDEMOCLAUSESDEMOCLAUSES234"  # noqa: S105
DEMO_RECOVERY_CODES = [f"secours{n:02d}" for n in range(1, 11)]
DEMO_DEPARTMENT = "93"
# The demo company holds lots of the demo markets (clauses.markets.demo uses this name).
DEMO_COMPANY_NAME = "Bâtiment Démo Construction (démo)"

REFUSED = (
    "Les comptes de démonstration ne sont créés qu'en mode démonstration "
    "(CLAUSES_DEMO_MODE=1) : leur mot de passe et leur secret de double authentification "
    "sont publics."
)


@dataclass(frozen=True)
class DemoAccount:
    key: str
    label: str
    email: str
    role: str | None

    @property
    def needs_2fa(self) -> bool:
        return self.role is None or self.role in ROLES_REQUIRING_2FA


DEMO_ACCOUNTS = [
    DemoAccount("buyer", "Agent acheteur", "acheteur@demo.clauses.example", Role.BUYER_AGENT),
    DemoAccount(
        "company", "Contact entreprise", "entreprise@demo.clauses.example", Role.COMPANY_CONTACT
    ),
    DemoAccount(
        "facilitator", "Facilitatrice (93)", "facilitateur@demo.clauses.example", Role.FACILITATOR
    ),
    DemoAccount(
        "departmental",
        "Coordination départementale (93)",
        "coordination93@demo.clauses.example",
        Role.COORDINATOR,
    ),
    DemoAccount(
        "regional",
        "Coordination régionale (GIP Maximilien)",
        "coordination-regionale@demo.clauses.example",
        Role.COORDINATOR,
    ),
    DemoAccount(
        "national",
        "Coordination nationale",
        "coordination-nationale@demo.clauses.example",
        Role.COORDINATOR,
    ),
    DemoAccount("partner", "Partenaire emploi", "partenaire@demo.clauses.example", Role.PARTNER),
    DemoAccount(
        "admin", "Administrateur·rice de la plateforme", "admin@demo.clauses.example", None
    ),
]


def demo_key() -> bytes:
    return base64.b32decode(DEMO_TOTP_SECRET)


def current_demo_code() -> str:
    return f"{totp(demo_key()):06d}"


def demo_siret(number: int) -> str:
    """A SIRET with valid keys in a range no real company uses (SIREN starting with 99)."""
    siren = luhn_complete(f"99{number:06d}")
    return luhn_complete(f"{siren}0001")


def _department() -> Department:
    return Department.objects.get(code=DEMO_DEPARTMENT)


def _coordination_org(coordination: Coordination) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        coordination=coordination,
        defaults={
            "kind": OrganisationKind.COORDINATION,
            "name": coordination.name,
            "department": coordination.department,
        },
    )
    return organisation


def _named_org(name: str, **fields: object) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(name=name, defaults=fields)
    return organisation


def _demo_structure() -> tuple[FacilitatorStructure, Facilitator]:
    structure = (
        FacilitatorStructure.objects.filter(
            is_demo=True, coordination__department__code=DEMO_DEPARTMENT
        )
        .order_by("name")
        .first()
    )
    if structure is None:
        raise CommandError(
            "Aucune structure facilitatrice de démonstration en Seine-Saint-Denis : "
            "lancez d'abord le réseau de démonstration (seed_demo)."
        )
    facilitator = structure.facilitators.order_by("last_name", "first_name", "pk").first()
    if facilitator is None:
        facilitator = Facilitator.objects.create(
            first_name="Camille", last_name="Démo", structure=structure, is_demo=True
        )
    return structure, facilitator


def _organisations() -> dict[str, tuple[Organisation, dict]]:
    department = _department()
    coordinations = {
        "departmental": Coordination.objects.filter(
            level=CoordinationLevel.DEPARTMENTAL, department=department
        ).first(),
        "regional": Coordination.objects.filter(
            level=CoordinationLevel.REGIONAL, region=department.region
        ).first(),
        "national": Coordination.objects.filter(level=CoordinationLevel.NATIONAL).first(),
    }
    missing = [key for key, value in coordinations.items() if value is None]
    if missing:
        raise CommandError(
            "Le squelette du réseau est incomplet (coordinations manquantes : "
            f"{', '.join(missing)}) : lancez d'abord load_reference --wet-run."
        )
    structure, facilitator = _demo_structure()
    result = {
        "buyer": (
            _named_org(
                "Ville de Démo-sur-Seine (démo)",
                kind=OrganisationKind.BUYER,
                siret=demo_siret(1),
                siren=demo_siret(1)[:9],
                buyer_category=BuyerCategory.COMMUNE,
                department=department,
                is_confirmed=True,
            ),
            {"is_organisation_admin": True},
        ),
        "company": (
            _named_org(
                DEMO_COMPANY_NAME,
                kind=OrganisationKind.COMPANY,
                siret=demo_siret(2),
                siren=demo_siret(2)[:9],
                department=department,
            ),
            {"is_organisation_admin": True},
        ),
        "facilitator": (
            services.organisation_for_structure(structure),
            {"is_organisation_admin": True, "facilitator": facilitator},
        ),
        "partner": (
            _named_org(
                "Mission locale de Démo (démo)",
                kind=OrganisationKind.PARTNER,
                siret=demo_siret(3),
                siren=demo_siret(3)[:9],
                department=department,
            ),
            {"is_organisation_admin": True},
        ),
    }
    for key, coordination in coordinations.items():
        result[key] = (_coordination_org(coordination), {"is_organisation_admin": True})
    return result


def _enrol_2fa(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(
        user=user, name=services.TOTP_DEVICE_NAME, key=demo_key().hex(), confirmed=True
    )
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=services.RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=code) for code in DEMO_RECOVERY_CODES]
    )


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    if not settings.DEMO_MODE:
        raise CommandError(REFUSED)
    organisations = _organisations()
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=account.email,
            defaults={
                "first_name": account.label.split(" ")[0],
                "last_name": "Démo",
                "is_active": True,
                "deactivated_at": None,
                "is_staff": account.role is None,
                "is_superuser": account.role is None,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if account.role is not None:
            organisation, extra = organisations[account.key]
            Membership.objects.update_or_create(
                user=user,
                organisation=organisation,
                is_active=True,
                defaults={"role": account.role, "is_confirmed": True, **extra},
            )
        if account.needs_2fa:
            _enrol_2fa(user)
    stdout.write(f"Comptes de démonstration : {len(DEMO_ACCOUNTS)} prêts.\n")


def demo_accounts_for_display() -> dict:
    """What the login page shows in demo mode."""
    existing = set(
        User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).values_list(
            "email", flat=True
        )
    )
    code = current_demo_code()
    return {
        "password": DEMO_PASSWORD,
        "totp_secret": DEMO_TOTP_SECRET,
        "recovery_codes": DEMO_RECOVERY_CODES[:3],
        "rows": [
            {
                "label": account.label,
                "email": account.email,
                "current_code": code if account.needs_2fa else "",
            }
            for account in DEMO_ACCOUNTS
            if account.email in existing
        ],
    }

"""Demo markets: an urban renewal operation in Seine-Saint-Denis, markets across every
status for the demo buyer and other demo buyers (in Seine-Saint-Denis, and in Paris,
Hauts-de-Seine and Val-de-Marne, followed by a demo structure of their département), lots
with insertion clauses computed by the calculator, demo companies (valid SIRETs) as
contractors, meetings, one market in the mandatory-condition-missing list, and one market
converted from a demo desk request. Markets in execution get their planned end (start +
duration), closed ones end in the past, so that progress, schedule and penalties show.

Everything goes through the services (events, checks). Idempotent: demo markets
(`is_demo=True`) are deleted and built again; demo organisations and the operation are
upserted by SIRET and name.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clauses.access.actors import Actor
from clauses.accounts.demo import DEMO_COMPANY_NAME
from clauses.accounts.enums import BuyerCategory, OrganisationKind
from clauses.accounts.models import Organisation, User
from clauses.accounts.validators import luhn_complete
from clauses.core.dates import add_months
from clauses.desk.models import Request
from clauses.markets import services
from clauses.markets.enums import (
    ConsiderationKind,
    ContractorRole,
    EligiblePublic,
    MarketStatus,
    MeetingKind,
    OperationKind,
    Procedure,
)
from clauses.markets.models import Lot, Market, Meeting, Operation
from clauses.network.models import FacilitatorStructure
from clauses.territories.models import Commune, CpvCode, Department

DEMO_BUYER_NAME = "Ville de Démo-sur-Seine (démo)"
OPERATION_NAME = "NPNRU quartier des Démo-Moulins (démo)"


def demo_siret(number: int) -> str:
    """Valid keys (Luhn on the SIREN, then the SIRET), in a range no real company uses."""
    return luhn_complete(luhn_complete(f"99800{number:03d}") + "0001")


# key: (name, category, département code)
OTHER_BUYERS = {
    "landlord": (
        "Démo Habitat, office public de l'habitat (démo)",
        BuyerCategory.SOCIAL_LANDLORD,
        "93",
    ),
    "department": ("Département de démonstration (démo)", BuyerCategory.DEPARTMENT, "93"),
    "state": ("Direction régionale de l'État démo (démo)", BuyerCategory.STATE, "93"),
    "paris": ("Paris Démo Habitat, bailleur social (démo)", BuyerCategory.SOCIAL_LANDLORD, "75"),
    "hauts": ("Ville de Démo-les-Hauts (démo)", BuyerCategory.COMMUNE, "92"),
    "val": ("Démo Val-de-Marne Agglomération (démo)", BuyerCategory.EPCI, "94"),
}
# "btp" is the demo company account's organisation (clauses.accounts.demo): logging in as
# the demo company shows the lots it holds, their clauses, participants and declarations.
COMPANIES = {
    "btp": DEMO_COMPANY_NAME,
    "peinture": "Couleurs Démo Peinture (démo)",
    "proprete": "Démo Propreté Services (démo)",
    "ei": "Démo Insertion, entreprise d'insertion (démo)",
    "etti": "Intérim Démo Insertion, ETTI (démo)",
    # the second demo company, holder of the lots in the other départements
    "idf": "Démo Bâtisseurs Franciliens (démo)",
}
COMPANY_DEPARTMENTS = {"idf": "92"}  # else Seine-Saint-Denis
# The clause whose hours stop (behind schedule) and the closed market that ends short of
# its target (penalty per missing hour): clauses.hours.demo caps their hours.
BEHIND_REFERENCE = "DEMO-2026-019"
ENDED_SHORT_REFERENCE = "DEMO-2026-015"

PUBLICS = [
    EligiblePublic.LONG_TERM_UNEMPLOYED,
    EligiblePublic.MINIMUM_INCOME,
    EligiblePublic.YOUTH,
    EligiblePublic.QPV_RESIDENTS,
]


@dataclass(frozen=True)
class LotSpec:
    title: str
    amount: int
    preset: str | None = "batiment"
    holder: str | None = None
    cleaning_months: int | None = None
    transferred_hours: int = 0
    co_contractor: str | None = None


@dataclass(frozen=True)
class MarketSpec:
    reference: str
    subject: str
    buyer: str  # "demo" or a key of OTHER_BUYERS
    cpv: str
    kind: str
    status: str
    consultation_in_days: int  # relative to today (negative: in the past)
    communes: tuple[str, ...]
    lots: tuple[LotSpec, ...] = field(default_factory=tuple)
    operation: bool = False
    procedure: str = Procedure.ADAPTED
    derogation: str = ""
    closed_in_days: int = 0  # a closed market: day of its closure, relative to today


S = MarketStatus
SPECS = [
    MarketSpec(
        "DEMO-2026-001",
        "Démolition et reconstruction de 120 logements, îlot A",
        "landlord",
        "45210000",
        "works",
        S.IN_EXECUTION,
        -300,
        ("93066",),
        (
            LotSpec("Démolition", 1_200_000, "anru_travaux", holder="btp"),
            LotSpec("Gros œuvre", 6_500_000, "anru_travaux", holder="btp", co_contractor="ei"),
            LotSpec("Peinture", 900_000, "peinture", holder="peinture"),
        ),
        operation=True,
        procedure=Procedure.OPEN,
    ),
    MarketSpec(
        "DEMO-2026-002",
        "Aménagement des espaces publics du quartier",
        "demo",
        "45233140",
        "works",
        S.AWARDED,
        -120,
        ("93066",),
        (LotSpec("Voirie et réseaux", 2_400_000, "anru_travaux", holder="btp"),),
        operation=True,
    ),
    MarketSpec(
        "DEMO-2026-003",
        "Gestion urbaine de proximité : entretien des espaces extérieurs",
        "landlord",
        "77310000",
        "services",
        S.IN_EXECUTION,
        -200,
        ("93066",),
        (LotSpec("Entretien des espaces verts", 480_000, "anru_gup", holder="ei"),),
        operation=True,
    ),
    MarketSpec(
        "DEMO-2026-004",
        "Réhabilitation du groupe scolaire Jean-Jaurès",
        "demo",
        "45210000",
        "works",
        S.IN_CONSULTATION,
        -20,
        ("93066",),
        (
            LotSpec("Gros œuvre", 1_100_000, "maconnerie"),
            LotSpec("Peinture intérieure", 350_000, "peinture"),
            LotSpec("Charpente métallique", 600_000, "charpente_metallique"),
        ),
    ),
    MarketSpec(
        "DEMO-2026-005",
        "Nettoyage des bâtiments communaux",
        "demo",
        "90911200",
        "services",
        S.IN_EXECUTION,
        -400,
        ("93066",),
        (
            LotSpec(
                "Nettoyage des écoles",
                900_000,
                "proprete",
                holder="proprete",
                cleaning_months=36,
                transferred_hours=600,
            ),
        ),
    ),
    MarketSpec(
        "DEMO-2026-006",
        "Restauration scolaire : fourniture de repas",
        "demo",
        "55500000",
        "services",
        S.PLANNED,
        60,
        ("93066",),
        (LotSpec("Repas des écoles", 1_500_000, None),),
    ),
    MarketSpec(
        "DEMO-2026-007",
        "Travaux de peinture des logements vacants",
        "landlord",
        "45442100",
        "works",
        S.CLOSED,
        -700,
        ("93048",),
        (LotSpec("Peinture", 400_000, "peinture", holder="peinture"),),
        closed_in_days=-150,
    ),
    MarketSpec(
        "DEMO-2026-008",
        "Construction d'un collège",
        "department",
        "45210000",
        "works",
        S.PLANNED,
        40,
        ("93008",),
        (LotSpec("Tous corps d'état", 14_000_000, "batiment"),),
    ),
    MarketSpec(
        "DEMO-2026-009",
        "Maîtrise d'œuvre de la rénovation des gymnases",
        "department",
        "71000000",
        "services",
        S.AWARDED,
        -90,
        ("93008",),
        (LotSpec("Maîtrise d'œuvre", 300_000, None),),
        derogation="Prestation intellectuelle très qualifiée exécutée par une équipe de deux "
        "personnes : une condition sociale n'aurait pas de lien suffisant avec l'objet.",
    ),
    MarketSpec(
        "DEMO-2026-010",
        "Entretien des espaces verts départementaux",
        "department",
        "77310000",
        "services",
        S.IN_EXECUTION,
        -500,
        ("93008", "93027"),
        (LotSpec("Parcs du nord", 700_000, None, holder="ei"),),
    ),
    MarketSpec(
        "DEMO-2026-011",
        "Nettoyage des locaux administratifs de l'État",
        "state",
        "90910000",
        "services",
        S.PLANNED,
        30,
        ("93008",),
        (),  # no clause yet: listed as missing its mandatory social condition
    ),
    MarketSpec(
        "DEMO-2026-012",
        "Rénovation énergétique de la mairie annexe",
        "demo",
        "45300000",
        "works",
        S.AWARDED,
        -60,
        ("93066",),
        (LotSpec("Équipements techniques", 800_000, "batiment", holder="btp"),),
    ),
    MarketSpec(
        "DEMO-2026-013",
        "Démolition de l'ancienne piscine",
        "demo",
        "45111000",
        "works",
        S.IN_CONSULTATION,
        -10,
        ("93066",),
        (LotSpec("Démolition", 650_000, "maconnerie"),),
    ),
    MarketSpec(
        "DEMO-2026-014",
        "Second œuvre des logements, îlot B",
        "landlord",
        "45400000",
        "works",
        S.PLANNED,
        90,
        ("93066",),
        (LotSpec("Second œuvre", 2_000_000, "anru_travaux"),),
        operation=True,
    ),
    MarketSpec(
        "DEMO-2026-015",
        "Travaux de voirie à Montreuil",
        "department",
        "45233140",
        "works",
        S.CLOSED,
        -800,
        ("93048",),
        (LotSpec("Chaussées", 1_300_000, "batiment", holder="btp"),),
        closed_in_days=-45,
    ),
    MarketSpec(
        "DEMO-2026-016",
        "Rénovation des locaux de la cité administrative",
        "state",
        "45453000",
        "works",
        S.IN_EXECUTION,
        -520,
        ("93008",),
        (LotSpec("Peinture et revêtements", 1_000_000, "peinture", holder="peinture"),),
    ),
    MarketSpec(
        "DEMO-2026-017",
        "Réhabilitation d'une résidence sociale, Paris 19e",
        "paris",
        "45453000",
        "works",
        S.IN_EXECUTION,
        -540,
        ("75119",),
        (
            LotSpec("Gros œuvre", 3_200_000, "batiment", holder="idf"),
            LotSpec("Peinture", 700_000, "peinture", holder="idf", co_contractor="ei"),
        ),
        procedure=Procedure.OPEN,
    ),
    MarketSpec(
        "DEMO-2026-018",
        "Construction d'une école maternelle à Nanterre",
        "hauts",
        "45214100",
        "works",
        S.IN_EXECUTION,
        -530,
        ("92050",),
        (LotSpec("Tous corps d'état", 4_500_000, "batiment", holder="idf"),),
        procedure=Procedure.OPEN,
    ),
    MarketSpec(
        "DEMO-2026-019",
        "Construction d'un gymnase à Créteil",
        "val",
        "45212200",
        "works",
        S.IN_EXECUTION,
        -560,
        ("94028",),
        (LotSpec("Gros œuvre", 5_000_000, "batiment", holder="idf"),),
        procedure=Procedure.OPEN,
    ),
    MarketSpec(
        "DEMO-2026-020",
        "Nettoyage des équipements communaux de Vitry-sur-Seine",
        "val",
        "90911200",
        "services",
        S.IN_EXECUTION,
        -500,
        ("94081",),
        (
            LotSpec(
                "Nettoyage des équipements sportifs",
                600_000,
                "proprete",
                holder="proprete",
                cleaning_months=24,
                transferred_hours=300,
            ),
        ),
    ),
    MarketSpec(
        "DEMO-2026-021",
        "Rénovation du groupe scolaire Anatole-France",
        "hauts",
        "45453000",
        "works",
        S.CLOSED,
        -620,
        ("92025",),
        (LotSpec("Second œuvre", 1_400_000, "batiment", holder="idf"),),
        closed_in_days=-30,
    ),
    MarketSpec(
        "DEMO-2026-022",
        "Rénovation du centre sportif des Démo-Moulins",
        "demo",
        "45212200",
        "works",
        S.IN_EXECUTION,
        -540,
        ("93066",),
        (
            LotSpec("Gros œuvre", 2_600_000, "batiment", holder="btp"),
            LotSpec("Peinture", 500_000, "peinture", holder="peinture"),
        ),
    ),
]

_STEPS = [S.IN_CONSULTATION, S.AWARDED, S.IN_EXECUTION]
STEP_DELAYS = {S.IN_CONSULTATION: 0, S.AWARDED: 60, S.IN_EXECUTION: 90}


def _seeder() -> Actor | None:
    """A platform administrator (the demo admin account): the services check permissions."""
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        return None
    return Actor(user_id=admin.pk, is_superuser=True, label="Données de démonstration")


def _organisation(kind: str, name: str, number: int, **fields: object) -> Organisation:
    siret = demo_siret(number)
    organisation, _ = Organisation.objects.update_or_create(
        kind=kind,
        siret=siret,
        defaults={"name": name, "siren": siret[:9], **fields},
    )
    return organisation


def _structure_for(communes: tuple[str, ...]) -> FacilitatorStructure | None:
    """The demo structure that covers the market's first execution commune (its commune,
    EPT, EPCI or département; a Paris arrondissement through Paris), else the first demo
    structure of its département."""
    commune = Commune.objects.filter(insee=communes[0]).select_related("parent").first()
    if commune is None:
        return None
    structures = FacilitatorStructure.objects.filter(
        is_demo=True, coordination__department=commune.department_id
    ).order_by("name")
    base = commune.parent or commune
    covering = structures.filter(
        Q(communes__in=[commune.pk, base.pk])
        | Q(epts=base.ept_id)
        | Q(epcis=base.epci_id)
        | Q(departments=commune.department_id)
    )
    return covering.first() or structures.first()


def _company(name: str, number: int, department: Department) -> Organisation:
    """The demo company account's organisation if the accounts demo created it (same name),
    else an organisation with a demo SIRET."""
    existing = Organisation.objects.filter(kind=OrganisationKind.COMPANY, name=name).first()
    if existing is not None:
        return existing
    return _organisation(OrganisationKind.COMPANY, name, number, department=department)


def _operation(department: Department) -> Operation:
    operation, _ = Operation.objects.update_or_create(
        name=OPERATION_NAME,
        defaults={
            "kind": OperationKind.URBAN_RENEWAL,
            "department": department,
            "insertion_rate": Decimal("0.05"),
            "default_preset": "anru_travaux",
            "description": "Projet de renouvellement urbain financé par l'ANRU : la charte "
            "nationale d'insertion réserve au moins 5 % des heures travaillées aux habitants "
            "des quartiers prioritaires (10 % en gestion urbaine de proximité).",
            "is_demo": True,
        },
    )
    operation.communes.set(Commune.objects.filter(insee="93066"))
    return operation


def _build(
    spec: MarketSpec,
    *,
    actor: Actor,
    buyers: dict[str, Organisation],
    companies: dict[str, Organisation],
    structure: FacilitatorStructure | None,
    operation: Operation,
    today: date,
) -> Market:
    if not spec.communes[0].startswith("93"):
        structure = _structure_for(spec.communes) or structure
    consultation = today + timedelta(days=spec.consultation_in_days)
    facilitator = structure.facilitators.order_by("last_name", "pk").first() if structure else None
    lots = [
        {"number": n, "title": lot.title, "estimated_amount_ht": Decimal(lot.amount)}
        for n, lot in enumerate(spec.lots, start=1)
    ]
    amount = sum((lot.amount for lot in spec.lots), 0) or 320_000
    data = {
        "reference": spec.reference,
        "subject": f"{spec.subject} (démo)",
        "procedure": spec.procedure,
        "kind": spec.kind,
        "cpv": CpvCode.objects.filter(code8=spec.cpv).first(),
        "estimated_amount_ht": Decimal(amount),
        "planned_publication_date": consultation,
        "duration_months": 24,
        "following_structure": structure,
        "facilitator": facilitator,
        "operation": operation if spec.operation else None,
        "is_demo": True,
    }
    market = services.create_market(
        actor=actor,
        buyer=buyers[spec.buyer],
        data=data,
        execution_communes=Commune.objects.filter(insee__in=spec.communes),
        lots=lots,
    )
    if spec.derogation:
        services.record_derogation(actor=actor, market=market, reason=spec.derogation)
    for lot, lot_spec in zip(market.lots.order_by("number"), spec.lots, strict=False):
        if lot_spec.preset is not None:
            calculation: dict = {"preset": lot_spec.preset}
            if lot_spec.cleaning_months:
                calculation |= {
                    "duration_months": lot_spec.cleaning_months,
                    "transferred_staff_monthly_hours": lot_spec.transferred_hours,
                }
            # No publics nor modalities chosen, as from the lot form: the clause gets the
            # territory's publics and every modality (clauses.markets.publics, #12.6).
            services.set_consideration(
                actor=actor,
                lot=lot,
                kind=ConsiderationKind.EXECUTION_CONDITION,
                calculation=calculation,
                penalty_per_missing_hour=Decimal(50),
            )
        elif not spec.derogation and spec.lots:
            services.set_consideration(
                actor=actor,
                lot=lot,
                kind=ConsiderationKind.RESERVED_SIAE
                if spec.cpv == "77310000"
                else ConsiderationKind.AWARD_CRITERION,
                eligible_publics=PUBLICS,
            )
            services.record_derogation(
                actor=actor,
                market=market,
                lot=lot,
                reason="Marché réservé ou critère social retenu à la place d'une clause "
                "d'exécution (choix validé avec le facilitateur).",
            )
    for step in _STEPS:
        if MarketStatus.values.index(step) > MarketStatus.values.index(spec.status):
            break
        day = min(consultation + timedelta(days=STEP_DELAYS[step]), today)
        market = services.change_status(actor=actor, market=market, to=step, on=day)
        if step == S.AWARDED:
            for lot, lot_spec in zip(market.lots.order_by("number"), spec.lots, strict=False):
                for role, key in (
                    (ContractorRole.HOLDER, lot_spec.holder),
                    (ContractorRole.CO_CONTRACTOR, lot_spec.co_contractor),
                ):
                    if key:
                        services.add_contractor(
                            actor=actor, lot=lot, siret=companies[key].siret, role=role
                        )
                Lot.objects.filter(pk=lot.pk).update(
                    awarded_amount_ht=Decimal(lot_spec.amount) * Decimal("0.96")
                )
    if spec.status == S.CLOSED:
        closed_on = min(today + timedelta(days=spec.closed_in_days), today)
        market = services.change_status(actor=actor, market=market, to=S.CLOSED, on=closed_on)
    elif spec.status == S.IN_EXECUTION and market.start_date and market.end_date is None:
        # the planned end of execution (start + duration): progress against time elapsed
        end = add_months(market.start_date, market.duration_months or 24)
        Market.objects.filter(pk=market.pk).update(end_date=end)
        market.end_date = end
    return market


def _meetings(market: Market, actor: Actor, today: date) -> int:
    if market.status not in (S.AWARDED, S.IN_EXECUTION):
        return 0
    start = market.consultation_launch_date or today
    moments = [(MeetingKind.LAUNCH, start + timedelta(days=45))]
    if market.status == S.IN_EXECUTION:
        moments.append((MeetingKind.SITE, today + timedelta(days=7)))
        moments.append((MeetingKind.FOLLOW_UP, today - timedelta(days=30)))
    for kind, day in moments:
        meeting = services.schedule_meeting(
            actor=actor,
            market=market,
            kind=kind,
            when=timezone.make_aware(datetime.combine(day, time(10, 0))),
            location="Mairie annexe, salle du conseil (démo)",
            attendees="Acheteur, titulaire, facilitateur·rice de la clause",
            notes="Présentation de la clause d'insertion et des candidats repérés."
            if kind != MeetingKind.SITE
            else "",
            invite_facilitator=False,  # no email while seeding
        )
        Meeting.objects.filter(pk=meeting.pk).update(
            facilitator_invited=True, invited_at=timezone.now()
        )
    return len(moments)


def _convert_desk_request(actor: Actor) -> Market | None:
    desk_request = (
        Request.objects.filter(is_demo=True, converted_market_id=None, market=None)
        .exclude(market_subject="")
        .exclude(execution_communes=None)
        .order_by("-created_at", "pk")
        .first()
    )
    if desk_request is None:
        return None
    market = services.create_market_from_request(desk_request=desk_request, actor=actor)
    Market.objects.filter(pk=market.pk).update(is_demo=True)
    return market


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    demo_buyer = Organisation.objects.filter(
        name=DEMO_BUYER_NAME, kind=OrganisationKind.BUYER
    ).first()
    department = Department.objects.get(code="93")
    actor = _seeder()
    if demo_buyer is None or actor is None:
        stdout.write("Marchés : acheteur ou administrateur de démonstration absent.\n")
        return
    Market.objects.filter(is_demo=True).delete()
    buyers = {"demo": demo_buyer}
    departments = {d.code: d for d in Department.objects.filter(code__in=["75", "92", "93", "94"])}
    for number, (key, (name, category, code)) in enumerate(OTHER_BUYERS.items(), start=1):
        buyers[key] = _organisation(
            OrganisationKind.BUYER,
            name,
            number,
            buyer_category=category,
            department=departments[code],
            is_confirmed=True,
        )
    companies = {
        key: _company(name, 100 + number, departments[COMPANY_DEPARTMENTS.get(key, "93")])
        for number, (key, name) in enumerate(COMPANIES.items(), start=1)
    }
    structure = (
        FacilitatorStructure.objects.filter(is_demo=True, coordination__department__code="93")
        .order_by("name")
        .first()
    )
    operation = _operation(department)
    today = timezone.localdate()
    meetings = 0
    for spec in SPECS:
        market = _build(
            spec,
            actor=actor,
            buyers=buyers,
            companies=companies,
            structure=structure,
            operation=operation,
            today=today,
        )
        meetings += _meetings(market, actor, today)
    converted = _convert_desk_request(actor)
    Market.objects.filter(reference__startswith="DEMO-2026-", buyer__in=buyers.values()).update(
        is_demo=True
    )
    stdout.write(
        f"Marchés : {len(SPECS)} marchés de démonstration, {meetings} réunions"
        + (f", 1 marché issu de la demande {converted.reference}" if converted else "")
        + ".\n"
    )

"""Demo programme review: the demo buyer's procurement programme of 40 consultations over the
next 18 months in Seine-Saint-Denis (works, cleaning, green spaces, catering, waste, IT,
studies, supplies…), imported through the same validation as an upload, reviewed in part
by the demo facilitator (kept, changed, commented, « à discuter »), one line turned into a
planned market. Dates are relative to today.

Idempotent: the demo programmes (`is_demo=True`) are deleted and built again (the markets
demo, run before, has already removed the demo markets).
"""

from datetime import date
from typing import TextIO

from django.utils import timezone

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.enums import OrganisationKind, Role
from clauses.accounts.models import Membership, Organisation, User
from clauses.core.dates import add_months
from clauses.markets.demo import DEMO_BUYER_NAME
from clauses.programme import imports, services
from clauses.programme.models import Programme

TITLE = "Programmation achat 18 mois (démo)"
HEADERS = [
    "N°",
    "Objet de la consultation",
    "Code CPV",
    "Famille d'achat",
    "Lieu d'exécution",
    "Montant estimé HT",
    "Durée (mois)",
    "Lancement prévu",
    "Nature",
]

# (title, CPV, category, place, amount HT, months, launch in months from today, kind)
LINES = [
    (
        "Réhabilitation du groupe scolaire Jean-Jaurès",
        "45214200",
        "Bâtiment",
        "93066",
        2_400_000,
        20,
        9,
        "Travaux",
    ),
    ("Construction d'un gymnase", "45212222", "Bâtiment", "93066", 6_200_000, 24, 10, "Travaux"),
    (
        "Ravalement des façades de l'hôtel de ville",
        "45443000",
        "Bâtiment",
        "93066",
        480_000,
        8,
        4,
        "Travaux",
    ),
    (
        "Peinture intérieure des écoles (été)",
        "45442100",
        "Peinture",
        "93066",
        320_000,
        3,
        5,
        "Travaux",
    ),
    (
        "Maçonnerie des murs du cimetière",
        "45262500",
        "Maçonnerie",
        "93066",
        210_000,
        6,
        7,
        "Travaux",
    ),
    ("Charpente métallique du marché couvert", "45223100", "", "93066", 900_000, 10, 12, "Travaux"),
    (
        "Réfection de voirie, programme annuel",
        "45233141",
        "Voirie",
        "93066",
        1_100_000,
        12,
        3,
        "Travaux",
    ),
    (
        "Accessibilité des bâtiments communaux",
        "45262700",
        "Bâtiment",
        "93066",
        380_000,
        10,
        6,
        "Travaux",
    ),
    (
        "Rénovation énergétique de la médiathèque",
        "45321000",
        "Bâtiment",
        "93066",
        1_600_000,
        14,
        11,
        "Travaux",
    ),
    (
        "Menuiseries extérieures des crèches",
        "45421000",
        "Bâtiment",
        "93066",
        260_000,
        6,
        8,
        "Travaux",
    ),
    (
        "Nettoyage des bâtiments administratifs",
        "90919200",
        "Propreté",
        "93066",
        640_000,
        36,
        4,
        "Services",
    ),
    (
        "Nettoyage des écoles et des crèches",
        "90911200",
        "Propreté",
        "93066",
        1_150_000,
        48,
        6,
        "Services",
    ),
    (
        "Vitrerie des équipements sportifs",
        "90911300",
        "Propreté",
        "93066",
        60_000,
        24,
        9,
        "Services",
    ),
    (
        "Entretien des espaces verts des parcs",
        "77313000",
        "Espaces verts",
        "93066",
        420_000,
        36,
        5,
        "Services",
    ),
    (
        "Élagage des arbres d'alignement",
        "77211400",
        "Espaces verts",
        "93066",
        150_000,
        24,
        7,
        "Services",
    ),
    ("Fleurissement de la ville", "77310000", "Espaces verts", "93066", 45_000, 12, 2, "Services"),
    (
        "Restauration scolaire : fourniture des repas",
        "55524000",
        "Restauration",
        "93066",
        3_800_000,
        48,
        14,
        "Services",
    ),
    (
        "Traiteur pour les réceptions",
        "55520000",
        "Restauration",
        "93066",
        70_000,
        24,
        3,
        "Services",
    ),
    ("Collecte des encombrants", "90511000", "Déchets", "93066", 540_000, 36, 8, "Services"),
    (
        "Tri et recyclage des déchets de bureau",
        "90514000",
        "Déchets",
        "93066",
        35_000,
        24,
        4,
        "Services",
    ),
    ("Blanchisserie des crèches", "98311000", "Blanchisserie", "93066", 90_000, 36, 6, "Services"),
    (
        "Déménagement des services techniques",
        "98392000",
        "Déménagement",
        "93066",
        55_000,
        2,
        3,
        "Services",
    ),
    (
        "Gardiennage des équipements culturels",
        "79713000",
        "Sécurité",
        "93066",
        780_000,
        36,
        10,
        "Services",
    ),
    (
        "Impression du magazine municipal",
        "79810000",
        "Impression",
        "93066",
        180_000,
        36,
        5,
        "Services",
    ),
    (
        "Mise sous pli des avis d'imposition locale",
        "79571000",
        "Impression",
        "93066",
        25_000,
        12,
        2,
        "Services",
    ),
    (
        "Maintenance du parc informatique",
        "72500000",
        "Informatique",
        "93066",
        450_000,
        48,
        9,
        "Services",
    ),
    (
        "Logiciel de gestion des inscriptions scolaires",
        "48000000",
        "Informatique",
        "93066",
        120_000,
        36,
        12,
        "Services",
    ),
    (
        "Maîtrise d'œuvre de la rénovation du stade",
        "71240000",
        "Études",
        "93066",
        380_000,
        30,
        4,
        "Services",
    ),
    (
        "Étude de programmation d'un équipement jeunesse",
        "71241000",
        "Études",
        "93066",
        60_000,
        8,
        6,
        "Services",
    ),
    (
        "Assistance à maîtrise d'ouvrage ANRU",
        "71541000",
        "Études",
        "93066",
        240_000,
        36,
        7,
        "Services",
    ),
    ("Fournitures de bureau", "30192000", "Fournitures", "93066", 95_000, 36, 3, "Fournitures"),
    ("Mobilier scolaire", "39160000", "Fournitures", "93066", 210_000, 24, 8, "Fournitures"),
    (
        "Véhicules électriques de service",
        "34144900",
        "Véhicules",
        "93066",
        520_000,
        12,
        13,
        "Fournitures",
    ),
    ("Produits d'entretien", "39830000", "Fournitures", "93066", 48_000, 24, 5, "Fournitures"),
    (
        "Vêtements de travail des agents",
        "18100000",
        "Fournitures",
        "93066",
        80_000,
        36,
        11,
        "Fournitures",
    ),
    (
        "Animation des accueils de loisirs",
        "92000000",
        "Animation",
        "93066",
        260_000,
        24,
        6,
        "Services",
    ),
    ("Entretien des aires de jeux", "", "Espaces verts", "93", 130_000, 36, 9, "Services"),
    (
        "Petits travaux d'entretien des logements communaux",
        "",
        "Bâtiment",
        "93",
        300_000,
        24,
        4,
        "",
    ),
    (
        "Transport des enfants en sorties scolaires",
        "60130000",
        "Transport",
        "93066",
        160_000,
        36,
        15,
        "Services",
    ),
    (
        "Illuminations de fin d'année",
        "31527200",
        "Fournitures",
        "93066",
        75_000,
        12,
        10,
        "Fournitures",
    ),
]

# Line number in the file (header = line 1) → the facilitator's review.
REVIEWS = {
    2: ("kept", "", "Clause à caler avec le facilitateur avant la rédaction du DCE.", False),
    3: ("kept", "", "L'obligation L2112-2-1 s'applique : clause d'insertion et critère.", False),
    13: (
        "changed",
        "reserved_siae",
        "Trois entreprises d'insertion de propreté candidatent déjà sur le territoire.",
        True,
    ),
    15: ("kept", "", "", False),
    16: ("changed", "insertion_clause", "Préférer une clause : lot unique, gros volume.", True),
    18: ("kept", "", "Un lot de restauration pourrait être réservé : à étudier.", True),
    20: ("kept", "", "", False),
    22: ("changed", "reserved_ea_esat", "Un ESAT de blanchisserie est à Saint-Denis.", False),
    24: ("kept", "", "Clause d'insertion possible sur l'accueil et la surveillance.", False),
    29: ("changed", "social_award_criterion", "", False),
    32: ("kept", "", "", False),
}
CONVERTED_LINE = 2


def _actor(email: str, role: str) -> Actor | None:
    membership = (
        Membership.objects.filter(user__email=email, role=role)
        .select_related("organisation", "user")
        .first()
    )
    return actor_for_membership(membership) if membership else None


def _admin() -> Actor | None:
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        return None
    return Actor(user_id=admin.pk, is_superuser=True, label="Données de démonstration")


def _quarter(today: date, months: int) -> str:
    when = add_months(today, months)
    return f"T{(when.month - 1) // 3 + 1} {when.year}" if months % 3 == 0 else f"{when:%m/%Y}"


def seed(*, stdout: TextIO) -> None:
    buyer = Organisation.objects.filter(name=DEMO_BUYER_NAME, kind=OrganisationKind.BUYER).first()
    admin = _admin()
    if buyer is None or admin is None:
        stdout.write("Programmation : acheteur ou administrateur de démonstration absent.\n")
        return
    Programme.objects.filter(is_demo=True).delete()
    today = timezone.localdate()
    rows = [
        (
            number,
            [
                str(number - 1),
                title,
                cpv,
                category,
                place,
                f"{amount:,}".replace(",", " "),
                str(months),
                _quarter(today, launch),
                kind,
            ],
        )
        for number, (title, cpv, category, place, amount, months, launch, kind) in enumerate(
            LINES, start=2
        )
    ]
    sheet = imports.Sheet(headers=HEADERS, rows=rows, header_line=1)
    uploader = _actor("acheteur@demo.clauses.example", Role.BUYER_AGENT) or admin
    if uploader.organisation_id not in (None, buyer.pk):
        uploader = admin
    programme, problems = services.import_programme(
        actor=uploader,
        buyer=buyer,
        title=TITLE,
        file_name="programmation-achat-demo.xlsx",
        sheet=sheet,
        mapping=imports.suggest_mapping(HEADERS),
        is_demo=True,
    )
    if programme is None:
        stdout.write(f"Programmation : {len(problems)} erreur(s), {problems[:3]}\n")
        return
    reviewer = _actor("facilitateur@demo.clauses.example", Role.FACILITATOR) or admin
    lines = {line.number: line for line in programme.lines.all()}
    for number, (decision, chosen, comment, to_discuss) in REVIEWS.items():
        services.review_line(
            actor=reviewer,
            line=lines[number],
            decision=decision,
            chosen=chosen,
            comment=comment,
            to_discuss=to_discuss,
        )
    market = services.convert_line(actor=reviewer, line=lines[CONVERTED_LINE])
    stdout.write(
        f"Programmation : {len(lines)} lignes pour {buyer.name}, {len(REVIEWS)} revues, "
        f"ligne {CONVERTED_LINE} devenue le marché prévu {market.reference}.\n"
    )

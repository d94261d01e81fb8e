"""Demo of the history import (#14.1): two sample exports of a structure's history, in two
shapes, as two tools would write them, with their two mapping profiles, for the demo
facilitator's structure.

- « Export logiciel A » (XLSX): one row per person and month worked, French headers with
  accents, labels such as « BRSA », « DELD », « Jeune -26 ans », « CDDI », « Intérim
  d'insertion », ISO dates. The seed imports it through the engine (`services.run_import`,
  the same checks and counts as the wizard), so the visitor sees imported history.
- « Tableur de suivi » (CSV « ; », Latin-1): capital headers without accents (« NE(E)
  LE », « MAITRE D'OUVRAGE », « NB HEURES »), other labels (« RSA socle », « Demandeur
  d'emploi longue durée », « CDD d'insertion », « Contrat pro »), dates as dd/mm/yyyy and
  months as mm/yyyy. Left for the visitor to import through the wizard (`/historique/`,
  download links on the upload page in demo mode); one person is in both files, so the
  wizard shows her « reconnue » rather than created twice.

Rows are generated with dates relative to today (the months worked end last month).
Idempotent: the profiles are upserted, and the first file is imported once (an import of
profile A already recorded for the structure is left as it is).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from clauses.access.actors import Actor, actor_for_membership
from clauses.accounts.demo import demo_siret
from clauses.accounts.enums import Role
from clauses.accounts.models import Membership
from clauses.core.dates import add_months, first_of_month
from clauses.core.spreadsheets import csv_bytes, new_workbook, workbook_bytes
from clauses.history import services
from clauses.history.models import HistoryImport
from clauses.markets.demo import DEMO_BUYER_NAME

FACILITATOR_EMAIL = "facilitateur@demo.clauses.example"
PROFILE_A = "Logiciel A — export mensuel (démo)"
PROFILE_B = "Tableur de suivi (démo)"
BUYER_SIRET = demo_siret(1)  # the demo buyer (clauses.accounts.demo)
OTHER_BUYER = "Office public de l'habitat de Démo (démo)"


@dataclass(frozen=True)
class Sample:
    key: str
    file_name: str
    title: str
    description: str


SAMPLES = [
    Sample(
        "logiciel-a",
        "export-logiciel-A.xlsx",
        "Export logiciel A (XLSX)",
        "Une ligne par personne et par mois ; importé par la démonstration (profil « "
        + PROFILE_A
        + " »).",
    ),
    Sample(
        "tableur-de-suivi",
        "tableur-de-suivi.csv",
        "Tableur de suivi (CSV, Latin-1)",
        "D'autres en-têtes, d'autres libellés, dates jj/mm/aaaa : à importer vous-même (profil "
        "« " + PROFILE_B + " », ou associez les colonnes).",
    ),
]


# -- the people, markets and missions of the two files ---------------------------------------


@dataclass(frozen=True)
class Mission:
    last_name: str
    first_name: str
    birth: datetime.date
    gender: str  # as the tool writes it
    criteria: str  # as the tool writes it
    validated: int  # months before the mission's start (negative: after it)
    market: int  # index in the file's MARKETS
    lot: int
    company: int  # index in COMPANIES
    contract: str  # as the tool writes it
    start: int  # months before the current month
    months: int  # months worked
    hours: tuple[int, ...]  # hours of each month, cycled


COMPANIES = [
    ("Bâtir Ensemble Démo (démo)", demo_siret(9101)),
    ("Insertion Services Démo (démo)", demo_siret(9102)),
    ("Intérim Solidaire Démo (démo)", demo_siret(9103)),
    ("Espaces Verts Démo (démo)", demo_siret(9104)),
]

# (reference, subject, hours target, lots: {number: title}, kind as the tool writes it)
MARKETS_A = [
    (
        "HIST-2023-014",
        "Réhabilitation de l'école Louise-Michel (historique)",
        2400,
        {1: "Gros œuvre", 2: "Peinture"},
        "Travaux",
    ),
    (
        "HIST-2024-007",
        "Entretien des espaces verts communaux (historique)",
        1200,
        {1: "Lot unique"},
        "Services",
    ),
]
MARKETS_B = [
    (
        "OPH-2022-31",
        "Résidentialisation de la cité des Tilleuls (historique)",
        1800,
        {1: "VRD"},
        "TRAVAUX",
    ),
]

MISSIONS_A = [
    Mission(
        "Démo-Arnaud",
        "Inès",
        datetime.date(1991, 4, 12),
        "F",
        "BRSA",
        1,
        0,
        1,
        0,
        "CDDI",
        30,
        6,
        (120, 140, 151),
    ),
    Mission(
        "Fictif-Baptiste",
        "Souleymane",
        datetime.date(1985, 11, 3),
        "H",
        "DELD",
        2,
        0,
        1,
        2,
        "Intérim d'insertion",
        26,
        5,
        (98, 112, 130),
    ),
    Mission(
        "Exemple-Chevalier",
        "Lou",
        datetime.date(2002, 7, 21),
        "F",
        "Jeune -26 ans",
        0,
        0,
        2,
        1,
        "CDDI",
        22,
        4,
        (140, 151),
    ),
    Mission(
        "Démo-Diallo",
        "Abdou",
        datetime.date(1969, 2, 28),
        "H",
        "BRSA, Senior",
        1,
        1,
        1,
        3,
        "CDD",
        14,
        8,
        (70, 91, 105),
    ),
    Mission(
        "Fictif-Estève",
        "Nadia",
        datetime.date(1979, 9, 9),
        "F",
        "RQTH",
        -2,
        1,
        1,
        3,
        "CDD",
        9,
        6,
        (60, 84),
    ),
    Mission(
        "Exemple-Fofana",
        "Kevin",
        datetime.date(1998, 1, 17),
        "H",
        "DELD",
        1,
        0,
        2,
        1,
        "CDDI",
        18,
        3,
        (151,),
    ),
]

MISSIONS_B = [
    # The same person as in file A (another mission): recognised, not created twice.
    Mission(
        "Démo-Arnaud",
        "Inès",
        datetime.date(1991, 4, 12),
        "F",
        "RSA socle",
        1,
        0,
        1,
        1,
        "CDD d'insertion",
        12,
        4,
        (130, 145),
    ),
    Mission(
        "Fictif-Guerin",
        "Élodie",
        datetime.date(1988, 6, 5),
        "F",
        "Demandeur d'emploi longue durée",
        1,
        0,
        1,
        2,
        "Intérim d'insertion",
        16,
        5,
        (100, 120),
    ),
    Mission(
        "Exemple-Hamidou",
        "Yacine",
        datetime.date(2001, 3, 30),
        "H",
        "Résident QPV",
        0,
        0,
        1,
        0,
        "Contrat pro",
        10,
        6,
        (121, 121, 140),
    ),
    Mission(
        "Démo-Ibrahim",
        "Sékou",
        datetime.date(1975, 12, 1),
        "H",
        "Travailleur handicapé",
        2,
        0,
        1,
        1,
        "CDD d'insertion",
        7,
        4,
        (80, 95),
    ),
]

HEADERS_A = [
    "Nom",
    "Prénom",
    "Date de naissance",
    "Sexe",
    "Critères d'éligibilité",
    "Date de validation",
    "SIRET acheteur",
    "Acheteur",
    "Référence du marché",
    "Objet du marché",
    "Type de marché",
    "N° lot",
    "Intitulé du lot",
    "Heures d'insertion prévues",
    "Entreprise",
    "SIRET entreprise",
    "Type de contrat",
    "Date de début",
    "Date de fin",
    "Mois",
    "Heures réalisées",
]
HEADERS_B = [
    "NOM",
    "PRENOM",
    "NE(E) LE",
    "PUBLIC",
    "VALIDE LE",
    "MAITRE D'OUVRAGE",
    "MARCHE",
    "OBJET",
    "NATURE",
    "LOT",
    "EMPLOYEUR",
    "CONTRAT",
    "DEBUT",
    "FIN",
    "PERIODE",
    "NB HEURES",
]

PROFILE_A_COLUMNS = {
    "person.last_name": "Nom",
    "person.first_name": "Prénom",
    "person.birth_date": "Date de naissance",
    "person.gender": "Sexe",
    "eligibility.criteria": "Critères d'éligibilité",
    "eligibility.validated_on": "Date de validation",
    "market.buyer_siret": "SIRET acheteur",
    "market.buyer_name": "Acheteur",
    "market.reference": "Référence du marché",
    "market.subject": "Objet du marché",
    "market.kind": "Type de marché",
    "lot.number": "N° lot",
    "lot.title": "Intitulé du lot",
    "clause.hours_target": "Heures d'insertion prévues",
    "assignment.company_name": "Entreprise",
    "assignment.company_siret": "SIRET entreprise",
    "assignment.modality": "Type de contrat",
    "assignment.start_date": "Date de début",
    "assignment.end_date": "Date de fin",
    "hours.month": "Mois",
    "hours.hours": "Heures réalisées",
}
PROFILE_A_VALUES = {
    "person.gender": {"F": "female", "H": "male"},
    "eligibility.criteria": {
        "BRSA": "minimum_benefits",
        "DELD": "long_term_jobseeker",
        "Jeune -26 ans": "young_low_qualification",
        "Senior": "senior_jobseeker",
        "RQTH": "disabled_worker",
    },
    "assignment.modality": {
        "CDDI": "subcontract_siae",
        "Intérim d'insertion": "etti",
        "CDD": "direct_cdd",
    },
}
PROFILE_B_COLUMNS = {
    "person.last_name": "NOM",
    "person.first_name": "PRENOM",
    "person.birth_date": "NE(E) LE",
    "eligibility.criteria": "PUBLIC",
    "eligibility.validated_on": "VALIDE LE",
    "market.buyer_name": "MAITRE D'OUVRAGE",
    "market.reference": "MARCHE",
    "market.subject": "OBJET",
    "market.kind": "NATURE",
    "lot.number": "LOT",
    "assignment.company_name": "EMPLOYEUR",
    "assignment.modality": "CONTRAT",
    "assignment.start_date": "DEBUT",
    "assignment.end_date": "FIN",
    "hours.month": "PERIODE",
    "hours.hours": "NB HEURES",
}
PROFILE_B_VALUES = {
    "eligibility.criteria": {
        "RSA socle": "minimum_benefits",
        "Demandeur d'emploi longue durée": "long_term_jobseeker",
        "Résident QPV": "qpv_resident",
        "Travailleur handicapé": "disabled_worker",
    },
    "assignment.modality": {
        "CDD d'insertion": "subcontract_siae",
        "Intérim d'insertion": "etti",
        "Contrat pro": "professionalisation",
    },
}


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _rows(
    missions: list[Mission], markets: list, today: datetime.date
) -> list[tuple[Mission, tuple, str, str, datetime.date, datetime.date, datetime.date, int]]:
    """One entry per person and month: (mission, market, company name, SIRET, start, end,
    month, hours)."""
    current = first_of_month(today)
    rows = []
    for mission in missions:
        start = add_months(current, -mission.start) + datetime.timedelta(days=2)
        end = add_months(first_of_month(start), mission.months) - datetime.timedelta(days=1)
        company, siret = COMPANIES[mission.company]
        for number in range(mission.months):
            month = add_months(first_of_month(start), number)
            hours = mission.hours[number % len(mission.hours)]
            rows.append(
                (mission, markets[mission.market], company, siret, start, end, month, hours)
            )
    return rows


def _validated(mission: Mission, start: datetime.date) -> datetime.date:
    return add_months(start, -mission.validated) if mission.validated else start


def logiciel_a(today: datetime.date | None = None) -> bytes:
    """« Export logiciel A »: XLSX, one row per person-month, real dates as cells."""
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "Export"
    sheet.append(HEADERS_A)
    for mission, market, company, siret, start, end, month, hours in _rows(
        MISSIONS_A, MARKETS_A, _today(today)
    ):
        reference, subject, target, lots, kind = market
        sheet.append(
            [
                mission.last_name,
                mission.first_name,
                mission.birth,
                mission.gender,
                mission.criteria,
                _validated(mission, start),
                BUYER_SIRET,
                DEMO_BUYER_NAME,
                reference,
                subject,
                kind,
                mission.lot,
                lots.get(mission.lot, ""),
                target,
                company,
                siret,
                mission.contract,
                start,
                end,
                month,
                Decimal(hours),
            ]
        )
    for column in ("C", "F", "R", "S", "T"):
        for cell in sheet[column][1:]:
            cell.number_format = "DD/MM/YYYY"
    return workbook_bytes(workbook)


def tableur_de_suivi(today: datetime.date | None = None) -> bytes:
    """« Tableur de suivi »: CSV « ; » in Latin-1, dates dd/mm/yyyy, months mm/yyyy."""
    rows: list[list[object]] = [HEADERS_B]
    for mission, market, company, _siret, start, end, month, hours in _rows(
        MISSIONS_B, MARKETS_B, _today(today)
    ):
        reference, subject, _target, _lots, kind = market
        rows.append(
            [
                mission.last_name.upper(),
                mission.first_name,
                f"{mission.birth:%d/%m/%Y}",
                mission.criteria,
                f"{_validated(mission, start):%d/%m/%Y}",
                OTHER_BUYER,
                reference,
                subject,
                kind,
                mission.lot,
                company,
                mission.contract,
                f"{start:%d/%m/%Y}",
                f"{end:%d/%m/%Y}",
                f"{month:%m/%Y}",
                str(hours),
            ]
        )
    # The project's one CSV writer (cells neutralised), re-encoded as the spreadsheet does.
    return csv_bytes(rows).decode("utf-8-sig").encode("latin-1")


def sample_bytes(key: str, today: datetime.date | None = None) -> bytes:
    return logiciel_a(today) if key == "logiciel-a" else tableur_de_suivi(today)


# -- the seed -------------------------------------------------------------------------------


def _facilitator() -> tuple[Actor, object] | None:
    membership = (
        Membership.objects.filter(
            user__email=FACILITATOR_EMAIL, role=Role.FACILITATOR, is_active=True
        )
        .select_related("user", "organisation")
        .first()
    )
    if membership is None:
        return None
    actor = actor_for_membership(membership, user=membership.user)
    structure = getattr(membership.organisation, "structure", None)
    if structure is None or not actor.structure_ids:
        return None
    return actor, structure


def seed(*, stdout: TextIO, today: datetime.date | None = None) -> None:
    found = _facilitator()
    if found is None:
        stdout.write("Historique : facilitatrice de démonstration absente.\n")
        return
    actor, structure = found
    profile_a = services.save_profile(
        actor=actor,
        structure=structure,
        name=PROFILE_A,
        columns=PROFILE_A_COLUMNS,
        values=PROFILE_A_VALUES,
        shared_in_department=True,
    )
    services.save_profile(
        actor=actor,
        structure=structure,
        name=PROFILE_B,
        columns=PROFILE_B_COLUMNS,
        values=PROFILE_B_VALUES,
        shared_in_department=False,
    )
    if HistoryImport.objects.filter(structure=structure, profile=profile_a).exists():
        stdout.write("Historique : export du logiciel A déjà importé.\n")
        return
    raw = logiciel_a(today)
    table = services.read_bytes(raw, name=SAMPLES[0].file_name)
    try:
        record = services.run_import(
            actor=actor,
            structure=structure,
            table=table,
            columns=PROFILE_A_COLUMNS,
            values=PROFILE_A_VALUES,
            profile=profile_a,
        )
    except services.ImportInvalid as exc:
        first = exc.problems[0]
        stdout.write(
            f"Historique : export du logiciel A refusé ({len(exc.problems)} problème(s), "
            f"ligne {first.line} : {first.message}).\n"
        )
        return
    created = sum((counts or {}).get("created", 0) for counts in record.counts.values())
    stdout.write(
        f"Historique : export du logiciel A importé ({table.row_count} lignes, "
        f"{created} enregistrement(s) créés) ; le tableur de suivi reste à importer.\n"
    )

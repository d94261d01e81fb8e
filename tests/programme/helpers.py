"""Programme files for the tests, as buyers keep them."""

import io

from openpyxl import Workbook

HEADERS = [
    "Objet de la consultation",
    "CPV",
    "Famille d'achat",
    "Lieu d'exécution",
    "Montant estimé HT (€)",
    "Durée (mois)",
    "Date prévisionnelle de lancement",
    "Nature du marché",
]
ROWS = [
    [
        "Nettoyage des écoles",
        "90910000",
        "Propreté",
        "93066",
        "180 000,00 €",
        "36",
        "T3 2026",
        "Services",
    ],
    [
        "Réhabilitation du gymnase",
        "45210000",
        "",
        "Saint-Denis",
        1200000,
        18,
        "15/10/2026",
        "Travaux",
    ],
    ["Entretien des espaces verts", "", "Espaces verts", "93", "95000", "24", "09/2026", ""],
    ["Fournitures de bureau", "30192000", "", "93", "25000", "12", "2027", "Fournitures"],
]


def xlsx(
    rows: list[list] | None = None, headers: list[str] | None = None, title_row: bool = True
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append(["Programmation achat 2026-2027 — Ville de Saint-Denis"])
    sheet.append(headers or HEADERS)
    for row in rows if rows is not None else ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list] | None = None, headers: list[str] | None = None) -> bytes:
    lines = [";".join(headers or HEADERS)]
    lines += [";".join(str(v) for v in row) for row in (rows if rows is not None else ROWS)]
    return ("\n".join(lines) + "\n").encode("utf-8")

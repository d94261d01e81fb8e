"""The annotated programme as XLSX: every line with its analysis, reasons and review.
Written through `clauses.core.spreadsheets` (every cell neutralised; amounts, hours and
durations are number cells with their formats, « 450 000,00 € », « 1 200 », #12.12)."""

from collections.abc import Iterable

from clauses.core import spreadsheets
from clauses.core.spreadsheets import append_row, new_workbook, workbook_bytes
from clauses.programme import imports
from clauses.programme.models import Programme, ProgrammeLine
from clauses.programme.rules import FAMILY_BY_CODE, Recommendation

HEADERS = [
    "Ligne",
    "Intitulé",
    "Code CPV",
    "Famille d'achat",
    "Type de marché",
    "Lieu d'exécution",
    "Montant estimé HT (€)",
    "Durée (mois)",
    "Lancement prévu",
    "Recommandations",
    "Motifs des recommandations",
    "Heures d'insertion estimées",
    "Calcul des heures",
    "Condition sociale obligatoire (L2112-2-1)",
    "Motif de l'obligation",
    "SIAE de la famille (département)",
    "EA et ESAT de la famille (département)",
    "GEIQ (département)",
    "Constats",
    "Revue",
    "Considération retenue",
    "À discuter",
    "Commentaire du facilitateur",
    "Revue par",
    "Marché prévu",
]


def _place(line: ProgrammeLine) -> str:
    if line.commune_id:
        return f"{line.commune.name} ({line.commune.insee})"
    if line.department_id:
        return f"{line.department.name} ({line.department.code})"
    return ""


def _row(line: ProgrammeLine) -> list[object]:
    family = FAMILY_BY_CODE.get(line.family)
    supply = line.local_supply or {}
    return [
        line.number,
        line.title,
        line.cpv.code8 if line.cpv_id else "",
        family.label if family else line.family,
        line.get_kind_display(),
        _place(line),
        spreadsheets.amount(line.amount_ht) if line.amount_ht is not None else None,
        line.duration_months,
        line.launch_date,
        "\n".join(Recommendation(item["code"]).label for item in line.recommendations),
        "\n".join(item["reason"] for item in line.recommendations),
        spreadsheets.quantity(line.hours) if line.hours is not None else None,
        line.hours_formula,
        "oui" if line.obligation_mandatory else "non",
        line.obligation_reason,
        supply.get("siae"),
        supply.get("ea_esat"),
        supply.get("geiq"),
        "\n".join(line.reasons),
        line.get_decision_display(),
        line.retained_label,
        "oui" if line.to_discuss else "non",
        line.comment,
        line.reviewer_name,
        line.market.reference if line.market_id else "",
    ]


def programme_xlsx(programme: Programme, lines: Iterable[ProgrammeLine]) -> bytes:
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "Programmation"
    sheet.append([f"{programme.title} — {programme.buyer.name}"])
    sheet.append(
        [
            "Revue de programmation Clauses : recommandations calculées, à confirmer avec "
            "le facilitateur ; sources dans la documentation (docs/programme.md)."
        ]
    )
    sheet.append(HEADERS)
    for line in lines:
        append_row(sheet, _row(line))
    sheet.freeze_panes = "C4"
    return workbook_bytes(workbook)


TEMPLATE_HEADERS = [field.label for field in imports.FIELDS]
TEMPLATE_EXAMPLE = [
    "Nettoyage des écoles et des crèches",
    "Prestations de ménage quotidien de 12 écoles",
    "90911200",
    "Propreté",
    "93066",
    "450000",
    "36",
    "T3 2027",
    "Services",
]


def template_xlsx() -> bytes:
    """The model of a programme: the headers `imports.suggest_mapping` recognises."""
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "Programmation"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    return workbook_bytes(workbook)

"""The right-of-access export (RGPD art. 15) as a spreadsheet, alongside the JSON file.

The content is the JSON document of `services.right_of_access_export` (one audit event,
same permission), laid out one sheet per section. The workbook is saved by
`clauses.core.spreadsheets.workbook_bytes`, which prefixes with a quote every text cell that
a spreadsheet could read as a formula (=, +, -, @, and the tab or carriage return some
tools also honour): a name typed as "=HYPERLINK(…)" stays text (formula injection, OWASP
"CSV injection"). The weekly hours, which the JSON document holds as text (« 35.00 »),
are number cells (#12.12); years and identifiers keep the « Standard » format.
"""

import json
from decimal import Decimal, InvalidOperation

from openpyxl.styles import Font

from clauses.access.actors import Actor
from clauses.core import spreadsheets
from clauses.core.spreadsheets import append_row, neutralise, new_workbook, workbook_bytes
from clauses.followup import services
from clauses.followup.models import Participant

SECTIONS = {
    "validations_d_éligibilité": "Validations",
    "missions": "Missions",
    "sorties": "Sorties",
    "candidatures": "Candidatures",
}


# Keys whose values are quantities (DjangoJSONEncoder writes a Decimal as text).
QUANTITIES = {"heures_hebdomadaires"}


def _quantity(value: object) -> object:
    try:
        return spreadsheets.quantity(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return _cell(value)


def _cell(value: object, key: str = "") -> object:
    """A cell value for the sheet: lists joined, yes or no in French, quantities as
    numbers, text neutralised."""
    if key in QUANTITIES and value not in (None, ""):
        return _quantity(value)
    if isinstance(value, list):
        value = " ; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    return neutralise(value)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def right_of_access_workbook(*, actor: Actor, participant: Participant) -> bytes:
    data = json.loads(services.right_of_access_export(actor=actor, participant=participant))
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "Identité"
    sheet.append([_cell(data["document"])])
    sheet["A1"].font = Font(bold=True)
    sheet.append(["Généré le", _cell(data["généré_le"])])
    sheet.append([])
    for key, value in data["identité"].items():
        sheet.append([_label(key), _cell(value)])
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 48
    for key, title in SECTIONS.items():
        rows = data.get(key) or []
        section = workbook.create_sheet(title)
        if not rows:
            section.append(["Aucune donnée."])
            continue
        headers = list(rows[0])
        section.append([_label(header) for header in headers])
        for cell in section[1]:
            cell.font = Font(bold=True)
        for row in rows:
            cells = [_cell(row.get(header), header) for header in headers]
            append_row(section, cells, format_plain=False)
    return workbook_bytes(workbook)

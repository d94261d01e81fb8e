"""Every report table to XLSX and CSV, and the national yearly consolidation as XLSX.

CSV: UTF-8 with a byte-order mark (Excel then reads the accents), `;` as separator by
default (what a French Excel expects), `,` on request (`?separateur=virgule`).
Formula injection (CWE-1236) is neutralised in both formats by the project's writers
(`clauses.core.spreadsheets`): a text cell starting with =, +, -, @, a tab or a carriage
return is prefixed with a quote, so a spreadsheet shows it as text instead of running it.
Numbers stay numbers (#12.12): every figure is a number cell with its French-readable
format (`spreadsheets.Number`, `append_row`), hours and counts « 33 722 », shares « 45 % »,
and the CSV holds plain numbers with a decimal comma when the separator is `;`. Sheet
names are cut at a word boundary (`spreadsheets.sheet_title`).
"""

from collections.abc import Iterable, Sequence

from django.utils import timezone

from clauses.core.spreadsheets import (
    append_row,
    csv_bytes,
    new_workbook,
    sheet_title,
    workbook_bytes,
)
from clauses.reporting import masking
from clauses.reporting.reports import Report, Table

SEPARATORS = {"point-virgule": ";", "virgule": ","}


def table_rows(table: Table) -> list[list[object]]:
    rows: list[list[object]] = [[table.label_header, table.value_header]]
    rows += [[row.label, row.export_value] for row in table.rows]
    if table.total is not None:
        rows.append([table.total.label, table.total.export_value])
    if table.reasons:
        rows += [[], [table.note], *([line] for line in table.reasons)]
    if table.legend:
        rows += [[], *([line] for line in table.legend)]
    return rows


def report_heading(report: Report) -> list[list[object]]:
    heading: list[list[object]] = [[report.title], [f"Période {report.period.label}"]]
    if report.frozen_at:
        frozen = timezone.localtime(report.frozen_at)
        heading.append([f"Chiffres arrêtés au {frozen:%d/%m/%Y} à {frozen:%H:%M}"])
    return heading


def to_csv(rows: Iterable[Sequence[object]], *, separator: str = ";") -> bytes:
    return csv_bytes(rows, separator=separator)


def to_xlsx(sheets: Sequence[tuple[str, Iterable[Sequence[object]]]]) -> bytes:
    workbook = new_workbook(empty=True)
    used: set[str] = set()
    for title, rows in sheets:
        sheet = workbook.create_sheet(sheet_title(title, used))
        for row in rows:
            append_row(sheet, list(row))
    return workbook_bytes(workbook)


def report_xlsx(report: Report, keys: Sequence[str] | None = None) -> bytes:
    """One sheet "Synthèse" with the figures, then one sheet per table."""
    tables = [t for t in report.tables if keys is None or t.key in keys]
    summary = report_heading(report) + [[label, value] for label, value in report.figures]
    summary += [[], ["Secret statistique"], *([line] for line in masking.legend(report.min_count))]
    sheets = [("Synthèse", summary)]
    sheets += [(t.title, table_rows(t)) for t in tables]
    return to_xlsx(sheets)


def report_csv(report: Report, key: str, *, separator: str = ";") -> bytes:
    if key == "synthese":
        return to_csv([[label, value] for label, value in report.figures], separator=separator)
    return to_csv(table_rows(report.table(key)), separator=separator)


CONSOLIDATION_COLUMNS = [
    ("hours", "Heures d'insertion comptées"),
    ("fte", "ETP (1 600 h)"),
    ("contracts", "Contrats de travail"),
    ("participants", "Participants"),
    ("buyers", "Maîtres d'ouvrage (acheteurs)"),
    ("markets", "Marchés clausés"),
    ("band_lt_90k", "dont moins de 90 k€"),
    ("band_90k_221k", "dont 90 k€ à 221 k€"),
    ("band_221k_5_4m", "dont 221 k€ à 5,4 M€"),
    ("band_gte_5_4m", "dont 5,4 M€ et plus"),
    ("facilitators", "Facilitateurs"),
    ("structures", "Structures facilitatrices"),
]


def consolidation_xlsx(
    title: str, year: int, rows: list[tuple[str, dict]], *, edited: object
) -> bytes:
    """The yearly consolidation in the national coordination's shape (docs/domain-rules.md
    §5.1): one row per region (or département), masked counts of people as text."""
    header = ["Territoire"] + [label for _, label in CONSOLIDATION_COLUMNS]
    body = [
        [label] + [values.get(key, 0) for key, _ in CONSOLIDATION_COLUMNS] for label, values in rows
    ]
    legend = [[line] for line in masking.legend()]
    heading = [[title], [f"Année {year} — édité le {edited:%d/%m/%Y}"], []]
    sheet = [*heading, header, *body, [], *legend]
    return to_xlsx([(f"Consolidation {year}", sheet)])

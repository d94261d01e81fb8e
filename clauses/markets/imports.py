"""Import a buyer's existing markets from a spreadsheet (CSV or XLSX).

Every row is validated first; errors are listed in French by line and column; nothing is
written unless every row is right, and then everything is written in one transaction.
Markets are matched by buyer + reference: importing the same file again changes nothing.
A cell holding a formula is refused (never evaluated): a spreadsheet from elsewhere must
not run anything here, and a CSV cell starting with "=", "+", "-" or "@" followed by
something that is not a number is a formula for a spreadsheet that opens it later.
The file is read by `clauses.core.spreadsheets.read_table`, as the hours import reads
its own: 5 MB, 5,000 rows and 50 columns at most, declared dimensions ignored, zip sizes
bounded before openpyxl opens it; line numbers are the file's. Amounts are French numbers
(`clauses.core.numbers`).

The template (`template_xlsx()`, `template_csv()`) has the French headers of `COLUMNS`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.accounts.validators import normalize_company_number, validate_siret
from clauses.core.numbers import NumberError, parse_decimal
from clauses.core.spreadsheets import (
    Formula,
    SpreadsheetError,
    csv_bytes,
    is_formula,
    new_workbook,
    read_table,
    workbook_bytes,
)
from clauses.core.text import compact
from clauses.markets import policies, rules, services
from clauses.markets.enums import ContractorRole, MarketEventKind, MarketStatus, Procedure
from clauses.markets.models import Lot, LotContractor, Market
from clauses.territories.models import Commune, CpvCode

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""


COLUMNS = [
    Column("reference", "Référence", True, "Référence interne du marché (unique par acheteur)"),
    Column("subject", "Objet", True, "Objet du marché"),
    Column("kind", "Type de marché", False, "Travaux, Fournitures ou Services (sinon : le CPV)"),
    Column("procedure", "Procédure", False, "Par exemple : Procédure adaptée"),
    Column("cpv", "Code CPV", False, "8 chiffres, par exemple 45210000"),
    Column("estimated_amount_ht", "Montant estimé HT", False, "En euros, par exemple 250000"),
    Column("awarded_amount_ht", "Montant attribué HT", False, "En euros"),
    Column("consultation_launch_date", "Lancement de la consultation", False, "JJ/MM/AAAA"),
    Column("planned_publication_date", "Publication prévue", False, "JJ/MM/AAAA"),
    Column("notification_date", "Notification", False, "JJ/MM/AAAA"),
    Column("start_date", "Début d'exécution", False, "JJ/MM/AAAA"),
    Column("end_date", "Fin d'exécution", False, "JJ/MM/AAAA"),
    Column("duration_months", "Durée (mois)", False, "Nombre entier"),
    Column("communes", "Communes d'exécution", False, "Codes INSEE séparés par des virgules"),
    Column("status", "Statut", False, "En préparation, En consultation, Attribué…"),
    Column("holder_siret", "SIRET du titulaire", False, "14 chiffres"),
    Column("holder_name", "Nom du titulaire", False, "Obligatoire si le SIRET est inconnu"),
]
HEADERS = {column.header: column for column in COLUMNS}
_FOLDED_HEADERS = {compact(c.header): c for c in COLUMNS}

EXAMPLE_ROW = [
    "2026-TX-014",
    "Réhabilitation du groupe scolaire Jean-Jaurès",
    "Travaux",
    "Procédure adaptée",
    "45210000",
    "850000",
    "",
    "15/09/2026",
    "01/10/2026",
    "",
    "",
    "",
    "18",
    "93066",
    "En préparation",
    "",
    "",
]


@dataclass(frozen=True)
class ImportProblem:
    line: int  # line of the file (the header is line 1)
    column: str  # French header, or "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ImportProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return (
                f"Import refusé : {len(self.errors)} erreur(s) sur {self.rows} ligne(s). "
                "Aucun marché n'a été enregistré."
            )
        return (
            f"{self.rows} ligne(s) lue(s) : {self.created} marché(s) créé(s), "
            f"{self.updated} modifié(s), {self.unchanged} inchangé(s)."
        )


class _RowError(Exception):
    pass


# -- reading the file ---------------------------------------------------------------------


def _read(file: IO[bytes] | bytes, name: str) -> list[tuple[int, list[Any]]]:
    raw = file if isinstance(file, bytes) else file.read()
    try:
        return read_table(raw, name=name, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    except SpreadsheetError as exc:
        raise ValidationError(str(exc)) from exc


# -- cells ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        raise _RowError("formule refusée : saisissez la valeur elle-même.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if is_formula(text):
        raise _RowError("formule refusée : saisissez la valeur elle-même.")
    return text


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, Formula):
        raise _RowError("formule refusée : saisissez la valeur elle-même.")
    if not isinstance(value, int | float) or isinstance(value, bool):
        value = _text(value)
    try:
        number = parse_decimal(value, places=None)
    except NumberError:
        raise _RowError(
            f"« {value} » n'est pas un montant (exemple : 250000 ou 250 000,50)."
        ) from None
    if number is None:
        return None
    if number < 0:
        raise _RowError("le montant ne peut pas être négatif.")
    if number >= Decimal("1e12"):
        raise _RowError("montant trop élevé.")
    return number.quantize(Decimal("0.01"))


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y")


def _date(value: Any) -> date | None:
    if isinstance(value, Formula):
        raise _RowError("formule refusée : saisissez la valeur elle-même.")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 — a calendar day
        except ValueError:
            continue
    raise _RowError(f"« {text} » n'est pas une date (JJ/MM/AAAA).")


_KINDS = {compact(k.label): k.value for k in rules.MarketKind} | {
    k.value: k.value for k in rules.MarketKind
}
_PROCEDURES = {compact(p.label): p.value for p in Procedure} | {p.value: p.value for p in Procedure}
_PROCEDURES |= {"mapa": Procedure.ADAPTED, "aoo": Procedure.OPEN, "aor": Procedure.RESTRICTED}
_STATUSES = {compact(s.label): s.value for s in MarketStatus} | {
    s.value: s.value for s in MarketStatus
}


def _choice(value: Any, table: dict[str, str], what: str) -> str:
    text = _text(value)
    if not text:
        return ""
    found = table.get(compact(text)) or table.get(text)
    if found is None:
        raise _RowError(f"{what} inconnu(e) : « {text} ».")
    return found


# -- the import --------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    fields: dict[str, Any]
    communes: list[Commune]
    holder_siret: str
    holder_name: str


def _header_map(header: list[Any]) -> tuple[dict[int, Column], list[ImportProblem]]:
    mapping: dict[int, Column] = {}
    problems = []
    for index, raw in enumerate(header):
        text = str(raw or "").strip()
        if not text:
            continue
        column = HEADERS.get(text) or _FOLDED_HEADERS.get(compact(text))
        if column is None:
            problems.append(ImportProblem(1, text, "colonne inconnue (voir le modèle)."))
        else:
            mapping[index] = column
    present = {c.key for c in mapping.values()}
    for column in COLUMNS:
        if column.required and column.key not in present:
            problems.append(ImportProblem(1, column.header, "colonne obligatoire absente."))
    return mapping, problems


def _parse_row(
    line: int,
    cells: dict[str, Any],
    *,
    cpvs: dict[str, CpvCode],
    communes: dict[str, Commune],
    problems: list[ImportProblem],
) -> _Row | None:
    fields: dict[str, Any] = {}
    before = len(problems)
    header = {c.key: c.header for c in COLUMNS}

    def cell(key: str, parse: Any) -> Any:
        try:
            return parse(cells.get(key))
        except _RowError as exc:
            problems.append(ImportProblem(line, header[key], str(exc)))
            return None

    fields["reference"] = cell("reference", _text)
    fields["subject"] = cell("subject", _text)
    for key in ("reference", "subject"):
        if fields[key] == "":
            problems.append(ImportProblem(line, header[key], "valeur obligatoire."))
    if fields["reference"] and len(fields["reference"]) > 60:
        problems.append(ImportProblem(line, header["reference"], "60 caractères au plus."))
    if fields["subject"] and len(fields["subject"]) > 300:
        problems.append(ImportProblem(line, header["subject"], "300 caractères au plus."))
    code = cell("cpv", _text)
    cpv = None
    if code:
        code8 = code.split("-")[0].replace(" ", "")
        cpv = cpvs.get(code8)
        if cpv is None:
            problems.append(ImportProblem(line, header["cpv"], f"code CPV inconnu : « {code} »."))
    fields["cpv"] = cpv
    kind = cell("kind", lambda v: _choice(v, _KINDS, "Type de marché"))
    fields["kind"] = kind or (cpv.market_kind if cpv else "")
    if not fields["kind"] and kind is not None and not (code and cpv is None):
        problems.append(
            ImportProblem(
                line, header["kind"], "indiquez Travaux, Fournitures ou Services (ou un code CPV)."
            )
        )
    fields["procedure"] = cell("procedure", lambda v: _choice(v, _PROCEDURES, "Procédure")) or ""
    for key in ("estimated_amount_ht", "awarded_amount_ht"):
        fields[key] = cell(key, _amount)
    for key in (
        "consultation_launch_date",
        "planned_publication_date",
        "notification_date",
        "start_date",
        "end_date",
    ):
        fields[key] = cell(key, _date)
    if fields["start_date"] and fields["end_date"] and fields["end_date"] < fields["start_date"]:
        problems.append(
            ImportProblem(line, header["end_date"], "la fin précède le début d'exécution.")
        )
    duration = cell("duration_months", _text)
    fields["duration_months"] = None
    if duration:
        if not duration.isdigit() or not 0 < int(duration) <= 1200:
            problems.append(
                ImportProblem(
                    line, header["duration_months"], f"« {duration} » n'est pas un nombre de mois."
                )
            )
        else:
            fields["duration_months"] = int(duration)
    fields["status"] = (
        cell("status", lambda v: _choice(v, _STATUSES, "Statut")) or MarketStatus.PLANNED
    )
    found_communes = []
    for insee in re.split(r"[,;\s|]+", cell("communes", _text) or ""):
        if not insee:
            continue
        commune = communes.get(insee)
        if commune is None:
            problems.append(
                ImportProblem(line, header["communes"], f"commune inconnue : « {insee} ».")
            )
        else:
            found_communes.append(commune)
    siret = normalize_company_number(cell("holder_siret", _text) or "")
    name = cell("holder_name", _text) or ""
    if siret:
        try:
            validate_siret(siret)
        except ValidationError as exc:
            problems.append(
                ImportProblem(
                    line, header["holder_siret"], f"SIRET « {siret} » : {exc.messages[0]}"
                )
            )
    elif name:
        problems.append(
            ImportProblem(line, header["holder_siret"], "indiquez le SIRET du titulaire.")
        )
    if len(problems) > before:
        return None
    return _Row(line, fields, found_communes, siret, name)


def _lookups(rows: list[dict[str, Any]]) -> tuple[dict[str, CpvCode], dict[str, Commune]]:
    codes, insees = set(), set()
    for cells in rows:
        value = cells.get("cpv")
        if value is not None and not isinstance(value, Formula):
            text = str(int(value) if isinstance(value, float) else value).strip()
            codes.add(text.split("-")[0].replace(" ", ""))
        value = cells.get("communes")
        if value is not None and not isinstance(value, Formula):
            insees.update(re.split(r"[,;\s|]+", str(value).strip()))
    cpvs = {c.code8: c for c in CpvCode.objects.filter(code8__in=codes)}
    communes = {
        c.insee: c for c in Commune.objects.filter(insee__in=insees).select_related("department")
    }
    return cpvs, communes


def _companies_exist(rows: list[_Row], report: ImportReport) -> None:
    """A SIRET not known as a company needs a name; one known for another kind is refused."""
    sirets = {row.holder_siret for row in rows if row.holder_siret}
    known = dict(Organisation.objects.filter(siret__in=sirets).values_list("siret", "kind"))
    for row in rows:
        if not row.holder_siret:
            continue
        kind = known.get(row.holder_siret)
        if kind is None and not row.holder_name:
            report.errors.append(
                ImportProblem(
                    row.line, "Nom du titulaire", "entreprise inconnue : indiquez son nom."
                )
            )
        elif kind is not None and kind != OrganisationKind.COMPANY:
            report.errors.append(
                ImportProblem(
                    row.line,
                    "SIRET du titulaire",
                    "ce SIRET est celui d'une organisation qui n'est pas une entreprise.",
                )
            )


def validate_rows(file: IO[bytes] | bytes, *, name: str = "") -> tuple[list[_Row], ImportReport]:
    """Read and check every row; nothing is written."""
    report = ImportReport()
    try:
        table = _read(file, name)
    except ValidationError as exc:
        report.errors.append(ImportProblem(1, "", exc.messages[0]))
        return [], report
    if not table:
        report.errors.append(ImportProblem(1, "", "le fichier est vide."))
        return [], report
    mapping, problems = _header_map(table[0][1])
    report.errors.extend(problems)
    if problems:
        return [], report
    raw_rows = []
    lines = []
    for line, values in table[1:]:
        lines.append(line)
        raw_rows.append(
            {column.key: values[i] if i < len(values) else None for i, column in mapping.items()}
        )
    cpvs, communes = _lookups(raw_rows)
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for line, cells in zip(lines, raw_rows, strict=True):
        row = _parse_row(line, cells, cpvs=cpvs, communes=communes, problems=report.errors)
        if row is None:
            continue
        reference = row.fields["reference"]
        if reference in seen:
            report.errors.append(
                ImportProblem(
                    line,
                    "Référence",
                    f"référence en double (déjà à la ligne {seen[reference]}).",
                )
            )
            continue
        seen[reference] = line
        rows.append(row)
    report.rows = len(raw_rows)
    _companies_exist(rows, report)
    report.errors.sort(key=lambda p: p.line)
    return rows, report


_COMPARED = [
    "subject",
    "kind",
    "procedure",
    "cpv_id",
    "estimated_amount_ht",
    "awarded_amount_ht",
    "consultation_launch_date",
    "planned_publication_date",
    "notification_date",
    "start_date",
    "end_date",
    "duration_months",
    "status",
]


def _model_values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in fields.items() if k != "cpv"}
    values["cpv_id"] = fields["cpv"].pk if fields["cpv"] else None
    return values


def _sync_holder(market: Market, row: _Row) -> bool:
    if not row.holder_siret:
        return False
    lot = market.lots.order_by("number").first()
    if lot is None:
        lot = Lot.objects.create(market=market, number=1, title=services.SINGLE_LOT_TITLE)
    company = services.company_for_siret(row.holder_siret, row.holder_name)
    _, created = LotContractor.objects.get_or_create(
        lot=lot, organisation=company, role=ContractorRole.HOLDER
    )
    return created


def import_markets(
    *, buyer: Organisation, file: IO[bytes] | bytes, actor: Actor, name: str = ""
) -> ImportReport:
    """Validate every row, then create or update all the markets in one transaction (or
    none). Returns the report: counts, or the errors by line and column."""
    if not policies.can_create_market(actor, buyer):
        raise PermissionDenied("Vous ne pouvez pas importer de marchés pour cet acheteur.")
    name = name or getattr(file, "name", "") or ""
    rows, report = validate_rows(file, name=name)
    if report.errors:
        return report
    existing = {
        m.reference: m
        for m in Market.objects.filter(
            buyer=buyer, reference__in=[r.fields["reference"] for r in rows]
        ).prefetch_related("execution_communes")
    }
    with transaction.atomic():
        for row in rows:
            market = existing.get(row.fields["reference"])
            values = _model_values(row.fields)
            if market is None:
                if values["status"] != MarketStatus.PLANNED and not policies.can_create_market(
                    actor, buyer
                ):  # pragma: no cover — same check as above, kept explicit
                    raise PermissionDenied("Import refusé.")
                market = services.create_market(
                    actor=actor,
                    buyer=buyer,
                    data={**row.fields, "status": values["status"]},
                    execution_communes=row.communes,
                    event=MarketEventKind.IMPORTED,
                    check_permission=False,
                )
                _sync_holder(market, row)
                report.created += 1
                continue
            changes = {
                key: [str(getattr(market, key)), str(values[key])]
                for key in _COMPARED
                if getattr(market, key) != values[key]
            }
            if market.is_closed and changes:
                report.errors.append(
                    ImportProblem(
                        row.line, "Référence", "ce marché est clôturé : il ne change plus."
                    )
                )
                continue
            for key in changes:
                setattr(market, key, values[key])
            before = {c.insee for c in market.execution_communes.all()}
            after = {c.insee for c in row.communes}
            if before != after:
                market.execution_communes.set(row.communes)
                changes["execution_communes"] = [sorted(before), sorted(after)]
            if _sync_holder(market, row):
                changes["holder"] = ["", row.holder_siret]
            if changes:
                market.save()
                services.common._event(
                    market, MarketEventKind.IMPORTED, actor=actor, changes=changes
                )
                report.updated += 1
            else:
                report.unchanged += 1
        if report.errors:
            transaction.set_rollback(True)
            report.created = report.updated = report.unchanged = 0
            return report
        audit.record(
            actor,
            AuditAction.CREATE,
            buyer,
            changes={"import": [report.created, report.updated, report.unchanged]},
        )
    return report


# -- the template -----------------------------------------------------------------------


def template_csv() -> bytes:
    return csv_bytes([[c.header for c in COLUMNS], EXAMPLE_ROW])


def template_xlsx() -> bytes:
    from openpyxl.styles import Font

    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "Marchés"
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(EXAMPLE_ROW)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            14, len(column.header) + 2
        )
        for row in (1, 2):
            sheet.cell(row, index).number_format = "@"  # text: no automatic conversion
    help_sheet = workbook.create_sheet("Aide")
    help_sheet.append(["Colonne", "Obligatoire", "Contenu"])
    for column in COLUMNS:
        help_sheet.append([column.header, "oui" if column.required else "non", column.help])
    return workbook_bytes(workbook)


def problems_as_text(problems: Iterable[ImportProblem]) -> list[str]:
    return [str(problem) for problem in problems]

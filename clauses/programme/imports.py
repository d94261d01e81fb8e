"""Read a buyer's procurement programme as buyers keep it (XLSX or CSV), suggest which
column holds what from the headers, and validate every row.

Hostile files are the shared safe reader's business (`clauses.core.spreadsheets`: size
cap, zip members and inflated size bounded, declared dimensions ignored, rows and columns
capped, formulas never evaluated but returned as `Formula` and refused here by line and
column); any unreadable file is a French message, never a 500. A title row above the
headers is allowed (the first row with two filled cells is the header).

Validation is all or nothing: `validate()` returns the clean rows or the problems, each
with its line (as the file numbers it) and its column as the file names it.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from clauses.core import spreadsheets
from clauses.core.numbers import NumberError, NumberNotFinite, NumberOutOfRange, parse_decimal
from clauses.core.text import fold
from clauses.markets.rules import MarketKind
from clauses.programme import rules
from clauses.territories.models import Commune, CpvCode, Department, PostalCode

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000  # lines of a programme (the header excluded)
MAX_TITLE_ROWS = 5  # rows allowed above the header (a title, a date…)
MAX_CELL = 2000


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool
    synonyms: tuple[str, ...]  # folded headers that name this field


FIELDS: tuple[Field, ...] = (
    Field(
        "title",
        "Intitulé",
        True,
        (
            "intitule",
            "objet",
            "titre",
            "libelle",
            "designation",
            "objet du marche",
            "intitule de la consultation",
            "intitule du marche",
            "objet de la consultation",
            "consultation",
            "marche",
        ),
    ),
    Field("description", "Description", False, ("description", "detail", "observations")),
    Field("cpv", "Code CPV", False, ("cpv", "code cpv", "cpv principal", "code cpv principal")),
    Field(
        "category",
        "Catégorie d'achat",
        False,
        (
            "categorie",
            "categorie d achat",
            "famille",
            "famille d achat",
            "famille achat",
            "segment",
            "domaine",
            "nomenclature",
        ),
    ),
    Field(
        "place",
        "Lieu d'exécution",
        False,
        (
            "lieu",
            "lieu d execution",
            "lieu execution",
            "commune",
            "departement",
            "code insee",
            "localisation",
            "site",
            "territoire",
        ),
    ),
    Field(
        "amount_ht",
        "Montant estimé HT",
        False,
        (
            "montant",
            "montant estime",
            "montant ht",
            "montant estime ht",
            "montant previsionnel",
            "budget",
            "estimation",
            "montant total",
            "montant estimatif",
        ),
    ),
    Field(
        "duration_months",
        "Durée (mois)",
        False,
        ("duree", "duree mois", "duree en mois", "duree du marche", "duree previsionnelle"),
    ),
    Field(
        "launch_date",
        "Lancement prévu",
        False,
        (
            "lancement",
            "date de lancement",
            "date lancement",
            "lancement prevu",
            "date previsionnelle",
            "publication",
            "date de publication",
            "date previsionnelle de publication",
            "calendrier",
        ),
    ),
    Field(
        "kind",
        "Type de marché",
        False,
        ("type", "type de marche", "nature", "nature du marche", "type de prestation"),
    ),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Ligne {self.line}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (line of the file, values), empty rows left out
    header_line: int = 1


@dataclass
class CleanRow:
    number: int
    title: str
    description: str = ""
    cpv: CpvCode | None = None
    category: str = ""
    kind: str = ""
    department: Department | None = None
    commune: Commune | None = None
    amount_ht: Decimal | None = None
    duration_months: int | None = None
    launch_date: date | None = None


@dataclass
class Validation:
    rows: list[CleanRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


# -- reading ------------------------------------------------------------------------------


def read(raw: bytes, name: str) -> Sheet:
    """The header row and the data rows of the first sheet. ValidationError in French."""
    if not raw:
        raise ValidationError("Le fichier est vide.")
    try:
        rows = spreadsheets.read_table(
            raw, name=name, max_rows=MAX_ROWS + MAX_TITLE_ROWS, max_bytes=MAX_BYTES
        )
    except spreadsheets.SpreadsheetError as exc:
        raise ValidationError(f"Fichier refusé : {exc}") from exc
    # The header is the first row with at least two filled cells (titles above it are
    # common in buyers' files).
    start = next(
        (
            i
            for i, (_, values) in enumerate(rows[: MAX_TITLE_ROWS + 1])
            if sum(1 for v in values if _text(v)) >= 2
        ),
        None,
    )
    if start is None:
        raise ValidationError("Aucune ligne d'en-têtes trouvée (au moins deux colonnes nommées).")
    header_line, header_values = rows[start]
    headers = [_text(v)[:200] for v in header_values]
    while headers and not headers[-1]:
        headers.pop()
    data = rows[start + 1 :]
    if len(data) > MAX_ROWS:
        raise ValidationError(
            f"Le fichier compte plus de {MAX_ROWS} lignes : découpez la programmation."
        )
    if not data:
        raise ValidationError("Le fichier ne contient aucune ligne sous les en-têtes.")
    return Sheet(headers=headers, rows=data, header_line=header_line)


# -- mapping ------------------------------------------------------------------------------


def suggest_mapping(headers: list[str]) -> dict[str, int]:
    """{field key: column index} from the headers, accents, case and punctuation ignored:
    an exact synonym first, then a header that starts with a synonym; each column is used
    once, the longest synonym winning."""
    folded = [fold(h, expand=False) for h in headers]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    candidates = []
    for f in FIELDS:
        for synonym in f.synonyms:
            for index, header in enumerate(folded):
                if not header:
                    continue
                if header == synonym:
                    candidates.append((2, len(synonym), f.key, index))
                elif header.startswith(synonym + " ") or f" {synonym} " in f" {header} ":
                    candidates.append((1, len(synonym), f.key, index))
    for _, _, key, index in sorted(candidates, key=lambda c: (-c[0], -c[1], c[3])):
        if key in mapping or index in used:
            continue
        mapping[key] = index
        used.add(index)
    return mapping


# -- cells ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, spreadsheets.Formula):
        return ""  # validate() reports it by line and column
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_NUMBER_NOISE = re.compile(r"[\s\u00a0\u202f€]|ht|ttc|eur(os?)?", re.IGNORECASE)


def parse_amount(value: Any) -> Decimal:
    """An amount as buyers write it ("1 200 000,50 €", "1.200.000,00", "150 k€", "95000
    HT"): their extras (HT, TTC, euros, k and M, dots grouping thousands) are removed here,
    the number itself is read by `clauses.core.numbers`."""
    if isinstance(value, bool):
        raise ValueError("un montant en euros est attendu")
    multiplier = 1
    typed = value
    if not isinstance(value, int | float | Decimal):
        text = _NUMBER_NOISE.sub("", str(value))
        if text.lower().endswith("k"):
            text, multiplier = text[:-1], 1000
        elif text.lower().endswith("m"):
            text, multiplier = text[:-1], 1_000_000
        if "," in text and "." in text:
            text = text.replace(".", "")
        if text.count(".") > 1:
            text = text.replace(".", "")
        typed = text
    try:
        amount = parse_decimal(typed, places=None)
    except NumberNotFinite:
        raise ValueError("un montant fini est attendu") from None
    except NumberOutOfRange:
        raise ValueError("montant trop élevé") from None
    except NumberError:
        raise ValueError(f"« {value} » n'est pas un montant") from None
    if amount is None:
        raise ValueError(f"« {value} » n'est pas un montant")
    amount *= multiplier
    if amount < 0:
        raise ValueError("le montant ne peut pas être négatif")
    if amount >= rules.MAX_AMOUNT:
        raise ValueError("montant trop élevé")
    return amount.quantize(Decimal("0.01"))


_DURATION = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(mois|m|ans?|annees?|a)?$")


def parse_duration(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("un nombre de mois est attendu")
    if isinstance(value, int | float):
        months = float(value)
    elif str(value).strip().startswith("-"):
        raise ValueError("la durée ne peut pas être négative")
    else:
        match = _DURATION.match(fold(str(value), expand=False).replace(" ", ""))
        if match is None:
            match = _DURATION.match(fold(str(value), expand=False))
        if match is None:
            raise ValueError(f"« {value} » n'est pas une durée (par exemple 24 ou « 2 ans »)")
        months = float(match.group(1).replace(",", "."))
        if (match.group(2) or "").startswith("a"):
            months *= 12
    if months != int(months):
        raise ValueError("la durée doit être un nombre entier de mois")
    if not 1 <= months <= rules.MAX_DURATION_MONTHS:
        raise ValueError(f"la durée doit être comprise entre 1 et {rules.MAX_DURATION_MONTHS} mois")
    return int(months)


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_MY = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_QUARTER = re.compile(
    r"^(?:t|trimestre)\s*([1-4])\s*(\d{4})$|^([1-4])\s*(?:e|er|eme)?\s*trimestre\s*(\d{4})$"
)
_YEAR = re.compile(r"^(\d{4})$")


def parse_date(value: Any) -> date:
    """A date as buyers plan: 15/09/2026, 2026-09-15, 09/2026, T3 2026, « 3e trimestre
    2026 », 2026 (the first day of the period)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = fold(_text(value), expand=False) if not isinstance(value, str) else value.strip()
    folded = fold(text, expand=False)
    try:
        if m := _DMY.match(text):
            day, month, year = int(m[1]), int(m[2]), int(m[3])
            return date(year, month, day)
        if m := _ISO.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MY.match(text):
            return date(int(m[2]), int(m[1]), 1)
        if m := _QUARTER.match(folded):
            quarter, year = (m[1], m[2]) if m[1] else (m[3], m[4])
            return date(int(year), 3 * (int(quarter) - 1) + 1, 1)
        if m := _YEAR.match(text):
            return date(int(m[1]), 1, 1)
    except ValueError as exc:
        raise ValueError(f"« {text} » n'est pas une date valide") from exc
    raise ValueError(f"« {text} » n'est pas une date (par exemple 15/09/2026, 09/2026 ou T3 2026)")


def parse_kind(value: Any) -> str:
    text = fold(_text(value), expand=False)
    if text.startswith(("trav", "tx")):
        return MarketKind.WORKS
    if text.startswith("fourn"):
        return MarketKind.SUPPLIES
    if text.startswith(("serv", "prest", "pi ", "tic")) or text in ("fcs", "pi"):
        return MarketKind.SERVICES
    raise ValueError(f"« {value} » : indiquez Travaux, Fournitures ou Services")


WORKS_FAMILIES = frozenset({"batiment", "peinture", "maconnerie", "charpente_metallique"})

_CPV = re.compile(r"^(\d{8})(?:-\d)?$")


# -- validation -----------------------------------------------------------------------


class _Places:
    """Places of execution of a whole file, resolved in a few queries: a département code
    or name, an INSEE code, a postcode or a commune name."""

    def __init__(self, values: set[str]) -> None:
        self.departments = {d.code: d for d in Department.objects.all()}
        self.department_names = {fold(d.name): d for d in self.departments.values()}
        codes = {v for v in values if re.fullmatch(r"\d{5}|2[ABab]\d{3}", v)}
        names = {fold(v) for v in values if not re.fullmatch(r"[\dABab]{2,5}", v)}
        communes = Commune.objects.select_related("department")
        self.by_insee = {c.insee: c for c in communes.filter(insee__in={c.upper() for c in codes})}
        self.by_postcode: dict[str, Commune] = {}
        for postal in (
            PostalCode.objects.filter(code__in=codes)
            .select_related("commune__department")
            .order_by("code", "-commune__population")
        ):
            self.by_postcode.setdefault(postal.code, postal.commune)
        self.by_name: dict[str, Commune] = {}
        for commune in communes.filter(search_name__in=names).order_by("-population"):
            self.by_name.setdefault(commune.search_name, commune)

    def resolve(self, value: str) -> tuple[Department, Commune | None]:
        text = value.strip()
        upper = text.upper()
        if upper in self.departments:
            return self.departments[upper], None
        if len(text) == 1 and text.isdigit() and f"0{text}" in self.departments:
            return self.departments[f"0{text}"], None
        commune = self.by_insee.get(upper) or self.by_postcode.get(text)
        if commune is None and fold(text) in self.department_names:
            return self.department_names[fold(text)], None
        commune = commune or self.by_name.get(fold(text))
        if commune is None:
            raise ValueError(
                f"« {text} » : lieu inconnu (un département, un code INSEE, un code postal ou "
                "le nom d'une commune)"
            )
        return commune.department, commune


def validate(sheet: Sheet, mapping: dict[str, int]) -> Validation:
    """Every row checked; clean rows only if there is no problem at all."""
    result = Validation()
    if "title" not in mapping:
        result.problems.append(
            Problem(1, "", "Indiquez la colonne de l'intitulé de chaque consultation.")
        )
        return result
    for key, index in mapping.items():
        if key not in FIELD_BY_KEY or not 0 <= index < len(sheet.headers):
            result.problems.append(Problem(1, "", "Correspondance de colonnes invalide."))
            return result

    def cell(row: list[Any], key: str) -> Any:
        index = mapping.get(key)
        if index is None or index >= len(row):
            return None
        value = row[index]
        return None if _text(value) == "" else value

    def header(key: str) -> str:
        return sheet.headers[mapping[key]] or FIELD_BY_KEY[key].label

    rows = []
    formulas: set[tuple[int, str]] = set()  # (line, key): reported once, not as missing
    for line, values in sheet.rows:
        row = list(values)
        for key, index in mapping.items():
            if index < len(row) and isinstance(row[index], spreadsheets.Formula):
                result.problems.append(
                    Problem(line, header(key), "formule refusée : saisissez la valeur elle-même.")
                )
                formulas.add((line, key))
                row[index] = None
        rows.append((line, row))
    cpv_codes = set()
    places = set()
    for _, row in rows:
        if (value := cell(row, "cpv")) is not None and (m := _CPV.match(_text(value))):
            cpv_codes.add(m[1])
        if (value := cell(row, "place")) is not None:
            places.add(_text(value))
    known_cpv = {c.code8: c for c in CpvCode.objects.filter(code8__in=cpv_codes)}
    resolver = _Places(places)

    for line, row in rows:
        clean = CleanRow(number=line, title="")
        problems: list[Problem] = []

        def problem(key: str, message: str, line: int = line, into: list = problems) -> None:
            if (line, key) not in formulas:
                into.append(Problem(line, header(key), message))

        title = _text(cell(row, "title"))
        if not title:
            problem("title", "l'intitulé est obligatoire.")
        clean.title = title[:300]
        clean.description = _text(cell(row, "description"))[:2000]
        clean.category = _text(cell(row, "category"))[:200]
        if (value := cell(row, "cpv")) is not None:
            m = _CPV.match(_text(value).replace(" ", ""))
            if m is None:
                problem("cpv", f"« {value} » : un code CPV a 8 chiffres (par exemple 45210000).")
            elif m[1] not in known_cpv:
                problem("cpv", f"code CPV {m[1]} inconnu.")
            else:
                clean.cpv = known_cpv[m[1]]
        if (value := cell(row, "kind")) is not None:
            try:
                clean.kind = parse_kind(value)
            except ValueError as exc:
                problem("kind", f"{exc}.")
        elif clean.cpv is not None:
            clean.kind = clean.cpv.market_kind
        for key, parser, attribute in (
            ("amount_ht", parse_amount, "amount_ht"),
            ("duration_months", parse_duration, "duration_months"),
            ("launch_date", parse_date, "launch_date"),
        ):
            if (value := cell(row, key)) is not None:
                try:
                    setattr(clean, attribute, parser(value))
                except ValueError as exc:
                    problem(key, f"{exc}.")
        if clean.launch_date is not None and not date(2000, 1, 1) <= clean.launch_date <= date(
            2100, 12, 31
        ):
            problem("launch_date", "date hors des années 2000 à 2100.")
        if (value := cell(row, "place")) is not None:
            try:
                clean.department, clean.commune = resolver.resolve(_text(value))
            except ValueError as exc:
                problem("place", f"{exc}.")
        if not clean.kind and not problems:
            family = rules.family_for(
                None, MarketKind.SERVICES, fold(f"{clean.category} {clean.title}")
            )
            if family.code in WORKS_FAMILIES:
                clean.kind = MarketKind.WORKS
            elif family.code not in ("services_autres", "fournitures"):
                clean.kind = MarketKind.SERVICES
            else:
                where = header("kind") if "kind" in mapping else ""
                problems.append(
                    Problem(
                        line,
                        where,
                        "type de marché inconnu : indiquez Travaux, Fournitures ou Services, "
                        "ou un code CPV.",
                    )
                )
        result.problems.extend(problems)
        if not problems:
            result.rows.append(clean)
    if not rows:
        result.problems.append(Problem(sheet.header_line + 1, "", "Aucune ligne à importer."))
    if result.problems:
        result.rows = []
    return result

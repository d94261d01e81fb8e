"""The checks of a history file that need no database (pure): every mapped cell typed, each
row's entities complete, the rows grouped by their natural keys, and what the rows say of
the same thing agreeing. Never raises on what a file holds: every problem is a
`Problem(line, column header, French message)` (a property test feeds arbitrary cells).

An entity is in the file when one of its fields is mapped; in a row, when one of its cells
is filled. What it then needs (`fields.Field.required`, and):

- a person: last and first names, and a birth date or year (the identity key needs them);
- an eligibility validation: a person in the row;
- a market: a reference and its buyer (SIRET or name); a lot (default: n° 1) and a clause
  (default: the insertion clause, condition d'exécution) need the market;
- an assignment (mission): a person, a market, a company (SIRET or name), a modality and
  its start (the end, if any, not before it);
- a month of hours: an assignment in the row; the month begun and within the mission's
  dates, the hours within the legal monthly maximum (hours' own rules, `hours.rules`).

Rows that name the same assignment must agree on its end; the same assignment and month
twice is « déjà à la ligne N » unless the hours are the same (then the later row is skipped).
"""

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from clauses.core.dates import first_of_month, last_of_month
from clauses.core.numbers import french
from clauses.core.text import compact as _compact
from clauses.history import fields, mapping
from clauses.hours import rules as hour_rules

MAX_PROBLEMS = 1000

# Folding is the slow part of a large file and its cells repeat (names, companies, dates).
compact = functools.lru_cache(maxsize=65_536)(_compact)
HEADER_LINE = 1
MEMO_SIZE = 200_000


class Problem(NamedTuple):
    line: int
    column: str  # the header as in the file ("" for the whole line)
    message: str  # French, starting lower-case: it follows « ligne N, colonne X : »


# -- the typed values of a row, by entity ----------------------------------------------------


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    birth_date: datetime.date | None
    birth_year: int | None
    gender: str

    @cached_property
    def key(self) -> tuple[str, str, str]:
        """Grouping key in the file (the identity key's inputs, folded)."""
        birth = self.birth_date.isoformat() if self.birth_date else str(self.birth_year)
        return (compact(self.last_name), compact(self.first_name), birth)


@dataclass(frozen=True)
class Eligibility:
    criteria: tuple[str, ...]
    validated_on: datetime.date
    proof_kind: str
    proof_date: datetime.date | None


@dataclass(frozen=True)
class Market:
    buyer_siret: str
    buyer_name: str
    reference: str
    subject: str
    kind: str
    notification_date: datetime.date | None

    @cached_property
    def key(self) -> tuple[str, str]:
        """(buyer, reference): the buyer by SIRET when given, else by its folded name."""
        buyer = (
            f"siret:{self.buyer_siret}" if self.buyer_siret else f"name:{compact(self.buyer_name)}"
        )
        return (buyer, self.reference.strip().upper())


@dataclass(frozen=True)
class Assignment:
    company_siret: str
    company_name: str
    modality: str
    contract_type: str
    start_date: datetime.date
    end_date: datetime.date | None
    trade: str

    @cached_property
    def company_key(self) -> str:
        if self.company_siret:
            return f"siret:{self.company_siret}"
        return f"name:{compact(self.company_name)}"


@dataclass(frozen=True)
class Hours:
    month: datetime.date
    hours: Decimal


@dataclass
class Row:
    line: int
    person: Person | None = None
    eligibility: Eligibility | None = None
    market: Market | None = None
    lot_number: int = 1
    lot_title: str = ""
    clause_kind: str = ""
    clause_hours: int | None = None
    assignment: Assignment | None = None
    hours: Hours | None = None
    duplicate_of: int | None = None  # the hours are the same as those of this earlier line

    @cached_property
    def lot_key(self) -> tuple:
        assert self.market is not None  # noqa: S101 — only asked of rows with a market
        return (*self.market.key, self.lot_number)

    @cached_property
    def clause_key(self) -> tuple:
        return (*self.lot_key, self.clause_kind)

    @cached_property
    def assignment_key(self) -> tuple:
        assert self.person and self.market and self.assignment  # noqa: S101
        return (
            self.person.key,
            self.lot_key,
            self.assignment.company_key,
            self.assignment.start_date,
        )


@dataclass
class Checked:
    """The rows read (only when there is no problem) and the problems."""

    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    entities: set[str] = field(default_factory=set)
    headers: dict[str, str] = field(default_factory=dict)  # field key → header
    memo: dict = field(default_factory=dict, repr=False)  # (field, cell) → (value, error)

    def column(self, key: str) -> str:
        return self.headers.get(key, "")


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.more = 0

    def add(self, line: int, column: str, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(line, column, message))
        else:
            self.more += 1

    def result(self) -> list[Problem]:
        if self.more:
            return [
                *self.items,
                Problem(0, "", f"et {self.more} autres problèmes (corrigez d'abord les premiers)."),
            ]
        return self.items


# -- the mapping itself ------------------------------------------------------------------


def _mapping_problems(
    headers: Sequence[str], columns: dict[str, str | None], problems: _Problems
) -> set[str]:
    """The entities present; problems for a mapping that cannot work."""
    known = set(headers)
    for key, header in (columns or {}).items():
        if key in fields.FIELDS_BY_KEY and header and header not in known:
            problems.add(HEADER_LINE, str(header)[:120], "cette colonne n'est pas dans le fichier.")
    mapped = {key for key, header in (columns or {}).items() if header in known}
    mapped &= set(fields.FIELDS_BY_KEY)
    entities = {fields.FIELDS_BY_KEY[key].entity for key in mapped}
    if not entities:
        problems.add(HEADER_LINE, "", "aucune colonne n'est associée à un champ.")
        return entities
    if fields.LOT in entities or fields.CLAUSE in entities:
        entities.add(fields.MARKET)
    for spec in fields.FIELDS:
        if spec.entity in entities and spec.required and spec.key not in mapped:
            problems.add(
                HEADER_LINE,
                "",
                f"associez une colonne au champ « {spec.label} » "
                f"({fields.ENTITIES[spec.entity].lower()}).",
            )
    alternatives = {
        fields.PERSON: (
            ("person.birth_date", "person.birth_year"),
            "la date ou l'année de naissance",
        ),
        fields.MARKET: (
            ("market.buyer_siret", "market.buyer_name"),
            "le SIRET ou le nom de l'acheteur",
        ),
        fields.ASSIGNMENT: (
            ("assignment.company_siret", "assignment.company_name"),
            "le SIRET ou le nom de l'entreprise",
        ),
    }
    for entity, (keys, what) in alternatives.items():
        if entity in entities and not any(key in mapped for key in keys):
            problems.add(HEADER_LINE, "", f"associez une colonne à {what}.")
    needs = {
        fields.ELIGIBILITY: (fields.PERSON,),
        fields.ASSIGNMENT: (fields.PERSON, fields.MARKET),
        fields.HOURS: (fields.ASSIGNMENT,),
    }
    for entity, required in needs.items():
        for other in required:
            if entity in entities and other not in entities:
                problems.add(
                    HEADER_LINE,
                    "",
                    f"les {fields.ENTITIES[entity].lower()} demandent les colonnes des "
                    f"{fields.ENTITIES[other].lower()}.",
                )
    return entities


# -- one row --------------------------------------------------------------------------------


class _Reader:
    """Types the cells of one row, collecting the problems."""

    def __init__(
        self,
        line: int,
        cells: list[Any],
        where: dict[str, int],
        checked: Checked,
        values: dict,
        problems: _Problems,
    ) -> None:
        self.line, self.cells, self.where = line, cells, where
        self.checked, self.values, self.problems = checked, values, problems
        self.failed = False

    def raw(self, key: str) -> Any:
        position = self.where.get(key)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def filled(self, entity: str) -> bool:
        return any(
            not mapping.is_blank(self.raw(spec.key))
            for spec in fields.fields_of(entity)
            if spec.key in self.where
        )

    def problem(self, key: str, message: str) -> None:
        self.failed = True
        self.problems.add(self.line, self.checked.column(key), message)

    def get(self, key: str, *, required: bool = False) -> Any:
        spec = fields.FIELDS_BY_KEY[key]
        cell = self.raw(key)
        hashable = isinstance(cell, str | int | float | datetime.date) and not isinstance(
            cell, bool
        )
        memo_key = (key, cell) if hashable else None
        if memo_key is not None and memo_key in self.checked.memo:
            value, error = self.checked.memo[memo_key]
        else:
            value, error = self._typed(spec, key, cell)
            if memo_key is not None and len(self.checked.memo) < MEMO_SIZE:
                self.checked.memo[memo_key] = (value, error)
        if error:
            self.problem(key, error)
            return None
        if required and (value is None or value == "" or value == ()):
            self.problem(key, f"« {spec.label} » est à renseigner.")
        return value

    def _typed(self, spec: fields.Field, key: str, cell: Any) -> tuple[Any, str]:
        """(value, "") or (None, French error) for one cell."""
        try:
            if spec.kind == fields.TEXT:
                value: Any = mapping.parse_text(cell, max_length=spec.max_length)
            elif spec.kind == fields.DATE:
                value = mapping.parse_date(cell)
            elif spec.kind == fields.MONTH:
                value = mapping.parse_month(cell)
            elif spec.kind == fields.INTEGER:
                value = mapping.parse_whole(cell)
            elif spec.kind == fields.DECIMAL:
                value = mapping.parse_number(cell)
            else:
                codes = mapping.parse_choice(cell, key, self.values)
                value = tuple(codes) if spec.multiple else (codes[0] if codes else "")
        except mapping.CellError as exc:
            return None, str(exc)
        except Exception:  # noqa: BLE001 — a cell never breaks the check (property-tested)
            return None, "valeur illisible."
        return value, ""


def _siret(reader: _Reader, key: str) -> str:
    text = reader.get(key) or ""
    digits = "".join(ch for ch in text if not ch.isspace())
    if digits and not (digits.isdigit() and len(digits) == 14):
        reader.problem(key, f"« {text[:40]} » n'est pas un SIRET (14 chiffres).")
        return ""
    return digits


def _person(reader: _Reader, today: datetime.date) -> Person | None:
    last = reader.get("person.last_name", required=True)
    first = reader.get("person.first_name", required=True)
    birth_date = reader.get("person.birth_date") if "person.birth_date" in reader.where else None
    birth_year = reader.get("person.birth_year") if "person.birth_year" in reader.where else None
    gender = reader.get("person.gender") if "person.gender" in reader.where else ""
    if birth_date is not None:
        if birth_date > today:
            reader.problem("person.birth_date", "la date de naissance est dans le futur.")
        birth_year = birth_date.year
    elif birth_year is not None:
        if not 1900 <= birth_year <= today.year:
            reader.problem("person.birth_year", "l'année de naissance n'est pas plausible.")
    elif not reader.failed:
        column = "person.birth_date" if "person.birth_date" in reader.where else "person.birth_year"
        reader.problem(column, "indiquez la date ou l'année de naissance.")
    if last and not compact(last) or first and not compact(first):
        reader.problem("person.last_name", "le nom et le prénom doivent contenir des lettres.")
    if reader.failed:
        return None
    return Person(last, first, birth_date, birth_year, gender or "unspecified")


def _eligibility(reader: _Reader, today: datetime.date) -> Eligibility | None:
    criteria = reader.get("eligibility.criteria", required=True)
    validated_on = reader.get("eligibility.validated_on", required=True)
    proof_kind = (
        reader.get("eligibility.proof_kind") if "eligibility.proof_kind" in reader.where else ""
    )
    proof_date = (
        reader.get("eligibility.proof_date") if "eligibility.proof_date" in reader.where else None
    )
    if validated_on and validated_on > today:
        reader.problem("eligibility.validated_on", "la date de validation est dans le futur.")
    if proof_date and validated_on and proof_date > validated_on:
        reader.problem("eligibility.proof_date", "le justificatif est postérieur à la validation.")
    if reader.failed:
        return None
    return Eligibility(tuple(criteria), validated_on, proof_kind or "", proof_date)


def _market(reader: _Reader) -> Market | None:
    siret = _siret(reader, "market.buyer_siret") if "market.buyer_siret" in reader.where else ""
    name = reader.get("market.buyer_name") if "market.buyer_name" in reader.where else ""
    reference = reader.get("market.reference", required=True)
    subject = reader.get("market.subject") if "market.subject" in reader.where else ""
    kind = reader.get("market.kind") if "market.kind" in reader.where else ""
    notified = (
        reader.get("market.notification_date")
        if "market.notification_date" in reader.where
        else None
    )
    if not siret and not name and not reader.failed:
        column = (
            "market.buyer_siret" if "market.buyer_siret" in reader.where else "market.buyer_name"
        )
        reader.problem(column, "indiquez le SIRET ou le nom de l'acheteur.")
    if reader.failed:
        return None
    return Market(siret, name or "", reference, subject or "", kind or "", notified)


def _assignment(reader: _Reader) -> Assignment | None:
    get = reader.get
    siret = (
        _siret(reader, "assignment.company_siret")
        if "assignment.company_siret" in reader.where
        else ""
    )
    name = get("assignment.company_name") if "assignment.company_name" in reader.where else ""
    modality = get("assignment.modality", required=True)
    contract = get("assignment.contract_type") if "assignment.contract_type" in reader.where else ""
    start = get("assignment.start_date", required=True)
    end = get("assignment.end_date") if "assignment.end_date" in reader.where else None
    trade = get("assignment.trade") if "assignment.trade" in reader.where else ""
    if not siret and not name and not reader.failed:
        column = (
            "assignment.company_siret"
            if "assignment.company_siret" in reader.where
            else "assignment.company_name"
        )
        reader.problem(column, "indiquez le SIRET ou le nom de l'entreprise.")
    if start and end and end < start:
        reader.problem("assignment.end_date", "la fin de la mission précède son début.")
    if reader.failed:
        return None
    return Assignment(siret, name or "", modality, contract or "", start, end, trade or "")


def _hours(reader: _Reader, today: datetime.date, assignment: Assignment | None) -> Hours | None:
    month = reader.get("hours.month", required=True)
    hours = reader.get("hours.hours", required=True)
    if month is not None:
        try:
            hour_rules.check_month(month, today=today)
        except hour_rules.RuleError as exc:
            reader.problem("hours.month", _lower_first(str(exc)))
        if assignment is not None and (
            last_of_month(month) < assignment.start_date
            or (assignment.end_date is not None and month > assignment.end_date)
        ):
            until = f" au {assignment.end_date:%d/%m/%Y}" if assignment.end_date else ""
            reader.problem(
                "hours.month",
                f"{month:%m/%Y} est hors des dates de la mission "
                f"(du {assignment.start_date:%d/%m/%Y}{until}).",
            )
    if hours is not None:
        try:
            hour_rules.check_hours(hours)
        except hour_rules.RuleError as exc:
            reader.problem("hours.hours", _lower_first(str(exc)))
    if reader.failed:
        return None
    return Hours(first_of_month(month), hours)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _row(
    line: int,
    cells: list[Any],
    where: dict[str, int],
    checked: Checked,
    values: dict,
    problems: _Problems,
    today: datetime.date,
) -> Row | None:
    reader = _Reader(line, cells, where, checked, values, problems)
    row = Row(line=line)
    present = {entity for entity in checked.entities if reader.filled(entity)}
    if fields.PERSON in present:
        row.person = _person(reader, today)
    if fields.ELIGIBILITY in present:
        if fields.PERSON not in present:
            reader.problem(
                "eligibility.criteria", "une validation demande une personne sur la ligne."
            )
        else:
            row.eligibility = _eligibility(reader, today)
    if present & {fields.MARKET, fields.LOT, fields.CLAUSE}:
        row.market = _market(reader)
        number = reader.get("lot.number") if "lot.number" in where else None
        if number is not None and not 1 <= number <= 999:
            reader.problem("lot.number", "numéro de lot hors de 1 à 999.")
        row.lot_number = number or 1
        row.lot_title = (reader.get("lot.title") if "lot.title" in where else "") or ""
        row.clause_kind = (reader.get("clause.kind") if "clause.kind" in where else "") or (
            "execution_condition"
        )
        row.clause_hours = (
            reader.get("clause.hours_target") if "clause.hours_target" in where else None
        )
    if fields.ASSIGNMENT in present:
        if fields.PERSON not in present or not present & {fields.MARKET, fields.LOT, fields.CLAUSE}:
            reader.problem(
                "assignment.modality", "une mission demande une personne et un marché sur la ligne."
            )
        else:
            row.assignment = _assignment(reader)
    if fields.HOURS in present:
        if fields.ASSIGNMENT not in present:
            reader.problem("hours.hours", "des heures demandent une mission sur la ligne.")
        else:
            row.hours = _hours(reader, today, row.assignment)
    if not present:
        return None  # nothing mapped is filled on this line: nothing to import from it
    return None if reader.failed else row


# -- the rows together ----------------------------------------------------------------------


def _agree(rows: list[Row], checked: Checked, problems: _Problems) -> None:
    """Rows naming the same assignment agree on it; the same assignment and month once."""
    ends: dict[tuple, tuple[int, datetime.date | None, str]] = {}
    months: dict[tuple, tuple[int, Decimal]] = {}
    per_person_month: dict[tuple, Decimal] = {}
    for row in rows:
        if row.assignment is None:
            continue
        key = row.assignment_key
        earlier = ends.get(key)
        if earlier is None:
            ends[key] = (row.line, row.assignment.end_date, row.assignment.modality)
        elif earlier[1] != row.assignment.end_date:
            problems.add(
                row.line,
                checked.column("assignment.end_date"),
                f"la même mission a une autre date de fin à la ligne {earlier[0]}.",
            )
        elif earlier[2] != row.assignment.modality:
            problems.add(
                row.line,
                checked.column("assignment.modality"),
                f"la même mission a une autre modalité à la ligne {earlier[0]}.",
            )
        if row.hours is None:
            continue
        month_key = (key, row.hours.month)
        if month_key in months:
            line, hours = months[month_key]
            if hours == row.hours.hours:
                row.duplicate_of = line
            else:
                problems.add(
                    row.line,
                    checked.column("hours.month"),
                    f"la même mission et le mois {row.hours.month:%m/%Y} sont déjà à la ligne "
                    f"{line} avec {french(hours)} h (une seule déclaration par mission "
                    "et par mois).",
                )
            continue
        months[month_key] = (row.line, row.hours.hours)
        assert row.person is not None  # noqa: S101 — an assignment has its person
        person_month = (row.person.key, row.hours.month)
        total = per_person_month.get(person_month, Decimal(0)) + row.hours.hours
        per_person_month[person_month] = total
        if total > hour_rules.MONTHLY_CEILING_HOURS:
            problems.add(
                row.line,
                checked.column("hours.hours"),
                f"la même personne a {french(total)} h pour {row.hours.month:%m/%Y} "
                f"dans le fichier, plus que le maximum légal de "
                f"{hour_rules.MONTHLY_CEILING_HOURS} h par mois.",
            )


def check_table(
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[Any]]],
    columns: dict[str, str | None],
    values: dict | None = None,
    *,
    today: datetime.date | None = None,
) -> Checked:
    """Type and check every row of the file; `Checked.rows` only when nothing is wrong."""
    from django.utils import timezone

    today = today or timezone.localdate()
    problems = _Problems()
    checked = Checked()
    columns = {k: v for k, v in (columns or {}).items() if isinstance(v, str)}
    values = values if isinstance(values, dict) else {}
    checked.entities = _mapping_problems(list(headers), columns, problems)
    if problems.items:
        checked.problems = problems.result()
        return checked
    where = mapping.positions(list(headers), columns)
    checked.headers = {key: columns[key] for key in where}
    read: list[Row] = []
    for line, cells in rows:
        row = _row(line, list(cells), where, checked, values, problems, today)
        if row is not None:
            read.append(row)
    if not problems.items:
        _agree(read, checked, problems)
    checked.problems = problems.result()
    if not checked.problems:
        if not read:
            checked.problems = [Problem(0, "", "aucune ligne à importer.")]
        else:
            checked.rows = read
    return checked

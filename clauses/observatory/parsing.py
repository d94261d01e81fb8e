"""Reading DECP files and records: the JSON 2024 format (`marches.marche` and
`marches.contrat-concession`, with `modifications`), the 2019 format (`marches` as a list)
and the consolidated tabular form (CSV, one row per contract × holder × modification, lists
joined with ", ").

Files are read as streams, never loaded whole: JSON with ijson (its C backend, yajl2_c: the
records of one array are built in C, one at a time), CSV with the standard `csv` module, row
by row. A bad record raises `RecordError` with its reason in French; the import reports it
and goes on.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import ijson

from clauses.core.numbers import NumberError, parse_decimal
from clauses.observatory import rules
from clauses.observatory.enums import ContractCategory, ContractKind, SourceFormat

MARKET = "market"
CONCESSION = "concession"
FORMAT_2019 = "2019"
TABULAR = "tabular"

MAX_AMOUNT = 10**12  # amounts of 1e17 have been seen in published data: not a real contract
MAX_ID_LENGTH = 64
# (prefix in the 2024 JSON, hint, the name of a record in messages)
JSON_2024_ARRAYS = (
    ("marches.marche.item", MARKET, "marché"),
    ("marches.contrat-concession.item", CONCESSION, "contrat de concession"),
)
_KINDS = {"travaux": ContractKind.WORKS, "fournitures": ContractKind.SUPPLIES,
          "services": ContractKind.SERVICES}  # fmt: skip


class RecordError(ValueError):
    """Why a record is skipped, in French."""


@dataclass(frozen=True)
class Context:
    """What the normalisation needs from the database, read once per import."""

    regions: dict[str, str]  # département code → region code
    buyer_departments: dict[str, str]  # SIRET (and SIREN) of a known buyer → département


EMPTY_CONTEXT = Context({}, {})


@dataclass(frozen=True)
class Normalised:
    fields: dict
    classification: rules.Classification
    warnings: tuple[str, ...]

    @property
    def uid(self) -> str:
        return self.fields["uid"]

    @property
    def rank(self) -> int:
        return self.fields["modification_rank"]

    @property
    def field_absent(self) -> bool:
        return self.classification.warnings == rules.ABSENT_WARNINGS

    @property
    def record_warnings(self) -> tuple[str, ...]:
        """The warnings worth reporting for this record (not the expected absence of the
        field in a 2019-format file, counted once for the file)."""
        if self.field_absent:
            return tuple(w for w in self.warnings if w not in rules.ABSENT_WARNINGS)
        return self.warnings


# -- values ------------------------------------------------------------------------------


def _text(value: object, limit: int) -> str:
    if type(value) is not str:
        if value is None or isinstance(value, dict | list):
            return ""
        value = str(value)
    if "\x00" in value:  # a NUL byte cannot be stored in a text column
        value = value.replace("\x00", "")
    return value.strip()[:limit]


def _amount(value: object, warnings: list[str]) -> object:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif type(value) is str and value.isascii() and " " not in value and "," not in value:
            number = float(value)  # the tabular form's "123456.78": the fast path
        else:
            return parse_decimal(value, minimum=0, maximum=MAX_AMOUNT - 1)
        if number != number or not 0 <= number < MAX_AMOUNT:
            raise NumberError("montant hors des bornes")
        return round(number, 2)
    except (NumberError, ValueError, OverflowError):
        warnings.append(f"Montant « {str(value)[:30]} » illisible ou aberrant : non retenu.")
        return None


def _duration(value: object, warnings: list[str]) -> int | None:
    if value is None or value == "":
        return None
    if type(value) is str and value.isdigit() and len(value) < 5:
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", ".").strip())
        except ValueError:
            warnings.append(f"Durée « {str(value)[:30]} » illisible : non retenue.")
            return None
    if number != number or not 0 <= number <= 1200:
        warnings.append(f"Durée « {str(value)[:30]} » aberrante : non retenue.")
        return None
    return round(number)


@lru_cache(maxsize=8192)
def _day(text: str) -> date | str:
    """The date of an ISO text, or the reason it is refused (memoised: dates repeat)."""
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return "illisible"
    if not 1990 <= day.year <= 2100:
        return "hors des années plausibles"
    return day


def _date(value: object, warnings: list[str], label: str) -> date | None:
    text = _text(value, 40)
    if not text:
        return None
    day = _day(text)
    if isinstance(day, str):
        warnings.append(f"{label} « {text[:30]} » {day} : non retenue.")
        return None
    return day


def _identifier(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    text = _text(value, 200)
    return "".join(text.split()) if " " in text or "\t" in text else text


# Memoised pure rules: in a file the same few values repeat on every row.
_classify = lru_cache(maxsize=4096)(rules.classify)
_department = lru_cache(maxsize=4096)(rules.department_from_place)
_kind_from_cpv = lru_cache(maxsize=4096)(rules.kind_from_cpv)


def classify(value: object, *, present: bool, concession: bool) -> rules.Classification:
    """`rules.classify`, memoised for the values that can be (texts, None)."""
    if value is None or type(value) is str:
        return _classify(value, present=present, concession=concession)
    return rules.classify(value, present=present, concession=concession)


def _unwrap(item: object, key: str) -> object:
    """`{"modification": {...}}` → `{...}` (2024 format); a plain object stays (2019)."""
    if isinstance(item, dict) and isinstance(item.get(key), dict):
        return item[key]
    return item


# -- one record ----------------------------------------------------------------------------


def detect(record: dict) -> str:
    """The form of a record given alone (the classification API)."""
    if any(key in record for key in ("acheteur_id", "acheteur_nom", "lieuExecution_code")):
        return TABULAR
    if "autoriteConcedante" in record or "concessionnaires" in record:
        return CONCESSION
    if str(record.get("_type", "")).lower().startswith("contrat de concession"):
        return CONCESSION
    if "considerationsSociales" not in record and (
        "_type" in record or "lieuExecution" in record and "acheteur" in record
    ):
        return FORMAT_2019
    return MARKET


def normalise(
    record: object, *, hint: str | None = None, context: Context = EMPTY_CONTEXT, source: str = ""
) -> Normalised:
    """The fields of a `PublishedContract` from one record in any form, its classification
    and the warnings met on the way. Raises RecordError when the record cannot be kept."""
    if not isinstance(record, dict):
        raise RecordError("l'enregistrement n'est pas un objet (clé : valeur).")
    hint = hint or detect(record)
    if hint == TABULAR:
        return _normalise_tabular(record, context, source)
    return _normalise_json(record, hint, context, source)


def _base_fields(decp_id: str, buyer: str, *, source: str, warnings: list[str]) -> dict:
    if not decp_id:
        raise RecordError("identifiant du contrat (« id ») absent.")
    if len(decp_id) > MAX_ID_LENGTH:
        raise RecordError(f"identifiant du contrat trop long ({len(decp_id)} caractères).")
    if not buyer:
        raise RecordError("identifiant de l'acheteur (SIRET) absent.")
    if len(buyer) > 14:
        raise RecordError(f"identifiant de l'acheteur « {buyer[:20]} » trop long.")
    if not buyer.isdigit():
        warnings.append(f"Identifiant de l'acheteur « {buyer} » qui n'est pas un SIRET.")
    return {
        "uid": buyer + decp_id,
        "decp_id": decp_id,
        "buyer_siret": buyer,
        "buyer_siren": buyer[:9] if buyer.isdigit() and len(buyer) in (9, 14) else "",
        "source": source[:200],
    }


def _place(fields: dict, department: str, context: Context, fallback: str = "") -> None:
    department = department or fallback.strip().upper()[:3]
    if not department:
        department = context.buyer_departments.get(fields["buyer_siret"], "") or (
            context.buyer_departments.get(fields["buyer_siren"], "")
        )
    fields["department_code"] = department
    fields["region_code"] = context.regions.get(department, "")


def _cpv(fields: dict, value: object) -> None:
    cpv = _text(value, 12).split("-")[0].strip()
    fields["cpv"] = cpv[:10]
    fields["cpv_division"] = cpv[:2] if cpv[:2].isdigit() else ""


def _normalise_json(record: dict, hint: str, context: Context, source: str) -> Normalised:
    warnings: list[str] = []
    concession = hint == CONCESSION
    buyer = _identifier(record.get("autoriteConcedante" if concession else "acheteur"))
    if concession and not buyer:
        buyer = _identifier(record.get("acheteur"))
    fields = _base_fields(_identifier(record.get("id")), buyer, source=source, warnings=warnings)
    buyer_data = record.get("autoriteConcedante" if concession else "acheteur")
    fields["buyer_name"] = _text(
        buyer_data.get("nom") if isinstance(buyer_data, dict) else None, 300
    )
    fields["category"] = ContractCategory.CONCESSION if concession else ContractCategory.MARKET
    fields["nature"] = _text(record.get("nature"), 80)
    fields["subject"] = _text(record.get("objet"), 500)
    fields["procedure"] = _text(record.get("procedure"), 120)
    _cpv(fields, record.get("codeCPV"))
    if concession:
        fields["kind"] = rules.kind_from_nature(fields["nature"])
    else:
        fields["kind"] = _kind_from_cpv(fields["cpv"])
    amount_key = "valeurGlobale" if concession else "montant"
    amount, duration = record.get(amount_key), record.get("dureeMois")
    modifications = record.get("modifications") or []
    if not isinstance(modifications, list):
        warnings.append("« modifications » n'est pas une liste : ignoré.")
        modifications = []
    changes = [_unwrap(item, "modification") for item in modifications]
    changes = [change for change in changes if isinstance(change, dict)]

    def order(change: dict) -> tuple:
        when = change.get("dateNotificationModification") or change.get("dateSignatureModification")
        number = change.get("id")
        return (str(when or ""), number if isinstance(number, int) else 0)

    for change in sorted(changes, key=order):  # the latest modification wins
        if change.get(amount_key) not in (None, ""):
            amount = change[amount_key]
        if change.get("dureeMois") not in (None, ""):
            duration = change["dureeMois"]
    fields["modification_rank"] = len(changes)
    fields["amount"] = _amount(amount, warnings)
    fields["duration_months"] = _duration(duration, warnings)
    signed = record.get("dateSignature") if concession else record.get("dateNotification")
    day = _date(signed, warnings, "Date de notification")
    if day is None:
        day = _date(record.get("datePublicationDonnees"), warnings, "Date de publication")
    fields["notification_date"] = day
    fields["year"] = day.year if day else None
    place = record.get("lieuExecution")
    department = ""
    if isinstance(place, dict):
        department = _department(_text(place.get("code"), 10), _text(place.get("typeCode"), 40))
    _place(fields, department, context)
    present = "considerationsSociales" in record
    classification = classify(
        record.get("considerationsSociales"), present=present, concession=concession
    )
    fields["source_format"] = (
        SourceFormat.JSON_2019 if hint == FORMAT_2019 else SourceFormat.JSON_2024
    )
    return _finish(fields, classification, warnings)


def _finish(fields: dict, classification: rules.Classification, warnings: list[str]) -> Normalised:
    fields["social_status"] = classification.status
    fields["social_considerations"] = ", ".join(classification.labels)[:200]
    return Normalised(fields, classification, tuple(warnings) + classification.warnings)


def _normalise_tabular(row: dict, context: Context, source: str) -> Normalised:
    warnings: list[str] = []
    get = row.get
    buyer = _identifier(get("acheteur_id") or get("acheteur.id"))
    fields = _base_fields(_identifier(get("id")), buyer, source=source, warnings=warnings)
    nature = _text(get("nature"), 80)
    concession = nature.lower().startswith(("concession", "délégation", "delegation"))
    fields["buyer_name"] = _text(get("acheteur_nom"), 300)
    fields["category"] = ContractCategory.CONCESSION if concession else ContractCategory.MARKET
    fields["nature"] = nature
    fields["subject"] = _text(get("objet"), 500)
    fields["procedure"] = _text(get("procedure"), 120)
    _cpv(fields, get("codeCPV"))
    kind = _KINDS.get(_text(get("type"), 20).lower(), "")
    fields["kind"] = kind or (
        rules.kind_from_nature(nature) if concession else _kind_from_cpv(fields["cpv"])
    )
    amount = get("montant")
    if amount in (None, "") and concession:
        amount = get("valeurGlobale")
    fields["amount"] = _amount(amount, warnings)
    fields["duration_months"] = _duration(get("dureeMois"), warnings)
    rank = _text(get("modification_id"), 10)
    fields["modification_rank"] = int(rank) if rank.isdigit() else 0
    day = _date(get("dateNotification") or get("dateSignature"), warnings, "Date de notification")
    if day is None:
        day = _date(get("datePublicationDonnees"), warnings, "Date de publication")
    fields["notification_date"] = day
    fields["year"] = day.year if day else None
    department = _department(
        _text(get("lieuExecution_code"), 10), _text(get("lieuExecution_typeCode"), 40)
    )
    fallback = _text(get("acheteur_departement_code") or get("dep_code"), 3)
    _place(fields, department, context, fallback)
    present = "considerationsSociales" in row
    classification = classify(get("considerationsSociales"), present=present, concession=concession)
    fields["source_format"] = SourceFormat.TABULAR
    return _finish(fields, classification, warnings)


# -- files -------------------------------------------------------------------------------


class FileError(ValueError):
    """The file as a whole cannot be read (French message)."""


def _first_character(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1].decode("ascii", errors="replace")


def _json_shape(path: Path) -> str:
    """ "2024" (`marches` is an object), "2019" (`marches` is a list) or "list" (the file
    is a list of records), from the first events of the stream."""
    with path.open("rb") as handle:
        try:
            for prefix, event, _ in ijson.parse(handle):
                if prefix == "" and event == "start_array":
                    return "list"
                if prefix == "marches" and event == "start_map":
                    return "2024"
                if prefix == "marches" and event == "start_array":
                    return "2019"
                if prefix == "" and event == "end_map":
                    break
        except ijson.JSONError as error:
            raise FileError(f"Fichier JSON illisible : {str(error)[:120]}") from error
    raise FileError("Fichier JSON sans clé « marches » : ce n'est pas un fichier DECP.")


def iter_records(path: Path) -> Iterator[tuple[str, str | None, object]]:
    """(position in French, form of the record, record) for every record of the file.
    Raises FileError when the file itself is unreadable (a truncated JSON stops there)."""
    first = _first_character(path)
    if first in ("{", "["):
        yield from _iter_json(path)
    elif first:
        yield from _iter_csv(path)


def _iter_json(path: Path) -> Iterator[tuple[str, str | None, object]]:
    shape = _json_shape(path)
    arrays = (
        JSON_2024_ARRAYS
        if shape == "2024"
        else (("marches.item", FORMAT_2019, "marché"),)
        if shape == "2019"
        else (("item", None, "enregistrement"),)
    )
    for prefix, hint, name in arrays:
        with path.open("rb") as handle:
            number = 0
            try:
                for number, record in enumerate(ijson.items(handle, prefix), start=1):
                    yield f"{name} n° {number}", hint, record
            except ijson.JSONError as error:
                raise FileError(
                    f"Fichier JSON mal formé après le {name} n° {number} : {str(error)[:120]}"
                ) from error


def _iter_csv(path: Path) -> Iterator[tuple[str, str | None, object]]:
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        header = handle.readline()
        delimiter = max((";", ",", "\t"), key=header.count)
        columns = next(csv.reader(io.StringIO(header), delimiter=delimiter), [])
        columns = [column.strip() for column in columns]
        if "id" not in columns or not ({"acheteur_id", "acheteur.id"} & set(columns)):
            raise FileError(
                "Fichier CSV sans colonnes « id » et « acheteur_id » : ce n'est pas un "
                "fichier DECP tabulaire."
            )
        reader = csv.DictReader(handle, fieldnames=columns, delimiter=delimiter)
        try:
            for row in reader:
                yield f"ligne {reader.line_num + 1}", TABULAR, row
        except csv.Error as error:
            raise FileError(f"CSV illisible ligne {reader.line_num + 1} : {error}") from error

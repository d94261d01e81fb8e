"""The observatory's exact rules: pure functions, no database.

`classify` is THE classification of a published contract's social considerations; every
import, page and the API call it. Its rules, with their sources:

1. The field. 2024 format (arrêtés du 22 décembre 2022, applicable 1 January 2024; official
   JSON schema `data/decp/schema_decp_v2.0.3.json`): `considerationsSociales` is
   `{"considerationSociale": [values]}`, values in « Clause sociale », « Critère social »,
   « Marché réservé », « Pas de considération sociale »; a concession uses « Concession
   réservée » instead of « Marché réservé ». The consolidated tabular form (decp-processing,
   data.gouv.fr) flattens the list into one string joined with ", " and writes « Sans objet »
   for « Pas de considération sociale » (docs/domain-rules.md §6).
2. A social consideration is « Clause sociale », « Critère social », « Marché réservé » or
   « Concession réservée » (either reservation is accepted on either kind of contract, with
   a warning when it is the other kind's label). Matching ignores case, accents, spaces and
   punctuation.
3. « Pas de considération sociale », « Sans objet », « Non », an empty string, an empty list
   and null mean none.
4. « Oui » (seen in published files instead of a label) counts as a social consideration
   whose kind is not said, with a warning.
5. A value that is none of these is ignored with a warning; a contract whose values are all
   unrecognised is "unknown".
6. A positive value wins over a "none" value in the same list (with a warning: the record
   contradicts itself).
7. The 2019 format (arrêté du 14 avril 2017) has no such field: its contracts are
   "unknown", never "none". Pages and the API count them in the totals and leave them out
   of the shares (the share's denominator is the contracts whose answer is known).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from clauses.core.text import compact
from clauses.observatory.enums import ContractKind, SocialStatus

CLAUSE = "Clause sociale"
CRITERION = "Critère social"
RESERVED_MARKET = "Marché réservé"
RESERVED_CONCESSION = "Concession réservée"
UNSPECIFIED = "Considération sociale (type non précisé)"
LABELS = (CLAUSE, CRITERION, RESERVED_MARKET, RESERVED_CONCESSION)

_POSITIVE = {compact(label): label for label in LABELS}
_POSITIVE[compact("Oui")] = UNSPECIFIED
_NONE = {compact(text) for text in ("Pas de considération sociale", "Sans objet", "Non")}
_NONE |= {compact("Aucune"), compact("Pas de considération")}
ABSENT_WARNINGS = (
    "Pas de champ « considerationsSociales » (il n'existe pas dans le format 2019) : "
    "non renseigné.",
)
# Separators of the tabular form: ", " (decp-processing), " ; " and "|" (other converters).
_SEPARATORS = (",", ";", "|")


@dataclass(frozen=True)
class Classification:
    status: str  # SocialStatus value
    labels: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def has_social_consideration(self) -> bool:
        return self.status == SocialStatus.YES


def _values(value: object) -> tuple[list[str], list[str]]:
    """The texts of the field, in whichever shape it came, and warnings about the shape."""
    warnings: list[str] = []
    if isinstance(value, dict):
        inner = value.get("considerationSociale", None)
        if inner is None and value:
            warnings.append(
                "Considérations sociales : objet sans « considerationSociale », ignoré."
            )
        value = inner
    if value is None:
        return [], warnings
    if isinstance(value, str):
        parts = [value]
        for separator in _SEPARATORS:
            parts = [piece for part in parts for piece in part.split(separator)]
        return [part.strip() for part in parts if part.strip()], warnings
    if isinstance(value, list | tuple):
        texts: list[str] = []
        for item in value:
            if isinstance(item, str):
                texts.extend(_values(item)[0])
            elif isinstance(item, dict | list):
                inner_texts, inner_warnings = _values(item)
                texts.extend(inner_texts)
                warnings.extend(inner_warnings)
            elif item is not None:
                warnings.append(f"Considérations sociales : valeur « {item} » ignorée.")
        return texts, warnings
    warnings.append(f"Considérations sociales : valeur « {value} » ignorée.")
    return [], warnings


def classify(value: object, *, present: bool = True, concession: bool = False) -> Classification:
    """The social considerations of one published contract (rules in the module docstring).

    `value` is the field as published (object, list, joined string, None); `present` says
    whether the record has the field at all (False for the 2019 format); `concession` for a
    concession contract.

    >>> classify({"considerationSociale": ["Clause sociale", "Critère social"]}).labels
    ('Clause sociale', 'Critère social')
    >>> classify("Sans objet").status
    'no'
    >>> classify(None, present=False).status
    'unknown'
    """
    if not present:
        return Classification(SocialStatus.UNKNOWN, warnings=ABSENT_WARNINGS)
    texts, warnings = _values(value)
    labels: list[str] = []
    saw_none = False
    unrecognised = 0
    for text in texts:
        key = compact(text)
        if key in _POSITIVE:
            label = _POSITIVE[key]
            if label == UNSPECIFIED:
                warnings.append("« Oui » ne dit pas quelle considération sociale : compté.")
            elif label == RESERVED_MARKET and concession:
                warnings.append("« Marché réservé » sur un contrat de concession : compté.")
            elif label == RESERVED_CONCESSION and not concession:
                warnings.append("« Concession réservée » sur un marché : compté.")
            if label not in labels:
                labels.append(label)
        elif key in _NONE or not key:
            saw_none = True
        else:
            unrecognised += 1
            warnings.append(f"Considérations sociales : valeur inconnue « {text[:60]} » ignorée.")
    if labels:
        if saw_none:
            warnings.append(
                "Le contrat déclare à la fois une considération sociale et son absence : "
                "la considération sociale est retenue."
            )
        ordered = tuple(sorted(labels, key=_label_order))
        return Classification(SocialStatus.YES, ordered, tuple(warnings))
    if unrecognised and not saw_none:
        return Classification(SocialStatus.UNKNOWN, (), tuple(warnings))
    return Classification(SocialStatus.NO, (), tuple(warnings))


def _label_order(label: str) -> int:
    return (*LABELS, UNSPECIFIED).index(label)


# -- other exact rules of the import ----------------------------------------------------

# The usual CPV rule (data/cpv README): division 45 is works, 03–44 and 48 supplies, the
# others services.
SUPPLY_DIVISIONS = {f"{n:02d}" for n in range(3, 45)} | {"48"}


def kind_from_cpv(cpv: str) -> str:
    division = cpv[:2]
    if not division.isdigit():
        return ""
    if division == "45":
        return ContractKind.WORKS
    if division in SUPPLY_DIVISIONS:
        return ContractKind.SUPPLIES
    return ContractKind.SERVICES


def kind_from_nature(nature: str) -> str:
    """A concession's kind from its nature (« Concession de travaux », « Concession de
    service », « Concession de service public », « Délégation de service public »)."""
    folded = compact(nature)
    if "travaux" in folded:
        return ContractKind.WORKS
    if "service" in folded:
        return ContractKind.SERVICES
    return ""


def department_from_place(code: str, type_code: str) -> str:
    """The département of a `lieuExecution` (2024 and 2019 formats): a postcode's or a
    commune's first two characters (three overseas; Corsica's postcodes 200xx–201xx are
    2A, 202xx–206xx 2B), a département code as is; a region, canton or country says
    nothing precise enough (empty)."""
    code = (code or "").strip().upper()
    kind = compact(type_code or "")
    if not code:
        return ""
    if kind in ("codepostal", "codecommune", "codearrondissement"):
        if len(code) != 5:
            return ""
        if code.startswith("97"):
            return code[:3]
        if kind == "codepostal" and code.startswith("20"):
            return "2A" if code[2] in "01" else "2B"
        return code[:2]
    if kind == "codedepartement":
        if code.isdigit() and len(code) == 1:
            return "0" + code
        return code if len(code) in (2, 3) else ""
    return ""


@dataclass(frozen=True)
class Thresholds:
    works: Decimal
    supplies_services: Decimal
    source: str


# "Above the thresholds": the European thresholds of the contracts of local authorities
# (docs/domain-rules.md §1; the same dated table as markets.rules.EU_THRESHOLDS, read
# through `thresholds_for`), the level from which L2112-2-1 makes a social condition
# mandatory for consultations launched from 21 August 2026. DECP records do not say
# whether the buyer is the State (lower supplies/services threshold): the local
# authorities' threshold is used for every buyer, which can only miss opportunities,
# never invent one.
def thresholds_for(year: int, table: Iterable) -> Thresholds:
    rows = sorted(table, key=lambda row: row.valid_from)
    chosen = rows[0]
    for row in rows:
        if row.valid_from <= date(year, 1, 1):
            chosen = row
    return Thresholds(chosen.works, chosen.supplies_services, chosen.source)

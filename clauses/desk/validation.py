"""Checking what a buyer sends to the desk (form or API), field by field, in French.

`clean_request_data(data)` takes the plain values of the request form or of the API body
(strings, numbers, lists of codes — or model instances when a form already resolved them)
and returns a `CleanRequest`, or raises one `ValidationError` whose dict maps each field
name to its French messages. Places:

- an INSEE code found in the territories table is a commune of the region;
- a well-formed code of another French département (not in the table, which holds the
  region only) is a place outside the region: kept in `outside_places`, it routes to the
  national coordination; this is exact for INSEE codes, whose first two characters (three
  overseas) are the département;
- a code of a département of the region that is not in the table, or a code with no French
  département, is an error ("commune inconnue").
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from clauses.accounts.models import Organisation
from clauses.accounts.validators import normalize_company_number, validate_siret
from clauses.core.numbers import NumberError, NumberOutOfRange, parse_decimal
from clauses.desk.conf import desk_settings
from clauses.desk.enums import RequestKind
from clauses.territories.models import Commune, CpvCode, Department

# Départements of France (metropolitan, Corsica, overseas départements with INSEE codes).
FRENCH_DEPARTMENTS = frozenset(
    [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B", "971", "972", "973", "974", "976"]
)
_INSEE = re.compile(r"^(\d{2}|2[AB])\d{3}$")
_PHONE = re.compile(r"^[0-9+().\s-]{6,30}$")
MAX_MESSAGE_LENGTH = 5000
MAX_AMOUNT = Decimal("999999999999")


@dataclass
class CleanRequest:
    kind: str
    buyer_name: str
    buyer_siret: str
    contact_name: str
    contact_email: str
    contact_phone: str
    message: str
    communes: list[Commune] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    region_wide: bool = False
    outside_places: list[str] = field(default_factory=list)
    market_subject: str = ""
    market_cpv: CpvCode | None = None
    market_estimated_amount: Decimal | None = None
    market_planned_publication_date: date | None = None
    market_duration_months: int | None = None
    buyer_organisation: Organisation | None = None


def department_of_insee(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def _text(
    data: Mapping[str, Any],
    name: str,
    errors: dict,
    *,
    label: str,
    required: bool = True,
    max_length: int = 250,
) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = [f"{label} : un texte est attendu."]
        return ""
    value = value.strip()
    if required and not value:
        errors[name] = [f"{label} : ce champ est obligatoire."]
    elif len(value) > max_length:
        errors[name] = [f"{label} : {max_length} caractères au plus ({len(value)} saisis)."]
    return value


def _as_list(value: Any) -> list | None:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,;]+", value) if part]
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    if hasattr(value, "__iter__") and not isinstance(value, bytes | Mapping):
        return list(value)
    return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "on", "oui", "yes"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "0", "off", "non", "no"}:
        return False
    return None


def clean_siret(value: Any, errors: dict, name: str = "buyer_siret") -> str:
    if value is None or value == "":
        errors[name] = ["SIRET de l'acheteur : ce champ est obligatoire."]
        return ""
    if not isinstance(value, str | int):
        errors[name] = ["SIRET de l'acheteur : 14 chiffres attendus."]
        return ""
    number = normalize_company_number(str(value))
    try:
        validate_siret(number)
    except ValidationError as exc:
        errors[name] = [f"SIRET de l'acheteur : {m[0].lower()}{m[1:]}" for m in exc.messages]
        return ""
    return number


def clean_places(
    communes_value: Any, departments_value: Any, errors: dict
) -> tuple[list[Commune], list[Department], list[str]]:
    """Communes and départements of the region, and the places given outside it."""
    conf = desk_settings()
    outside: list[str] = []
    communes: list[Commune] = []
    departments: list[Department] = []

    raw_communes = _as_list(communes_value)
    if raw_communes is None:
        errors["execution_communes"] = [
            "Communes d'exécution : une liste de codes INSEE est attendue."
        ]
        raw_communes = []
    raw_departments = _as_list(departments_value)
    if raw_departments is None:
        errors["execution_departments"] = [
            "Départements d'exécution : une liste de codes de départements est attendue."
        ]
        raw_departments = []

    region_codes = set(Department.objects.values_list("code", flat=True))

    # Communes.
    codes: list[str] = []
    problems: list[str] = []
    for item in raw_communes:
        if isinstance(item, Commune):
            communes.append(item)
            continue
        code = str(item).strip().upper() if isinstance(item, str | int) else ""
        if not _INSEE.match(code) and not re.fullmatch(r"97[1-6]\d{2}", code):
            problems.append(f"« {item} » n'est pas un code INSEE de commune (5 caractères).")
            continue
        if department_of_insee(code) not in FRENCH_DEPARTMENTS:
            problems.append(
                f"Commune inconnue : aucun département français ne porte le code de « {code} »."
            )
            continue
        codes.append(code)
    if len(codes) + len(communes) > conf.max_communes:
        problems.append(
            f"{conf.max_communes} communes au plus : pour un marché plus large, indiquez les "
            "départements ou toute la région."
        )
    elif codes:
        found = {
            c.insee: c
            for c in Commune.objects.filter(insee__in=codes).select_related(
                "department", "parent__department"
            )
        }
        for code in dict.fromkeys(codes):
            if code in found:
                communes.append(found[code])
            elif department_of_insee(code) in region_codes:
                problems.append(f"Commune inconnue : aucune commune n'a le code INSEE {code}.")
            else:
                outside.append(code)
    if problems:
        errors["execution_communes"] = [f"Communes d'exécution : {p}" for p in problems]

    # Départements.
    problems = []
    wanted: list[str] = []
    for item in raw_departments:
        if isinstance(item, Department):
            departments.append(item)
            continue
        code = str(item).strip().upper() if isinstance(item, str | int) else ""
        if code.isdigit() and len(code) == 1:
            code = f"0{code}"
        if code not in FRENCH_DEPARTMENTS:
            problems.append(f"« {item} » n'est pas un code de département français.")
            continue
        wanted.append(code)
    if wanted:
        found_departments = {d.code: d for d in Department.objects.filter(code__in=wanted)}
        for code in dict.fromkeys(wanted):
            if code in found_departments:
                departments.append(found_departments[code])
            else:
                outside.append(code)
    if problems:
        errors["execution_departments"] = [f"Départements d'exécution : {p}" for p in problems]
    return communes, departments, outside


def _amount(value: Any, errors: dict) -> Decimal | None:
    name = "market_estimated_amount"
    if value is None or value == "":
        return None
    try:
        amount = parse_decimal(value, places=None, maximum=MAX_AMOUNT)
    except NumberOutOfRange:
        errors[name] = ["Montant estimé : ce montant est trop élevé."]
        return None
    except NumberError:
        errors[name] = ["Montant estimé : un nombre est attendu (en euros hors taxes)."]
        return None
    if amount is None:
        return None
    if amount < 0:
        errors[name] = ["Montant estimé : un nombre positif est attendu."]
        return None
    if amount > MAX_AMOUNT:
        errors[name] = ["Montant estimé : ce montant est trop élevé."]
        return None
    return amount.quantize(Decimal("0.01"))


def _date(value: Any, errors: dict, name: str, label: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[name] = [f"{label} : date invalide (format attendu AAAA-MM-JJ)."]
    return None


def _duration(value: Any, errors: dict) -> int | None:
    name = "market_duration_months"
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        months = int(str(value).strip()) if not isinstance(value, int | float) else int(value)
    except ValueError:
        errors[name] = ["Durée du marché : un nombre entier de mois est attendu."]
        return None
    if not 1 <= months <= 240:
        errors[name] = ["Durée du marché : entre 1 et 240 mois."]
        return None
    return months


def _cpv(value: Any, errors: dict) -> CpvCode | None:
    name = "market_cpv"
    if value is None or value == "":
        return None
    if isinstance(value, CpvCode):
        return value
    code = str(value).strip()
    digits = code.split("-")[0]
    if not re.fullmatch(r"\d{8}", digits):
        errors[name] = ["Code CPV : 8 chiffres attendus (par exemple 45000000)."]
        return None
    cpv = CpvCode.objects.filter(code8=digits).first()
    if cpv is None:
        errors[name] = [f"Code CPV : le code {digits} n'existe pas dans la nomenclature CPV 2008."]
    return cpv


def clean_request_data(data: Mapping[str, Any]) -> CleanRequest:
    """Check every field of a request; raise one ValidationError listing every problem."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ""
    if kind not in RequestKind.values:
        errors["kind"] = [
            "Objet de la demande : choisissez l'une des valeurs "
            + ", ".join(RequestKind.values)
            + "."
        ]
    buyer_name = _text(data, "buyer_name", errors, label="Nom de l'acheteur")
    buyer_siret = clean_siret(data.get("buyer_siret"), errors)
    contact_name = _text(data, "contact_name", errors, label="Nom du contact", max_length=200)
    contact_email = _text(
        data, "contact_email", errors, label="Adresse électronique", max_length=254
    )
    if contact_email and "contact_email" not in errors:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = ["Adresse électronique : cette adresse n'est pas valide."]
    contact_phone = _text(
        data, "contact_phone", errors, label="Téléphone", required=False, max_length=30
    )
    if contact_phone and not _PHONE.match(contact_phone):
        errors["contact_phone"] = [
            "Téléphone : seuls les chiffres, espaces, +, points et tirets sont acceptés."
        ]
    message = _text(data, "message", errors, label="Message", max_length=MAX_MESSAGE_LENGTH)
    region_wide = _bool(data.get("region_wide"))
    if region_wide is None:
        errors["region_wide"] = ["Toute la région : vrai ou faux attendu."]
        region_wide = False
    communes, departments, outside = clean_places(
        data.get("execution_communes"), data.get("execution_departments"), errors
    )
    extra_outside = _text(
        data,
        "outside_places",
        errors,
        label="Lieux hors de la région",
        required=False,
        max_length=500,
    )
    if extra_outside:
        outside.append(extra_outside)
    organisation = data.get("buyer_organisation")
    if organisation is not None and not isinstance(organisation, Organisation):
        organisation = None
    clean = CleanRequest(
        kind=kind,
        buyer_name=buyer_name,
        buyer_siret=buyer_siret,
        contact_name=contact_name,
        contact_email=contact_email.lower() if contact_email else "",
        contact_phone=contact_phone,
        message=message,
        communes=communes,
        departments=departments,
        region_wide=region_wide,
        outside_places=outside,
        market_subject=_text(
            data, "market_subject", errors, label="Objet du marché", required=False, max_length=300
        ),
        market_cpv=_cpv(data.get("market_cpv"), errors),
        market_estimated_amount=_amount(data.get("market_estimated_amount"), errors),
        market_planned_publication_date=_date(
            data.get("market_planned_publication_date"),
            errors,
            "market_planned_publication_date",
            "Date de publication prévue",
        ),
        market_duration_months=_duration(data.get("market_duration_months"), errors),
        buyer_organisation=organisation,
    )
    if errors:
        raise ValidationError(errors)
    return clean


def as_codes(values: Sequence[Any]) -> list[str]:
    return [v.insee if isinstance(v, Commune) else str(v) for v in values]

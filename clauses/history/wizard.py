"""The wizard's own helpers (issue #14.1, pages of `views.py`): the steps a file goes
through, what each page shows of it (samples of a column, the required fields per entity,
the labels of a choice column, unknown ones first), and the small profile workflows the
profiles page needs (rename, share, delete), each audited like the engine's.

Reading, checking and writing the history itself is the engine's (`services.py`); who may
do what is `policies.py`. Nothing here writes anything but a `MappingProfile` or the state
of a `HistoryUpload`.
"""

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.accounts.enums import AuditAction
from clauses.core.numbers import french
from clauses.core.text import compact
from clauses.history import fields, mapping, policies, services
from clauses.history.models import HistoryUpload, MappingProfile

SAMPLES = 3  # values shown under each column of the file
MAX_LABELS = 300  # distinct labels of one choice column shown for mapping
IGNORE = fields.IGNORE
NOT_IMPORTED = "ignorer"  # a column that feeds no field (a choice, so no « optionnel » mark)


# -- the steps ------------------------------------------------------------------------------

STEPS = ("Fichier", "Colonnes", "Valeurs", "Vérification", "Compte rendu")


def stepper(number: int) -> dict[str, Any]:
    """The DSFR stepper's context: current step (1-based), its title, the next one."""
    return {
        "step_number": number,
        "step_count": len(STEPS),
        "step_title": STEPS[number - 1],
        "next_title": STEPS[number] if number < len(STEPS) else "",
    }


# -- columns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    samples: list[str]
    field_key: str  # "" when the column feeds nothing


def _shown(cell: Any) -> str:
    if mapping.is_blank(cell):
        return ""
    if isinstance(cell, mapping.Formula):
        return "(formule)"
    text = str(cell).strip()
    if hasattr(cell, "strftime") and text.endswith(" 00:00:00"):
        text = text.removesuffix(" 00:00:00")
    return text[:60]


def columns_of(table: services.Table, columns: dict[str, str | None]) -> list[Column]:
    """Each header of the file, a few distinct values, and the field it feeds."""
    by_header = {header: key for key, header in (columns or {}).items() if header}
    result = []
    for index, header in enumerate(table.headers):
        seen: list[str] = []
        for _, cells in table.rows:
            value = _shown(cells[index]) if index < len(cells) else ""
            if value and value not in seen:
                seen.append(value)
                if len(seen) >= SAMPLES:
                    break
        result.append(Column(index, header, seen, by_header.get(header, "")))
    return result


def field_choices() -> list[tuple[str, Any]]:
    """The select of a column: nothing, then the fields grouped by entity, required ones
    marked."""
    groups: list[tuple[str, Any]] = [(NOT_IMPORTED, "— Ne pas importer cette colonne —")]
    for entity, label in fields.ENTITIES.items():
        entity_fields = fields.fields_of(entity)
        if not entity_fields:
            continue
        groups.append(
            (
                label,
                [
                    (spec.key, f"{spec.label} (obligatoire)" if spec.required else spec.label)
                    for spec in entity_fields
                ],
            )
        )
    return groups


@dataclass(frozen=True)
class EntityNeeds:
    entity: str
    label: str
    present: bool
    required: list[tuple[str, bool]]  # (field label, mapped)
    alternatives: str  # what else it needs, in words ("" when nothing)


_ALTERNATIVES = {
    fields.PERSON: "la date ou l'année de naissance",
    fields.MARKET: "le SIRET ou le nom de l'acheteur",
    fields.ASSIGNMENT: "le SIRET ou le nom de l'entreprise",
}


def entity_needs(columns: dict[str, str | None]) -> list[EntityNeeds]:
    """Per entity: present in the mapping or not, and its required fields, mapped or not."""
    mapped = {key for key, header in (columns or {}).items() if header}
    present = {fields.FIELDS_BY_KEY[key].entity for key in mapped if key in fields.FIELDS_BY_KEY}
    if fields.LOT in present or fields.CLAUSE in present:
        present.add(fields.MARKET)
    result = []
    for entity, label in fields.ENTITIES.items():
        entity_fields = fields.fields_of(entity)
        if not entity_fields:
            continue
        result.append(
            EntityNeeds(
                entity=entity,
                label=label,
                present=entity in present,
                required=[(f.label, f.key in mapped) for f in entity_fields if f.required],
                alternatives=_ALTERNATIVES.get(entity, ""),
            )
        )
    return result


# -- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    index: int  # position in the engine's list (most frequent first): the form's field name
    text: str
    code: str | None  # chosen or suggested
    count: int
    known: bool  # a code is already chosen or suggested


@dataclass(frozen=True)
class ChoiceColumn:
    key: str
    label: str
    header: str
    labels: list[Label]  # unknown labels first, then by frequency
    total: int  # distinct labels in the file (`labels` keeps at most MAX_LABELS)

    @property
    def unknown_count(self) -> int:
        return sum(1 for label in self.labels if not label.known)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.labels)


def choice_columns(
    table: services.Table, columns: dict[str, str | None], values: dict
) -> list[ChoiceColumn]:
    """The choice columns of the mapping and their labels, as the values page shows them."""
    distinct = services.distinct_values(table, columns, values=values)
    result = []
    for key, labels in distinct.items():
        spec = fields.FIELDS_BY_KEY[key]
        rows = [
            Label(index, text, code, count, code is not None)
            for index, (text, code, count) in enumerate(labels[:MAX_LABELS])
        ]
        rows.sort(key=lambda label: (label.known, label.index))
        result.append(
            ChoiceColumn(key, spec.label, columns.get(key) or "", rows, total=len(labels))
        )
    return result


def code_choices(field_key: str) -> list[tuple[str, str]]:
    return [
        ("", "— Choisir —"),
        (IGNORE, "Ignorer cette valeur (cellule laissée vide)"),
        *fields.choice_codes(field_key).items(),
    ]


# -- state of an upload -------------------------------------------------------------------


def has_choice_columns(columns: dict[str, str | None]) -> bool:
    return any(key in fields.CHOICE_FIELDS and header for key, header in columns.items())


def apply_profile(upload: HistoryUpload, profile: MappingProfile, table: services.Table) -> bool:
    """Use a profile's columns and values for this upload; True when every header the
    profile names is in the file (the wizard then goes straight to the check)."""
    headers = set(table.headers)
    columns = {key: header for key, header in profile.columns.items() if header in headers}
    upload.profile = profile
    upload.columns = columns
    upload.values = services.merge_values(services.suggested_values(table, columns), profile.values)
    upload.save(update_fields=["profile", "columns", "values"])
    return len(columns) == len([h for h in profile.columns.values() if h])


def save_columns(upload: HistoryUpload, columns: dict[str, str]) -> None:
    """The columns chosen; value choices of fields no longer mapped are dropped."""
    upload.columns = columns
    upload.values = {k: v for k, v in (upload.values or {}).items() if columns.get(k)}
    upload.save(update_fields=["columns", "values"])


def save_values(upload: HistoryUpload, chosen: dict[str, dict[str, str]]) -> None:
    merged = services.merge_values(upload.values, chosen)
    upload.values = merged
    upload.save(update_fields=["values"])


def labels_key(text: str) -> str:
    return compact(text)


# -- profiles -----------------------------------------------------------------------------


def _editable(actor: Actor, profile: MappingProfile) -> None:
    if not policies.can_edit_profile(actor, profile):
        raise PermissionDenied("Seule la structure du profil peut le modifier.")


def update_profile(
    *, actor: Actor, profile: MappingProfile, name: str, shared_in_department: bool
) -> MappingProfile:
    """Rename and (un)share a profile of one's structure. `ValueError` (French) when the
    name is empty or taken."""
    _editable(actor, profile)
    name = " ".join(str(name).split())[:120]
    if not name:
        raise ValueError("Donnez un nom au profil.")
    before = {"name": profile.name, "shared_in_department": profile.shared_in_department}
    taken = (
        MappingProfile.objects.filter(structure_id=profile.structure_id, name=name)
        .exclude(pk=profile.pk)
        .exists()
    )
    if taken:
        raise ValueError("Un autre profil de la structure porte déjà ce nom.")
    profile.name = name
    profile.shared_in_department = shared_in_department
    profile.updated_at = timezone.now()
    try:
        with transaction.atomic():
            profile.save(update_fields=["name", "shared_in_department", "updated_at"])
            changes = {
                key: [old, getattr(profile, key)]
                for key, old in before.items()
                if old != getattr(profile, key)
            }
            audit.record(actor, AuditAction.UPDATE, profile, changes=changes)
    except IntegrityError as exc:
        raise ValueError("Un autre profil de la structure porte déjà ce nom.") from exc
    return profile


def delete_profile(*, actor: Actor, profile: MappingProfile) -> None:
    _editable(actor, profile)
    with transaction.atomic():
        audit.record(actor, AuditAction.DELETE, profile, changes={"name": profile.name})
        profile.delete()


def profiles_page_rows(actor: Actor, profiles: list[MappingProfile]) -> list[dict]:
    editable = set(policies.importable_structures(actor).values_list("pk", flat=True))
    return [
        {
            "profile": profile,
            "editable": profile.structure_id in editable,
            "fields": len(profile.columns or {}),
        }
        for profile in profiles
    ]


def counts_rows(counts: dict) -> list[dict]:
    """The report's table: entities in the catalogue's order, those the import touched."""
    ordered: OrderedDict[str, dict] = OrderedDict()
    for key, label in fields.ENTITIES.items():
        if key in (counts or {}):
            one = counts[key] or {}
            ordered[key] = {
                "label": label,
                "created": one.get("created", 0),
                "matched": one.get("matched", 0),
                "skipped": one.get("skipped", 0),
            }
    return list(ordered.values())


def uncounted_rows(uncounted: list[dict] | None, limit: int = 100) -> list[dict]:
    """The hours that do not (or would not) count, per clause and reason, as shown: the
    engine's rows with the hours written the French way."""
    rows = []
    for line in (uncounted or [])[:limit]:
        try:
            hours = french(Decimal(str(line.get("hours", "0"))))
        except (ArithmeticError, ValueError):
            hours = str(line.get("hours", ""))
        rows.append(
            {
                "market": line.get("market", ""),
                "lot": line.get("lot", ""),
                "clause": line.get("clause", ""),
                "reason": line.get("reason", ""),
                "hours": hours,
            }
        )
    return rows


# -- the check, kept a few minutes for its pages ---------------------------------------------

CHECK_SECONDS = 300


def check_key(upload: HistoryUpload) -> str:
    """The key of an upload's check in its current state (taken before the check runs)."""
    state = json.dumps([upload.sha256, upload.columns, upload.values], sort_keys=True)
    return f"history:check:{upload.pk}:{hashlib.sha256(state.encode()).hexdigest()[:32]}"


def remembered_check(key: str) -> services.Preview | None:
    """The check of an upload in its current mapping, if one was made in the last minutes
    (the problems' next pages read it instead of checking 20,000 rows again)."""
    found = cache.get(key)
    return found if isinstance(found, services.Preview) else None


def remember_check(key: str, result: services.Preview) -> None:
    cache.set(key, result, CHECK_SECONDS)

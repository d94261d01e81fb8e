"""A coordination's territory settings: hour presets and clause templates."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import Actor
from clauses.access.enums import AuditAction
from clauses.markets import calculator, clause_text, policies, rules
from clauses.markets.enums import (
    ConsiderationKind,
)
from clauses.markets.models import (
    ClauseTemplate,
    HourPresetSetting,
)
from clauses.markets.services.common import _deny
from clauses.network.models import Coordination
from clauses.territories.models import Department, Region

# -- territory settings: presets and clause templates --------------------------------------


def _territory(
    actor: Actor, department_code: str | None, region_id: int | None
) -> tuple[Coordination, Department | None, Region | None]:
    if not policies.can_manage_territory_settings(
        actor, department_code=department_code, region_id=region_id
    ):
        raise _deny("Vous ne pouvez pas régler ce territoire.")
    department = Department.objects.get(code=department_code) if department_code else None
    region = Region.objects.get(pk=region_id) if region_id and not department else None
    if department is None and region is None:
        raise ValidationError({"territory": ["Indiquez un département ou une région."]})
    coordination = Coordination.objects.filter(pk=actor.coordination_id).first()
    if coordination is None:  # a platform administrator
        coordination = (
            Coordination.objects.departmental().filter(department=department).first()
            if department
            else Coordination.objects.regional().filter(region=region).first()
        )
    if coordination is None:
        raise ValidationError({"territory": ["Aucune coordination pour ce territoire."]})
    return coordination, department, region


def save_hour_preset(
    *,
    actor: Actor,
    code: str,
    label: str,
    source: str,
    department_code: str | None = None,
    region_id: int | None = None,
    sector: str = rules.Sector.STANDARD,
    labour_share: Any = None,
    hourly_cost: Any = None,
    insertion_rate: Any = None,
    minimum_hours: int | None = None,
    verified: bool = False,
) -> HourPresetSetting:
    """Set (or change) a preset for a département or a region. Empty values keep the
    national default of the same code; the values are checked like the calculator's."""
    coordination, department, region = _territory(actor, department_code, region_id)
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal | None] = {}
    for name, given in (
        ("labour_share", labour_share),
        ("hourly_cost", hourly_cost),
        ("insertion_rate", insertion_rate),
    ):
        if given is None or given == "":
            values[name] = None
            continue
        try:
            values[name] = rules.to_decimal(given, calculator.LABELS[name])
        except rules.CalculationError as exc:
            errors[name] = [str(exc)]
    for name in ("labour_share", "insertion_rate"):
        value = values.get(name)
        if value is not None and not Decimal(0) <= value <= Decimal(1):
            errors[name] = [f"{calculator.LABELS[name]} : une fraction entre 0 et 1 est attendue."]
    if values.get("hourly_cost") is not None and values["hourly_cost"] <= 0:
        errors["hourly_cost"] = ["Le coût horaire chargé doit être strictement positif."]
    code = (code or "").strip()
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        errors["code"] = ["Code : lettres minuscules, chiffres et « _ » seulement."]
    if not (label or "").strip():
        errors["label"] = ["Indiquez le libellé du préréglage."]
    if not (source or "").strip():
        errors["source"] = ["Indiquez la source des valeurs (document, date, auteur)."]
    if sector not in rules.Sector.values:
        errors["sector"] = ["Méthode inconnue."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        setting, _ = HourPresetSetting.objects.update_or_create(
            department=department,
            region=region,
            code=code.lower(),
            defaults={
                "coordination": coordination,
                "label": label.strip(),
                "source": source.strip(),
                "sector": sector,
                "minimum_hours": minimum_hours,
                "verified": verified,
                "updated_by_id": actor.user_id,
                "updated_at": timezone.now(),
                **values,
            },
        )
        audit.record(
            actor,
            AuditAction.UPDATE,
            setting,
            changes={"code": setting.code},
            territory=department.code if department else "",
        )
    return setting


def save_clause_template(
    *,
    actor: Actor,
    kind: str,
    title: str,
    body: str,
    department_code: str | None = None,
    region_id: int | None = None,
) -> ClauseTemplate:
    """Set the clause text of a kind for a territory; placeholders are checked."""
    coordination, department, region = _territory(actor, department_code, region_id)
    if kind not in ConsiderationKind.values:
        raise ValidationError({"kind": ["Type de considération sociale inconnu."]})
    clause_text.validate_template_body(body or "")
    if not (title or "").strip():
        raise ValidationError({"title": ["Indiquez le titre du modèle."]})
    with transaction.atomic():
        template, _ = ClauseTemplate.objects.update_or_create(
            department=department,
            region=region,
            kind=kind,
            defaults={
                "coordination": coordination,
                "title": title.strip()[:200],
                "body": body.replace("\r\n", "\n"),
                "updated_by_id": actor.user_id,
                "updated_at": timezone.now(),
            },
        )
        audit.record(
            actor,
            AuditAction.UPDATE,
            template,
            changes={"kind": kind},
            territory=department.code if department else "",
        )
    return template


def reset_clause_template(*, actor: Actor, template: ClauseTemplate) -> None:
    """Back to the default text of the platform."""
    _territory(
        actor,
        template.department.code if template.department_id else None,
        template.region_id,
    )
    template.delete()

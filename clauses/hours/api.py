"""The API of hours (token auth), mounted at `/api/v1/`:

- `GET /contractor/clauses`: the clauses the token's company must fulfil, with progress;
- `POST /contractor/declarations`: monthly hours per assignment, checked like the
  spreadsheet (every item first, all or nothing); 422 with French messages per item;
- `GET /clauses/{id}/progress`: one clause's progress (counts only, no participant).

A clause or an assignment of another company or territory answers 404 (or its item's
error), never its data.
"""

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from clauses.access.actors import Actor
from clauses.access.api_auth import TokenAuth
from clauses.core.apis import json_body
from clauses.core.numbers import NumberError, parse_decimal
from clauses.hours import policies, rules, selectors, services
from clauses.hours.enums import DeclarationSource
from clauses.hours.imports import MAX_AMOUNT, MAX_HOURS
from clauses.hours.selectors import ClauseProgress
from clauses.hours.services import Entry

router = Router(tags=["Heures d'insertion"], auth=TokenAuth())

NOT_FOUND = "Clause introuvable."
INVALID = "Déclarations refusées : rien n'a été enregistré."


class HoursErrorOut(Schema):
    """Errors of the hours API: `errors` lists the refused declarations (line, field)."""

    detail: str
    errors: list[dict[str, Any]] = []


class UncountedOut(Schema):
    """Validated hours that did not count, for one reason."""

    rule: str
    label: str
    reason: str
    hours: str
    declarations: int


class ProgressOut(Schema):
    clause_id: int
    market_id: int
    market_reference: str
    market_subject: str
    lot_number: int
    lot_title: str
    kind: str
    target_hours: int | None
    declared_hours: str
    validated_hours: str
    counted_hours: str
    globalised_hours: str
    achieved_percent: int
    elapsed_percent: int | None
    behind_schedule: bool
    ended_short: bool
    missing_hours: str
    penalty_eur: str | None
    fte: str
    uncounted_hours: str
    uncounted: list[UncountedOut]


class DeclarationIn(Schema):
    """One month of one assignment: `hours`, or for a subcontracting `amount_ht`."""

    assignment: int
    month: str
    hours: Annotated[Decimal, Field(ge=-MAX_HOURS, le=MAX_HOURS)] | str | None = None
    amount_ht: Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)] | str | None = None
    training: bool = False
    reason: str = ""


class DeclarationsIn(Schema):
    declarations: list[DeclarationIn] = Field(min_length=1, max_length=5000)


class DeclarationsOut(Schema):
    created: int
    updated: int
    unchanged: int
    declarations: list[dict[str, Any]]


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _progress_dict(item: ClauseProgress) -> dict:
    p = item.progress
    return {
        "clause_id": item.clause.pk,
        "market_id": item.market.pk,
        "market_reference": item.market.reference,
        "market_subject": item.market.subject,
        "lot_number": item.lot.number,
        "lot_title": item.lot.title,
        "kind": item.clause.kind,
        "target_hours": p.target,
        "declared_hours": _plain(p.declared),
        "validated_hours": _plain(p.validated),
        "counted_hours": _plain(p.counted),
        "globalised_hours": _plain(item.globalised),
        "achieved_percent": p.achieved_percent,
        "elapsed_percent": p.elapsed_percent,
        "behind_schedule": p.behind_schedule,
        "ended_short": p.ended_short,
        "missing_hours": _plain(p.missing_hours),
        "penalty_eur": _plain(p.penalty),
        "fte": _plain(p.fte),
        "uncounted_hours": _plain(item.uncounted_hours),
        "uncounted": [
            {
                "rule": u.rule,
                "label": u.label,
                "reason": rules.uncounted_reason(u.rule),
                "hours": _plain(u.hours),
                "declarations": u.declarations,
            }
            for u in item.uncounted
        ],
    }


@router.get(
    "/contractor/clauses",
    response={200: list[ProgressOut]},
    summary="Les clauses que l'entreprise du jeton doit réaliser, avec leur avancement",
    operation_id="hours_contractor_clauses",
)
def contractor_clauses(request: HttpRequest) -> Status:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return Status(200, [_progress_dict(i) for i in selectors.contractor_clauses(actor)])


def _month(value: Any) -> date:
    text = str(value or "").strip()
    for length in (7, 10):
        if len(text) == length:
            try:
                return date.fromisoformat(text + ("-01" if length == 7 else "")).replace(day=1)
            except ValueError:
                break
    raise ValueError


def _entries(items: list) -> tuple[list[Entry], list[services.Problem]]:
    entries, problems = [], []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(services.Problem(index, "", "un objet est attendu."))
            continue
        failed = False
        assignment = item.get("assignment")
        if not isinstance(assignment, int) or isinstance(assignment, bool):
            problems.append(
                services.Problem(index, "assignment", "numéro de mission entier attendu.")
            )
            failed = True
        try:
            month = _month(item.get("month"))
        except ValueError:
            problems.append(services.Problem(index, "month", "mois attendu au format AAAA-MM."))
            failed = True
        values = {}
        for key, maximum in (("hours", MAX_HOURS), ("amount_ht", MAX_AMOUNT)):
            try:
                values[key] = parse_decimal(item.get(key), maximum=maximum)
            except NumberError as exc:
                problems.append(services.Problem(index, key, f"nombre attendu : {exc}"))
                failed = True
        if failed:
            continue
        entries.append(
            Entry(
                index,
                assignment,
                month,
                values["hours"],
                values["amount_ht"],
                bool(item.get("training")),
                reason=str(item.get("reason") or "")[:2000],
            )
        )
    return entries, problems


def _problem_dict(problem: services.Problem) -> dict:
    return {
        "item": problem.line,
        "field": problem.field,
        "label": problem.column,
        "message": str(problem).replace("ligne", "déclaration", 1),
    }


@router.post(
    "/contractor/declarations",
    response={200: DeclarationsOut, 403: HoursErrorOut, 409: HoursErrorOut, 422: HoursErrorOut},
    summary="Déclarer des heures mensuelles par mission (tout ou rien)",
    description=(
        'Corps : `{"declarations": [{"assignment": 12, "month": "2026-03", '
        '"hours": "151.67"}]}` ; pour une sous-traitance à une SIAE, une EA ou un ESAT, '
        "`amount_ht` au lieu de `hours`. Chaque déclaration est vérifiée comme une ligne "
        "du tableur ; une seule erreur et rien n'est enregistré (422, erreurs par "
        "déclaration, numérotées à partir de 1). Renvoyer les mêmes valeurs ne change rien "
        "(`result` : `unchanged`, déjà enregistrée) ; d'autres valeurs pour un mois déjà "
        "déclaré sont une correction, qui demande son motif (`reason`) et repart au "
        "contrôle (`result` : `corrected`). 409 si une autre déclaration du même mois a été "
        "enregistrée au même instant."
    ),
    operation_id="hours_contractor_declare",
    openapi_extra=json_body(DeclarationsIn),
)
def declare(request: HttpRequest) -> Status:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    if not actor.is_company_contact:
        return Status(403, {"detail": "Réservé aux jetons d'une entreprise.", "errors": []})
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return Status(422, {"detail": "Le corps de la requête n'est pas du JSON valide."})
    items = payload.get("declarations") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        return Status(
            422, {"detail": "Une liste « declarations » non vide est attendue.", "errors": []}
        )
    if len(items) > 5000:
        return Status(422, {"detail": "5000 déclarations au plus par appel.", "errors": []})
    entries, problems = _entries(items)
    if problems:
        _, more = services.check_entries(actor, entries)
        problems = sorted(problems + more, key=lambda p: (p.line, p.field))
        return Status(422, {"detail": INVALID, "errors": [_problem_dict(p) for p in problems]})
    outcome = services.save_entries(actor=actor, entries=entries, source=DeclarationSource.API)
    if outcome.problems:
        race = any(p.message == services.RACE_MESSAGE for p in outcome.problems)
        return Status(
            409 if race else 422,
            {"detail": INVALID, "errors": [_problem_dict(p) for p in outcome.problems]},
        )
    return Status(
        200,
        {
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "declarations": [
                {
                    "id": d.pk,
                    "assignment": d.assignment_id,
                    "month": f"{d.month:%Y-%m}",
                    "status": d.status,
                    "base_hours": _plain(d.base_hours),
                    "result": result,
                    "message": services.RESULT_MESSAGES[result],
                }
                for d, result in zip(outcome.declarations, outcome.results, strict=True)
            ],
        },
    )


@router.get(
    "/clauses/{clause_id}/progress",
    response={200: ProgressOut, 404: HoursErrorOut},
    summary="L'avancement d'une clause (heures, part réalisée, alertes ; aucun participant)",
    operation_id="hours_clause_progress",
)
def clause_progress(request: HttpRequest, clause_id: str) -> Status:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    if not clause_id.isdigit():
        return Status(404, {"detail": NOT_FOUND, "errors": []})
    items = selectors.clause_progress(policies.visible_clauses(actor).filter(pk=int(clause_id)))
    if not items:
        return Status(404, {"detail": NOT_FOUND, "errors": []})
    return Status(200, _progress_dict(items[0]))

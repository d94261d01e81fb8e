"""The follow-up API.

With a token of a facilitator structure or a coordination (facilitator or coordinator
role): `POST /api/v1/eligibility/assess` — which clause criteria a person's facts support,
each with its source, whether that makes the person eligible, and the IAE result (second
referential). It stores nothing and records no personal data; a read-only token may use it.
Errors are French: 422 `{"detail": "…", "errors": {"field": ["…"]}}`.
"""

import datetime
import json
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError

from clauses.access.actors import Actor
from clauses.access.api_auth import TokenAuth
from clauses.followup import rules
from clauses.followup.enums import Benefit, EmployerKind
from clauses.followup.schemas import AssessIn, AssessOut, ErrorOut

router = Router(tags=["Suivi : éligibilité des participants"])

INVALID = "Certaines informations sont manquantes ou incorrectes."
FORBIDDEN = (
    "Réservé aux jetons d'une structure facilitatrice ou d'une coordination territoriale "
    "(rôle facilitateur·rice ou coordinateur·rice)."
)


def _body_doc() -> dict:
    schema = AssessIn.model_json_schema()
    schema.pop("$defs", None)
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    }


def _date(value: Any, field: str, errors: dict[str, list[str]]) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    errors.setdefault(field, []).append("Date attendue au format AAAA-MM-JJ.")
    return None


def _int(
    value: Any, field: str, errors: dict[str, list[str]], *, low: int, high: int
) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.setdefault(field, []).append(f"Nombre entier entre {low} et {high} attendu.")
        return None
    return value


def _bool(value: Any, field: str, errors: dict[str, list[str]]) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        errors.setdefault(field, []).append("Valeur vraie ou fausse attendue (true/false).")
        return False
    return value


def _choices(
    value: Any, field: str, allowed: set[str], errors: dict[str, list[str]]
) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.setdefault(field, []).append("Liste de codes attendue.")
        return frozenset()
    unknown = sorted(set(value) - allowed)
    if unknown:
        errors.setdefault(field, []).append(
            f"Code(s) inconnu(s) : {', '.join(unknown)}. Codes possibles : "
            f"{', '.join(sorted(allowed))}."
        )
    return frozenset(value) & allowed


def parse_facts(payload: dict, today: datetime.date) -> tuple[rules.Facts | None, dict]:
    """The facts of a request body, or the French errors by field."""
    errors: dict[str, list[str]] = {}
    known = set(AssessIn.model_fields)
    for extra in sorted(set(payload) - known):
        errors.setdefault(extra, []).append("Champ inconnu.")
    assessment_date = _date(payload.get("assessment_date"), "assessment_date", errors) or today
    birth_date = _date(payload.get("birth_date"), "birth_date", errors)
    if birth_date is not None and birth_date > assessment_date:
        errors.setdefault("birth_date", []).append(
            "La date de naissance est postérieure à la date d'évaluation."
        )
    employed_by = payload.get("employed_by")
    if employed_by is not None and employed_by not in EmployerKind.values:
        errors.setdefault("employed_by", []).append(
            f"Structure inconnue. Valeurs possibles : {', '.join(EmployerKind.values)}."
        )
    facts = rules.Facts(
        assessment_date=assessment_date,
        birth_date=birth_date,
        jobseeker_months=_int(
            payload.get("jobseeker_months"), "jobseeker_months", errors, low=0, high=720
        ),
        benefits=_choices(payload.get("benefits"), "benefits", set(Benefit.values), errors),
        disability_recognised=_bool(
            payload.get("disability_recognised"), "disability_recognised", errors
        ),
        qualification_level=_int(
            payload.get("qualification_level"), "qualification_level", errors, low=0, high=8
        ),
        out_of_school_months=_int(
            payload.get("out_of_school_months"), "out_of_school_months", errors, low=0, high=720
        ),
        qpv_resident=_bool(payload.get("qpv_resident"), "qpv_resident", errors),
        employed_by=employed_by if not errors.get("employed_by") else None,
        pass_iae_valid=_bool(payload.get("pass_iae_valid"), "pass_iae_valid", errors),
        declared_iae_criteria=_choices(
            payload.get("declared_iae_criteria"),
            "declared_iae_criteria",
            set(rules.DECLARED_IAE_CRITERIA),
            errors,
        ),
    )
    return (None, errors) if errors else (facts, {})


@router.post(
    "/eligibility/assess",
    response={200: AssessOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Évaluer l'éligibilité d'une personne à la clause sociale",
    description=(
        "À partir des faits connus d'une personne à une date (`assessment_date`, par défaut "
        "aujourd'hui ; l'âge est calculé exactement à cette date), renvoie les critères des "
        "publics éligibles à la clause que ces faits permettent de retenir, chacun avec sa "
        "source, `eligible` (au moins un critère), et le résultat au regard du référentiel "
        "IAE (niveau 1 : RSA, ASS, AAH, DETLD ; éligible avec 1 critère de niveau 1, ou 3 de "
        "niveau 2 pour ACI/EI/EITI, 2 pour AI/ETTI ; un PASS IAE en cours vaut preuve). "
        "`missing` liste les faits manquants pour conclure. Rien n'est enregistré : la "
        "décision revient au ou à la facilitateur·rice, qui peut aussi valider par "
        "dérogation sur avis motivé d'un prescripteur. Jeton d'une structure facilitatrice "
        "ou d'une coordination territoriale."
    ),
    operation_id="followup_eligibility_assess",
    openapi_extra=_body_doc(),
    auth=TokenAuth(computes_only=True),
)
def assess(request: HttpRequest) -> Status:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    if not (actor.is_facilitator or actor.is_territorial_coordinator):
        raise HttpError(403, FORBIDDEN)
    if not request.body.strip():  # the body is required (#11.10: no body answered 200)
        return Status(422, {"detail": "Le corps de la requête est obligatoire : un objet JSON."})
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return Status(422, {"detail": "Le corps de la requête n'est pas du JSON valide."})
    if not isinstance(payload, dict):
        return Status(422, {"detail": "Un objet JSON est attendu."})
    facts, errors = parse_facts(payload, timezone.localdate())
    if facts is None:
        return Status(422, {"detail": INVALID, "errors": errors})
    result = rules.assess(facts)
    return Status(
        200,
        {
            "assessment_date": facts.assessment_date,
            "eligible": result.eligible,
            "criteria": [criterion._asdict() for criterion in result.criteria],
            "iae": result.iae.as_dict(),
            "missing": result.missing,
        },
    )

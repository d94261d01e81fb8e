"""API schemas of the follow-up app (documentation of the bodies; parsing is in api.py so
that every error message is French)."""

from datetime import date

from ninja import Schema

from clauses.core.apis import ErrorOut as ErrorOut  # the one error body of the API


class AssessIn(Schema):
    """The facts of a person on a date. `jobseeker_months`: absent or null = not registered
    with France Travail (0 = registered for less than a month). `qualification_level`: the
    national scale (0 = none, 3 = CAP/BEP, 4 = bac…). `employed_by`: ei, aci, ai, etti, eiti,
    geiq, ea, eatt, esat, epide, e2c, regie. Lists and booleans: null means none / false, as
    the server reads them."""

    birth_date: date | None = None
    assessment_date: date | None = None
    jobseeker_months: int | None = None
    benefits: list[str] | None = None
    disability_recognised: bool | None = None
    qualification_level: int | None = None
    qpv_resident: bool | None = None
    employed_by: str | None = None
    out_of_school_months: int | None = None
    pass_iae_valid: bool | None = None
    declared_iae_criteria: list[str] | None = None


class CriterionOut(Schema):
    code: str
    label: str
    source: str
    sensitive: bool


class IaeOut(Schema):
    level_1: list[str]
    level_2: list[str]
    eligible_by_kind: dict[str, bool]
    pass_iae_valid: bool


class AssessOut(Schema):
    assessment_date: date
    eligible: bool
    criteria: list[CriterionOut]
    iae: IaeOut
    missing: list[str]

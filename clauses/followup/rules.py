"""Eligibility, validity and outcome rules — pure functions, each with its source.

Sources are those of docs/domain-rules.md: §3.1 A (CCAG 2021 art. 16.1.1), §3.1 B (facilitator
lists: clausesociale34.fr, cie84.org), §3.1 C (the IAE referential of gip-inclusion/les-emplois,
`itou/eligibility`), §3.2 (validity, unverified), §5.1 (exit categories), §7 (W9, W9b, W9c, W12).

`assess(facts)` says which criteria the facts SUPPORT; it decides nothing: the facilitator
validates (services.validate_eligibility), possibly by derogation on a prescriber's opinion.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from clauses.core.dates import add_months
from clauses.followup.enums import (
    Benefit,
    CriterionGroup,
    EmployerKind,
    ExitSituation,
    OutcomeCategory,
    ProofKind,
)

# -- dates --------------------------------------------------------------------------------


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    return add_months(day, -12 * years)


def is_at_least(birth_date: datetime.date, on: datetime.date, years: int) -> bool:
    """Aged `years` or more on `on`: birth date ≤ `on` − `years` years. Source:
    les-emplois `itou/eligibility/models/iae.py` l.344 (senior ⇔ birthdate ≤ today − 50 y);
    W9c: born 1976-11-24 is 50 on 2026-11-24."""
    return birth_date <= years_before(on, years)


def is_under(birth_date: datetime.date, on: datetime.date, years: int) -> bool:
    """Younger than `years` on `on`: birth date > `on` − `years` years (les-emplois l.347,
    jeune ⇔ birthdate > today − 26 y): on the 26th birthday a person is no longer "young"."""
    return birth_date > years_before(on, years)


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Age in whole years on `on` (consistent with `is_at_least`)."""
    age = on.year - birth_date.year
    if not is_at_least(birth_date, on, age):
        age -= 1
    return age


# -- thresholds (sourced) -----------------------------------------------------------------

# "plus de 12 mois d'inscription au chômage" (clausesociale34; cie84: "plus de 12 mois
# d'inscription à Pôle Emploi"): 12 months or more.
LONG_TERM_JOBSEEKER_MONTHS = 12
# IAE level 1 "DETLD (+ 24 mois)"; level 2 "DELD (12–24 mois)" (les-emplois
# administrative_criteria.json).
VERY_LONG_TERM_JOBSEEKER_MONTHS = 24
# "jeunes < 26 ans" (clausesociale34, cie84); IAE level 2 "jeune (−26 ans)".
YOUNG_AGE = 26
# "sans qualification (infra niveau 3 = CAP/BEP)" (clausesociale34): strictly below level 3.
CLAUSE_YOUNG_MAX_LEVEL_EXCLUSIVE = 3
# IAE level 2: "niveau d'étude 3 (CAP, BEP) ou infra": level 3 or below.
IAE_LOW_QUALIFICATION_MAX_LEVEL = 3
# "sortis du système scolaire depuis ≥ 6 mois" (clausesociale34, cie84).
OUT_OF_SCHOOL_MONTHS = 6
# "demandeurs d'emploi de plus de 50 ans" (clausesociale34); IAE "senior (+50 ans)".
SENIOR_AGE = 50
# W9, W9b: ≥ 1 level-1, or ≥ 3 level-2 for ACI/EI/EITI, ≥ 2 for AI/ETTI (les-emplois
# `ADMINISTRATIVE_CRITERIA_LEVEL_2_REQUIRED_FOR_SIAE_KIND`).
IAE_LEVEL_2_REQUIRED: dict[str, int] = {
    EmployerKind.ACI: 3,
    EmployerKind.EI: 3,
    EmployerKind.EITI: 3,
    EmployerKind.AI: 2,
    EmployerKind.ETTI: 2,
}
# §5.1: "emploi durable = CDI, CDD or intérim > 6 months"; "emploi de transition = CDD/intérim
# < 6 months" — the source leaves exactly 6 months open; we read "more than 6" literally.
LASTING_JOB_MIN_MONTHS_EXCLUSIVE = 6

SIAE_KINDS = frozenset(
    {EmployerKind.EI, EmployerKind.ACI, EmployerKind.AI, EmployerKind.ETTI, EmployerKind.EITI}
)
SHELTERED_KINDS = frozenset({EmployerKind.EA, EmployerKind.EATT, EmployerKind.ESAT})
SCHOOL_KINDS = frozenset({EmployerKind.EPIDE, EmployerKind.E2C})
MINIMUM_BENEFITS = frozenset(
    {Benefit.RSA, Benefit.ASS, Benefit.AAH, Benefit.AI, Benefit.INVALIDITY}
)

# -- the referentials ---------------------------------------------------------------------


class CriterionSpec(NamedTuple):
    code: str
    label: str
    group: str
    source: str
    sensitive: bool = False
    proof_kinds: tuple[str, ...] = ()
    proof_max_age_days: int | None = None


_S_LISTS = "clausesociale34.fr (publics et modalités d'embauche) ; cie84.org (publics concernés)"
_S_CCAG = "CCAG 2021, art. 16.1.1.1 (publics éligibles)"
_S_IAE = (
    "les-emplois, itou/eligibility/data/administrative_criteria.json ; arrêté du 4 septembre 2025"
)

CLAUSE_CRITERIA: tuple[CriterionSpec, ...] = (
    CriterionSpec(
        "long_term_jobseeker",
        "Demandeur·se d'emploi de longue durée (12 mois ou plus d'inscription)",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_LISTS + " : « plus de 12 mois d'inscription au chômage »",
        proof_kinds=(ProofKind.FRANCE_TRAVAIL_STATUS,),
        proof_max_age_days=90,
    ),
    CriterionSpec(
        "minimum_benefits",
        "Bénéficiaire d'un minimum social (RSA, ASS, AAH, allocation d'insertion, "
        "allocation d'invalidité)",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_LISTS + " : « minima sociaux : RSA, ASS, AI, AAH, allocation d'invalidité »",
        sensitive=True,
        proof_kinds=(ProofKind.BENEFITS_CERTIFICATE,),
        proof_max_age_days=90,
    ),
    CriterionSpec(
        "disabled_worker",
        "Travailleur·se handicapé·e (bénéficiaire de l'obligation d'emploi, art. L5212-13)",
        CriterionGroup.CLAUSE_PUBLIC,
        "Code du travail, art. L5212-13 ; " + _S_LISTS,
        sensitive=True,
        proof_kinds=(ProofKind.DISABILITY_DECISION,),
    ),
    CriterionSpec(
        "young_low_qualification",
        "Jeune de moins de 26 ans de niveau inférieur au CAP/BEP, sorti·e du système "
        "scolaire depuis 6 mois ou plus",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_LISTS + " : « jeunes < 26 ans sans qualification (infra niveau 3) sortis du "
        "système scolaire depuis au moins 6 mois »",
        proof_kinds=(ProofKind.IDENTITY_DOCUMENT, ProofKind.QUALIFICATION_RECORD),
    ),
    CriterionSpec(
        "senior_jobseeker",
        "Demandeur·se d'emploi de 50 ans ou plus",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_LISTS + " : « demandeurs d'emploi de plus de 50 ans »",
        proof_kinds=(ProofKind.IDENTITY_DOCUMENT, ProofKind.FRANCE_TRAVAIL_STATUS),
    ),
    CriterionSpec(
        "qpv_resident",
        "Habitant·e d'un quartier prioritaire de la politique de la ville (QPV)",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_LISTS + " : « habitants des QPV éloignés de l'emploi »",
        proof_kinds=(ProofKind.RESIDENCE_PROOF,),
        proof_max_age_days=90,
    ),
    CriterionSpec(
        "siae_employee",
        "Salarié·e d'une structure d'insertion par l'activité économique (EI, ACI, AI, ETTI)",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_CCAG + " b) : personnes prises en charge dans les SIAE (art. L5132-4)",
        proof_kinds=(ProofKind.EMPLOYMENT_CONTRACT, ProofKind.PASS_IAE),
    ),
    CriterionSpec(
        "geiq_employee",
        "Salarié·e d'un GEIQ",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_LISTS + " : « personnes employées dans les GEIQ »",
        proof_kinds=(ProofKind.EMPLOYMENT_CONTRACT,),
    ),
    CriterionSpec(
        "sheltered_worker",
        "Salarié·e d'une entreprise adaptée ou usager·e d'un ESAT",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_CCAG + " a) : salariés des EA, EATT ou usagers des ESAT",
        sensitive=True,
        proof_kinds=(ProofKind.EMPLOYMENT_CONTRACT,),
    ),
    CriterionSpec(
        "epide_e2c",
        "Jeune accompagné·e par un EPIDE ou une école de la deuxième chance",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_CCAG + " d) : EPIDE, E2C",
        proof_kinds=(ProofKind.EMPLOYMENT_CONTRACT,),
    ),
    CriterionSpec(
        "iae_pathway",
        "Personne en parcours d'insertion (PASS IAE en cours de validité)",
        CriterionGroup.CLAUSE_PUBLIC,
        _S_CCAG + " b) ; docs/domain-rules.md §3.2 (validation par une SIAE via le PASS IAE)",
        proof_kinds=(ProofKind.PASS_IAE,),
    ),
)

IAE_CRITERIA: tuple[CriterionSpec, ...] = (
    CriterionSpec(
        "iae_rsa",
        "Bénéficiaire du RSA",
        CriterionGroup.IAE_LEVEL_1,
        _S_IAE,
        True,
        (ProofKind.BENEFITS_CERTIFICATE,),
        90,
    ),
    CriterionSpec(
        "iae_ass",
        "Allocataire de l'ASS",
        CriterionGroup.IAE_LEVEL_1,
        _S_IAE,
        True,
        (ProofKind.BENEFITS_CERTIFICATE,),
        90,
    ),
    CriterionSpec(
        "iae_aah",
        "Allocataire de l'AAH",
        CriterionGroup.IAE_LEVEL_1,
        _S_IAE,
        True,
        (ProofKind.BENEFITS_CERTIFICATE,),
        90,
    ),
    CriterionSpec(
        "iae_detld",
        "Demandeur·se d'emploi de très longue durée (24 mois ou plus)",
        CriterionGroup.IAE_LEVEL_1,
        _S_IAE,
        False,
        (ProofKind.FRANCE_TRAVAIL_STATUS,),
        90,
    ),
    CriterionSpec(
        "iae_low_qualification",
        "Niveau d'étude 3 (CAP, BEP) ou infra",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        False,
        (ProofKind.QUALIFICATION_RECORD,),
    ),
    CriterionSpec(
        "iae_senior",
        "Senior (50 ans ou plus)",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        False,
        (ProofKind.IDENTITY_DOCUMENT,),
    ),
    CriterionSpec(
        "iae_young",
        "Jeune (moins de 26 ans)",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        False,
        (ProofKind.IDENTITY_DOCUMENT,),
    ),
    CriterionSpec(
        "iae_deld",
        "Demandeur·se d'emploi de longue durée (12 à 24 mois)",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        False,
        (ProofKind.FRANCE_TRAVAIL_STATUS,),
        90,
    ),
    CriterionSpec(
        "iae_disabled_worker",
        "Travailleur·se handicapé·e",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        True,
        (ProofKind.DISABILITY_DECISION,),
    ),
    CriterionSpec(
        "iae_qpv",
        "Résident·e d'un QPV",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        False,
        (ProofKind.RESIDENCE_PROOF,),
        90,
    ),
    CriterionSpec(
        "iae_ase_leaver",
        "Sortant·e de l'aide sociale à l'enfance",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        True,
    ),
    CriterionSpec("iae_single_parent", "Parent isolé", CriterionGroup.IAE_LEVEL_2, _S_IAE, True),
    CriterionSpec(
        "iae_homeless",
        "Sans hébergement ou en parcours de rue",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        True,
    ),
    CriterionSpec(
        "iae_refugee",
        "Réfugié·e, protection subsidiaire ou temporaire, demandeur·se d'asile",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        True,
    ),
    CriterionSpec("iae_zrr", "Résident·e en ZRR ou ZFRR", CriterionGroup.IAE_LEVEL_2, _S_IAE),
    CriterionSpec(
        "iae_justice",
        "Sortant·e de détention ou personne placée sous main de justice",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
        True,
    ),
    CriterionSpec(
        "iae_fle",
        "Maîtrise de la langue française inférieure au niveau A1",
        CriterionGroup.IAE_LEVEL_2,
        _S_IAE,
    ),
    CriterionSpec("iae_mobility", "Problème de mobilité", CriterionGroup.IAE_LEVEL_2, _S_IAE),
)

ALL_CRITERIA: tuple[CriterionSpec, ...] = CLAUSE_CRITERIA + IAE_CRITERIA
CRITERIA_BY_CODE: dict[str, CriterionSpec] = {spec.code: spec for spec in ALL_CRITERIA}
# The level-2 IAE criteria that are declared, not computed from the other facts.
DECLARED_IAE_CRITERIA = frozenset(
    {
        "iae_ase_leaver",
        "iae_single_parent",
        "iae_homeless",
        "iae_refugee",
        "iae_zrr",
        "iae_justice",
        "iae_fle",
        "iae_mobility",
    }
)

# -- assessment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What is known of a person on `assessment_date`. `jobseeker_months` None = not
    registered with France Travail (0 = registered for less than a month);
    `qualification_level` on the 2019 national scale (3 = CAP/BEP, 4 = bac), 0 = none."""

    assessment_date: datetime.date
    birth_date: datetime.date | None = None
    jobseeker_months: int | None = None
    benefits: frozenset[str] = frozenset()
    disability_recognised: bool = False
    qualification_level: int | None = None
    out_of_school_months: int | None = None
    qpv_resident: bool = False
    employed_by: str | None = None
    pass_iae_valid: bool = False
    declared_iae_criteria: frozenset[str] = frozenset()


class SupportedCriterion(NamedTuple):
    code: str
    label: str
    source: str
    sensitive: bool


@dataclass(frozen=True)
class IaeResult:
    level_1: tuple[str, ...]
    level_2: tuple[str, ...]
    eligible_by_kind: dict[str, bool]
    pass_iae_valid: bool

    @property
    def eligible_anywhere(self) -> bool:
        return any(self.eligible_by_kind.values())

    def as_dict(self) -> dict:
        return {
            "level_1": list(self.level_1),
            "level_2": list(self.level_2),
            "eligible_by_kind": dict(self.eligible_by_kind),
            "pass_iae_valid": self.pass_iae_valid,
        }


@dataclass(frozen=True)
class Assessment:
    criteria: list[SupportedCriterion]
    eligible: bool
    iae: IaeResult
    missing: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [criterion.code for criterion in self.criteria]


def _supported(code: str) -> SupportedCriterion:
    spec = CRITERIA_BY_CODE[code]
    return SupportedCriterion(spec.code, spec.label, spec.source, spec.sensitive)


def clause_criteria(facts: Facts) -> tuple[list[str], list[str]]:
    """The clause-public codes the facts support, and the facts missing to conclude."""
    codes: list[str] = []
    missing: list[str] = []
    registered = facts.jobseeker_months is not None
    if registered and facts.jobseeker_months >= LONG_TERM_JOBSEEKER_MONTHS:
        codes.append("long_term_jobseeker")
    if facts.benefits & MINIMUM_BENEFITS:
        codes.append("minimum_benefits")
    if facts.disability_recognised:
        codes.append("disabled_worker")
    if facts.birth_date is None:
        missing.append("La date de naissance est nécessaire pour les critères d'âge.")
    elif is_under(facts.birth_date, facts.assessment_date, YOUNG_AGE):
        if facts.qualification_level is None:
            missing.append("Le niveau de qualification est nécessaire (moins de 26 ans).")
        elif facts.out_of_school_months is None:
            missing.append("La durée depuis la sortie du système scolaire est nécessaire.")
        elif (
            facts.qualification_level < CLAUSE_YOUNG_MAX_LEVEL_EXCLUSIVE
            and facts.out_of_school_months >= OUT_OF_SCHOOL_MONTHS
        ):
            codes.append("young_low_qualification")
    elif registered and is_at_least(facts.birth_date, facts.assessment_date, SENIOR_AGE):
        codes.append("senior_jobseeker")
    if facts.qpv_resident:
        codes.append("qpv_resident")
    if facts.employed_by in SIAE_KINDS:
        codes.append("siae_employee")
    elif facts.employed_by == EmployerKind.GEIQ:
        codes.append("geiq_employee")
    elif facts.employed_by in SHELTERED_KINDS:
        codes.append("sheltered_worker")
    elif facts.employed_by in SCHOOL_KINDS:
        codes.append("epide_e2c")
    if facts.pass_iae_valid:
        codes.append("iae_pathway")
    return codes, missing


def iae_eligibility(level_1_count: int, level_2_count: int, kind: str) -> bool:
    """W9/W9b: eligible with ≥ 1 level-1 criterion, or enough level-2 criteria for the kind
    of SIAE (3 for ACI/EI/EITI, 2 for AI/ETTI)."""
    if level_1_count >= 1:
        return True
    return level_2_count >= IAE_LEVEL_2_REQUIRED[kind]


def iae_criteria(facts: Facts) -> IaeResult:
    """The IAE referential as a second referential (les-emplois)."""
    level_1: list[str] = []
    level_2: list[str] = []
    for benefit, code in (
        (Benefit.RSA, "iae_rsa"),
        (Benefit.ASS, "iae_ass"),
        (Benefit.AAH, "iae_aah"),
    ):
        if benefit in facts.benefits:
            level_1.append(code)
    months = facts.jobseeker_months
    if months is not None and months >= VERY_LONG_TERM_JOBSEEKER_MONTHS:
        level_1.append("iae_detld")
    elif months is not None and months >= LONG_TERM_JOBSEEKER_MONTHS:
        level_2.append("iae_deld")
    if (
        facts.qualification_level is not None
        and facts.qualification_level <= IAE_LOW_QUALIFICATION_MAX_LEVEL
    ):
        level_2.append("iae_low_qualification")
    if facts.birth_date is not None:
        if is_at_least(facts.birth_date, facts.assessment_date, SENIOR_AGE):
            level_2.append("iae_senior")
        elif is_under(facts.birth_date, facts.assessment_date, YOUNG_AGE):
            level_2.append("iae_young")
    if facts.disability_recognised:
        level_2.append("iae_disabled_worker")
    if facts.qpv_resident:
        level_2.append("iae_qpv")
    level_2.extend(sorted(facts.declared_iae_criteria & DECLARED_IAE_CRITERIA))
    by_kind = {
        kind: facts.pass_iae_valid or iae_eligibility(len(level_1), len(level_2), kind)
        for kind in IAE_LEVEL_2_REQUIRED
    }
    return IaeResult(tuple(level_1), tuple(level_2), by_kind, facts.pass_iae_valid)


def assess(facts: Facts) -> Assessment:
    """Which clause criteria the facts support (each with its source), whether that makes the
    person eligible to the clause (at least one criterion), and the IAE result."""
    codes, missing = clause_criteria(facts)
    return Assessment(
        criteria=[_supported(code) for code in codes],
        eligible=bool(codes),
        iae=iae_criteria(facts),
        missing=missing,
    )


# -- the facilitator's decision -----------------------------------------------------------


def decision_error(
    *, criteria_codes: Iterable[str], derogation: bool, prescriber_opinion: str
) -> str | None:
    """Why a validation may not be recorded, or None. The facilitator validates on at least
    one criterion of the list, or by derogation "sur avis motivé" of a prescriber (cie84.org:
    "le facilitateur peut valider … d'autres personnes rencontrant des difficultés
    particulières sur avis motivé de Pôle Emploi, des Maisons de l'Emploi, des Missions
    Locales, ou des MDPH")."""
    has_criteria = any(True for _ in criteria_codes)
    if derogation:
        if not prescriber_opinion.strip():
            return "Une dérogation exige l'avis motivé d'un prescripteur."
        return None
    if not has_criteria:
        return (
            "Cochez au moins un critère, ou validez par dérogation sur l'avis motivé "
            "d'un prescripteur."
        )
    return None


def proof_is_recent(proof_date: datetime.date, max_age_days: int | None, on: datetime.date) -> bool:
    """A proof is accepted if it is not in the future and, where the criterion sets a maximum
    age, not older than it (arrêté du 4 septembre 2025: "justificatif datant de moins de 3
    mois" for RSA)."""
    if proof_date > on:
        return False
    return max_age_days is None or (on - proof_date).days <= max_age_days


def pass_iae_is_valid(valid_until: datetime.date | None, on: datetime.date) -> bool:
    """A PASS IAE proves IAE eligibility while it runs (les-emplois `itou/approvals`)."""
    return valid_until is not None and on <= valid_until


# -- validity (§3.2: 24 months is unverified practice, so a setting) ----------------------


def valid_until(first_contract_start: datetime.date, months: int) -> datetime.date:
    """The last day a validation is valid: `months` after the first clause contract started,
    the day before the same date (start 2026-03-01, 24 months → 2028-02-29)."""
    if months < 1:
        raise ValueError("La durée de validité doit être d'au moins un mois.")
    return add_months(first_contract_start, months) - datetime.timedelta(days=1)


# -- outcomes (§5.1, W12) -----------------------------------------------------------------

_LASTING = frozenset(
    {ExitSituation.CDI, ExitSituation.CIVIL_SERVICE, ExitSituation.BUSINESS_CREATION}
)
_FIXED_TERM = frozenset({ExitSituation.CDD, ExitSituation.TEMPORARY})
_POSITIVE = frozenset({ExitSituation.QUALIFYING_TRAINING, ExitSituation.OTHER_SIAE})


def outcome_category(situation: str, contract_months: int | None = None) -> OutcomeCategory:
    """W12: CDD 7 months → lasting job; CDD 3 months → transition job; qualifying training →
    positive exit; unemployed → other. Source: communaute.inclusion.beta.gouv.fr "Les sorties
    dynamiques dans l'IAE" (emploi durable: CDI, CDD or intérim > 6 months, titularisation,
    business creation; transition: shorter CDD/intérim, contrat aidé; positive: training,
    hire by another SIAE)."""
    if situation in _LASTING:
        return OutcomeCategory.LASTING_JOB
    if situation in _FIXED_TERM:
        if contract_months is not None and contract_months > LASTING_JOB_MIN_MONTHS_EXCLUSIVE:
            return OutcomeCategory.LASTING_JOB
        return OutcomeCategory.TRANSITION_JOB
    if situation == ExitSituation.SUBSIDISED_CONTRACT:
        return OutcomeCategory.TRANSITION_JOB
    if situation in _POSITIVE:
        return OutcomeCategory.POSITIVE_EXIT
    return OutcomeCategory.OTHER


# -- retention ----------------------------------------------------------------------------


def anonymisation_due(
    last_end: datetime.date | None, retention_months: int, today: datetime.date
) -> bool:
    """Personal data is anonymised once `retention_months` have passed since the last
    assignment ended (RGPD art. 5.1.e, storage limitation; the duration is a setting). A
    person with an assignment still running (no end) or none yet is kept."""
    return last_end is not None and add_months(last_end, retention_months) <= today


# -- hours that will not count: warnings before they happen (#12.1) -----------------------


def uncovered_start(
    mission_start: datetime.date,
    mission_end: datetime.date | None,
    windows: Iterable[tuple[datetime.date, datetime.date | None]],
) -> tuple[datetime.date, datetime.date | None] | None:
    """The first days of a mission no eligibility window covers: (mission start, the day
    before the eligibility begins — None when no window begins within the mission), or
    None when the mission's first day is covered. Source: docs/domain-rules.md §3.2 —
    "hours are countable only for work dates within an active validation"."""
    spans = sorted(windows, key=lambda span: span[0])
    for start, end in spans:
        if start <= mission_start and (end is None or mission_start <= end):
            return None
    later = [start for start, _ in spans if start > mission_start]
    if later and (mission_end is None or later[0] <= mission_end):
        return mission_start, later[0] - datetime.timedelta(days=1)
    return mission_start, mission_end


def estimated_hours(span: tuple[datetime.date, datetime.date], weekly_hours: object) -> int | None:
    """Hours a mission at `weekly_hours` a week holds over `span` (both days included),
    rounded: an order of magnitude for a warning, never a count [I]."""
    if weekly_hours is None:
        return None
    days = (span[1] - span[0]).days + 1
    return max(round(days * float(weekly_hours) / 7), 0)


def backdating_error(
    *,
    valid_from: datetime.date,
    on: datetime.date,
    proof_date: datetime.date | None,
    reason: str,
) -> str:
    """A validation may start before the day it is recorded (the facilitator validates
    after work began) only from the date of the proof seen — the proof attests the
    situation on its date — and with the reason stated (docs/domain-rules.md §3.2,
    « Starting a validation before the day it is recorded » [I]). "" when allowed."""
    if valid_from > on:
        return "L'éligibilité ne peut pas commencer après la date d'évaluation."
    if valid_from == on:
        return ""
    if proof_date is None:
        return (
            "Pour faire commencer l'éligibilité avant la date d'évaluation, indiquez la date "
            "du justificatif qui atteste la situation à cette date."
        )
    if valid_from < proof_date:
        return (
            f"L'éligibilité ne peut pas commencer avant la date du justificatif "
            f"({proof_date:%d/%m/%Y})."
        )
    if not reason.strip():
        return "Indiquez pourquoi l'éligibilité commence avant la date d'évaluation."
    return ""

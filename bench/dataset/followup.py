# ruff: noqa: S311 — synthetic data (not cryptography)
"""Participants, eligibility validations, assignments and outcomes, shared among the started
clauses in proportion to target × share of time elapsed; each assignment's monthly
declarations come from `bench.dataset.hours`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from bench.dataset import hours
from bench.dataset.common import (
    BY_STATUS,
    FIRST_NAMES,
    LAST_NAMES,
    MODALITIES,
    TRADES,
    aware,
    weighted,
)
from bench.dataset.sink import Ids

if TYPE_CHECKING:
    from bench.dataset.generator import Generator, StructureInfo

PARTICIPANT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "birth_year",
    "gender",
    "residence_commune_id",
    "qpv_resident",
    "prescriber_kind",
    "identity_key",
    "structure_id",
    "department_id",
    "created_by_id",
    "created_at",
)
VALIDATION_COLUMNS = (
    "id",
    "participant_id",
    "proof_kind",
    "proof_date",
    "structure_id",
    "validated_by_id",
    "validated_at",
    "valid_from",
    "valid_until",
    "validity_months",
)
ASSIGNMENT_COLUMNS = (
    "id",
    "participant_id",
    "lot_id",
    "employer_id",
    "modality",
    "contract_type",
    "trade",
    "start_date",
    "end_date",
    "weekly_hours",
    "created_by_id",
    "created_at",
)
OUTCOME_COLUMNS = (
    "id",
    "participant_id",
    "assignment_id",
    "moment",
    "situation",
    "contract_months",
    "category",
    "recorded_at",
    "recorded_by_id",
)
PRESCRIBERS = ["france_travail", "mission_locale", "plie", "cap_emploi", "siae", "facilitator"]
SITUATIONS = [
    "cdi",
    "cdd",
    "cdd",
    "temporary",
    "temporary",
    "qualifying_training",
    "jobseeker",
    "jobseeker",
    "unknown",
    "subsidised_contract",
    "other_siae",
]


def generate(g: Generator) -> None:
    from clauses.followup.models import Assignment, EligibilityValidation, Outcome, Participant
    from clauses.hours.models import HourDeclaration

    started = [c for c in g.clauses if c[3] <= g.last_month]
    # Assignments shared among clauses in proportion to target × share of time elapsed.
    weights = []
    for c in started:
        duration = max(1, (c[4] - c[3]).days)
        elapsed = min(1.0, max(0.0, (g.today - c[3]).days / duration))
        weights.append(c[2] * elapsed)
    wanted = g.scale.assignments_per_year * g.scale.years
    total_weight = sum(weights) or 1.0
    t = _tables(g)
    for index, clause in enumerate(started):
        expected = weights[index] / total_weight * wanted
        count = int(expected) + (g.rng.random() < expected - int(expected))
        for _ in range(count):
            _assignment(g, t, clause)
        if index % 20_000 == 0 and index:
            g.progress(f"follow-up: {index:,}/{len(started):,} clauses, {t.made:,} assignments")
    for model in (
        Participant,
        EligibilityValidation,
        EligibilityValidation.criteria.through,
        Assignment,
        Outcome,
        HourDeclaration,
    ):
        g.sink.flush(model)
    g.progress(f"follow-up: {t.made:,} assignments")


def _tables(g: Generator) -> SimpleNamespace:
    from clauses.followup.models import Assignment, EligibilityValidation, Outcome, Participant
    from clauses.hours.models import HourDeclaration

    through = EligibilityValidation.criteria.through
    return SimpleNamespace(
        p_ids=Ids(Participant),
        v_ids=Ids(EligibilityValidation),
        a_ids=Ids(Assignment),
        o_ids=Ids(Outcome),
        d_ids=Ids(HourDeclaration),
        vc_ids=Ids(through),
        participants=g.sink.table(Participant, PARTICIPANT_COLUMNS),
        validations=g.sink.table(EligibilityValidation, VALIDATION_COLUMNS),
        validation_criteria=g.sink.table(
            through, ("id", "eligibilityvalidation_id", "eligibilitycriterion_id")
        ),
        assignments=g.sink.table(Assignment, ASSIGNMENT_COLUMNS),
        outcomes=g.sink.table(Outcome, OUTCOME_COLUMNS),
        declarations=g.sink.table(HourDeclaration, hours.DECLARATION_COLUMNS),
        used_keys=defaultdict(set),
        made=0,
    )


def _assignment(g: Generator, t: SimpleNamespace, clause: tuple) -> None:
    """One assignment on the clause's lot, for a known person or a new one, with its outcome
    and its declarations."""
    rng = g.rng
    _cid, lot_id, _target, m_start, m_end, holder, sub, structure_id = clause[:8]
    info = g.structures[structure_id]
    last_start = min(g.last_month + timedelta(days=27), m_end)
    span = (last_start - m_start).days
    start = m_start + timedelta(days=rng.randrange(max(1, span)))
    months = max(1, min(30, int(rng.expovariate(1 / 8.0)) + 1))
    end = min(start + timedelta(days=int(months * 30.4) - 1), m_end)
    if end < start:
        end = start
    modality, contract, _w = weighted(rng, MODALITIES)
    pid, window = _person(g, t, clause, info, start, end, modality)
    aid = t.a_ids()
    employer = sub if (sub and rng.random() < 0.3) else holder
    weekly = rng.choice([Decimal(35), Decimal(35), Decimal(24), Decimal("17.5")])
    t.assignments.add(
        aid, pid, lot_id, employer, modality, contract, rng.choice(TRADES), start, end, weekly,
        info.user_id, aware(start),
    )  # fmt: skip
    t.made += 1
    if end < g.today and rng.random() < 0.6:
        _outcome(g, t, pid, aid, end, info)
    hours.declare(
        g,
        t.declarations,
        t.d_ids,
        aid,
        modality,
        start,
        end,
        weekly,
        window,
        g.company_names.get(employer, ""),
        info.user_id,
    )


def _person(
    g: Generator,
    t: SimpleNamespace,
    clause: tuple,
    info: StructureInfo,
    start: date,
    end: date,
    modality: str,
) -> tuple[int, tuple]:
    """(participant id, eligibility windows): the same person again when one of the
    structure's people is free and still eligible, else a new person."""
    rng = g.rng
    person = None
    needs_validation = modality not in BY_STATUS or rng.random() < 0.5
    if info.pool and rng.random() < 0.3:
        for candidate in rng.sample(info.pool, min(4, len(info.pool))):
            if (
                candidate[1] < start
                and (candidate[2] is None or candidate[2] >= start)
                and (candidate[3] or not needs_validation)
            ):
                person = candidate
                break
    if person is None:
        person = _new_person(g, t, clause, info, start, end, needs_validation)
    else:
        person[1] = end
    return person[0], person[3]


def _new_person(
    g: Generator,
    t: SimpleNamespace,
    clause: tuple,
    info: StructureInfo,
    start: date,
    end: date,
    validate: bool,
) -> list:
    from clauses.followup import identity

    rng = g.rng
    pid = t.p_ids()
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        birth_year = start.year - rng.randint(18, 60)
        key = identity.identity_key(last_name=last, first_name=first, birth_year=birth_year)
        if key not in t.used_keys[info.department_id]:
            t.used_keys[info.department_id].add(key)
            break
    residence = g.commune(clause[10])[0]
    t.participants.add(
        pid, first, last, birth_year, "female" if rng.random() < 0.16 else "male", residence,
        rng.random() < 0.15, rng.choice(PRESCRIBERS), key, info.id, info.department_id,
        info.user_id, aware(start),
    )  # fmt: skip
    valid_until, window = _validation(g, t, pid, info, start) if validate else (None, ())
    person = [pid, end, valid_until, window]
    info.pool.append(person)
    if len(info.pool) > 400:
        info.pool.pop(0)
    return person


def _validation(
    g: Generator, t: SimpleNamespace, pid: int, info: StructureInfo, start: date
) -> tuple[date, tuple]:
    """Validated before the first clause contract; valid for 24 months from its start
    (followup.rules.valid_until). Returns (valid until, eligibility windows)."""
    from clauses.followup import rules as followup_rules

    rng = g.rng
    valid_until = followup_rules.valid_until(start, 24)
    validated_on = start - timedelta(days=rng.randint(1, 20))
    vid = t.v_ids()
    code = rng.choice(g.criterion_codes)
    proofs = g.criteria[code][1] or ["other"]
    t.validations.add(
        vid, pid, proofs[0], validated_on - timedelta(days=rng.randint(0, 30)), info.id,
        info.user_id, aware(validated_on), validated_on, valid_until, 24,
    )  # fmt: skip
    t.validation_criteria.add(t.vc_ids(), vid, g.criteria[code][0])
    return valid_until, ((validated_on, valid_until),)


def _outcome(
    g: Generator, t: SimpleNamespace, pid: int, aid: int, end: date, info: StructureInfo
) -> None:
    from clauses.followup import rules as followup_rules

    situation = g.rng.choice(SITUATIONS)
    months_after = g.rng.choice([None, 3, 6, 12])
    t.outcomes.add(
        t.o_ids(), pid, aid, "end_of_assignment", situation, months_after,
        followup_rules.outcome_category(situation, months_after),
        aware(min(g.today, end + timedelta(days=10))), info.user_id,
    )  # fmt: skip

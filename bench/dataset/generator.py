"""The generator: its state, the order of the steps, and the lookups the steps share."""

from __future__ import annotations

import functools
import itertools
import random
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection

from bench.dataset import desk, followup, markets, network, organisations, territories
from bench.dataset.common import MARKET_PROFILES, Scale, month_add
from bench.dataset.sink import Progress, Sink


@dataclass
class StructureInfo:
    id: int
    name: str
    department_id: int
    user_id: int = 0
    facilitator_ids: list[int] = field(default_factory=list)
    pool: list[list] = field(default_factory=list)  # [participant_id, busy_until, valid_until]


@dataclass
class Summary:
    scale: str
    years: int
    seed: int
    counts: dict[str, int]
    hours_declared: float
    hours_counted: float
    seconds: float
    first_month: date
    last_month: date
    fk_checks_off: bool = False

    def as_dict(self) -> dict:
        return {
            "scale": self.scale,
            "years": self.years,
            "seed": self.seed,
            "counts": self.counts,
            "hours_declared": round(self.hours_declared),
            "hours_counted": round(self.hours_counted),
            "seconds": round(self.seconds, 1),
            "first_month": self.first_month.isoformat(),
            "last_month": self.last_month.isoformat(),
            "fk_checks_off": self.fk_checks_off,
        }


class Generator:
    """One run: one `random.Random(seed)` drawn in a fixed order, so the same seed (and the
    same `today`) gives the same rows. The steps (one module per domain) read and fill the
    generator's attributes."""

    def __init__(
        self,
        scale: Scale,
        *,
        seed: int = 1,
        today: date | None = None,
        progress: Progress | None = None,
        use_copy: bool = True,
    ) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 — synthetic data (not cryptography)
        self.today = today or date.today()
        self.progress = progress or Progress(quiet=True)
        self.use_copy = use_copy
        self.last_month = month_add(date(self.today.year, self.today.month, 1), -1)
        self.first_month = month_add(self.last_month, -12 * scale.years + 1)
        self.hours_declared = Decimal(0)
        self.hours_counted = Decimal(0)
        self._count_memo: dict = {}

    # ---- entry point
    def run(self) -> Summary:
        from clauses.markets.models import Market

        started = time.monotonic()
        if Market.objects.exists():
            raise RuntimeError(
                "La base contient déjà des marchés : le jeu de données se génère dans une base "
                "fraîche (migrate + load_reference)."
            )
        self._reference()
        self.sink = Sink(self.progress, use_copy=self.use_copy)
        # The counting rule's day arithmetic, memoised for the run: its arguments (a month,
        # day windows, assignment dates) repeat across millions of declarations.
        from clauses.hours import rules as hour_rules

        share = hour_rules.eligible_share
        hour_rules.eligible_share = functools.lru_cache(maxsize=100_000)(share)
        try:
            territories.generate(self)
            network.generate(self)
            organisations.generate(self)
            markets.generate(self)
            followup.generate(self)
            desk.generate(self)
        finally:
            hour_rules.eligible_share = share
            self.sink.close()
        self._finish()
        return self._summary(started)

    def _summary(self, started: float) -> Summary:
        counts = dict(sorted(self.sink.counts.items()))
        summary = Summary(
            self.scale.name,
            self.scale.years,
            self.seed,
            counts,
            float(self.hours_declared),
            float(self.hours_counted),
            time.monotonic() - started,
            self.first_month,
            self.last_month,
            self.sink.fk_checks_off,
        )
        self.progress(
            f"done: {sum(counts.values()):,} rows in {summary.seconds:.0f} s "
            f"(waited {self.sink.waited:.0f} s for the database)"
        )
        return summary

    # ---- reference data
    def _reference(self) -> None:
        from clauses.followup import referential
        from clauses.followup.models import EligibilityCriterion
        from clauses.network.models import Coordination
        from clauses.territories.models import Commune, CpvCode

        if not Commune.objects.exists() or not Coordination.objects.exists():
            raise RuntimeError(
                "Chargez d'abord les données de référence : load_reference --wet-run."
            )
        if not EligibilityCriterion.objects.exists():
            referential.load_national_criteria(wet_run=True)
        self.criteria = {
            c.code: (c.pk, c.proof_kinds)
            for c in EligibilityCriterion.objects.filter(
                region__isnull=True, department__isnull=True, group="clause_public"
            )
        }
        self.criterion_codes = sorted(self.criteria)
        self.cpv = dict(
            CpvCode.objects.filter(code8__in=[p[0] for p in MARKET_PROFILES]).values_list(
                "code8", "pk"
            )
        )

    # ---- lookups shared by the steps
    def coverage(self, commune_id: int) -> tuple[frozenset, frozenset]:
        """(structures, local coordinations) covering a commune, as the desk computes it."""
        if commune_id in self.synthetic_coverage:
            return frozenset(self.synthetic_coverage[commune_id]), frozenset()
        if commune_id not in self._coverage:
            from clauses.network.models import Coordination, FacilitatorStructure
            from clauses.territories.models import Commune

            commune = Commune.objects.select_related("parent").get(pk=commune_id)
            structures = frozenset(
                FacilitatorStructure.objects.covering(commune).values_list("pk", flat=True)
            )
            locals_ = frozenset(
                Coordination.objects.local()
                .filter(pk__in=Coordination.objects.covering(commune).values("pk"))
                .values_list("pk", flat=True)
            )
            self._coverage[commune_id] = (structures & set(self.structures), locals_)
        return self._coverage[commune_id]

    def commune(self, dept_id: int) -> tuple[int, str, int]:
        """A commune of the département, drawn in proportion to its population."""
        communes = self.departments[dept_id]["communes"]
        weights = self.departments[dept_id].get("weights")
        if weights is None:
            weights = list(itertools.accumulate(p for _, _, p in communes))
            self.departments[dept_id]["weights"] = weights
        return self.rng.choices(communes, cum_weights=weights)[0]

    def dept_of(self, commune_id: int, default: int) -> int:
        cache = self.__dict__.setdefault("_commune_dept", {})
        if not cache:
            for dept_id, d in self.departments.items():
                for c in d["communes"]:
                    cache[c[0]] = dept_id
        return cache.get(commune_id, default)

    # ---- after the load
    def _finish(self) -> None:
        if connection.vendor != "postgresql":
            return
        from django.apps import apps
        from django.core.management.color import no_style

        touched = [apps.get_model(label) for label in set(self.sink.counts)]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), touched):
                cursor.execute(sql)
            _check_orphans(cursor)
            # Vacuumed as autovacuum would leave them (visibility map: index-only scans),
            # and statistics for the planner.
            self.progress("vacuum analyze")
            _vacuum(cursor)


def _check_orphans(cursor: object) -> None:
    """Foreign-key triggers were off during COPY: check the largest links instead."""
    from clauses.followup.models import Assignment
    from clauses.hours.models import HourDeclaration

    sql = (
        f"SELECT count(*) FROM {HourDeclaration._meta.db_table} d "  # noqa: S608 — model metadata
        f"LEFT JOIN {Assignment._meta.db_table} a ON a.id = d.assignment_id "
        "WHERE a.id IS NULL"
    )
    cursor.execute(sql)
    orphans = cursor.fetchone()[0]
    if orphans:
        raise RuntimeError(f"{orphans} déclarations sans mission")


def _vacuum(cursor: object) -> None:
    from clauses.followup.models import Assignment
    from clauses.hours.models import HourDeclaration

    for model in (HourDeclaration, Assignment):
        if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    cursor.execute("ANALYZE")

# ruff: noqa: S311, S608 — synthetic data (not cryptography); SQL from model metadata
"""A deterministic synthetic dataset at the size of a region or of France, for benchmarks.

Everything goes through the project's own rules, not raw rows that break invariants:
hour targets by `markets.rules.estimate_hours`, routing of the desk's requests by
`desk.rules.route` (facts gathered in memory from the same coverage the desk reads),
eligibility validity by `followup.rules.valid_until`, identity keys by
`followup.identity.identity_key`, declared hours checked by `hours.rules.check_hours` (the
monthly ceiling: one person has one assignment at a time here) and counted by
`hours.rules.count_declaration` (with a memo for months wholly inside the assignment and the
eligibility window, whose result depends only on the hours, the modality and the training
flag — the rule is still what computes it). Outcome categories by
`followup.rules.outcome_category`.

Territories: the reference data holds Île-de-France only. The national scale adds 17
**synthetic regions** (codes R01…R17, named "Région synthétique …"), 5 synthetic
départements each and ~300 synthetic communes per département, each with its
regional and departmental coordinations and ~4 facilitator structures: the volume of France,
on territories that are not real. The synthetic départements take the codes of the real
départements outside Île-de-France (01, 02…, so that the desk's validation of INSEE codes
accepts their communes) but are named "Département synthétique NN (…)"; their communes have
INSEE codes NN001…NN300 and names made from IDF names with a suffix ("Montreuil-sur-Loire"):
they do not match the real communes of those codes. The IDF part uses the real reference network.

Rows are written in bulk: PostgreSQL `COPY` (psycopg 3) from a writer thread, so that the
database works while Python generates the next chunk; `executemany` batches on SQLite.
Primary keys are assigned here (from the current maximum), sequences are reset at the end.
On PostgreSQL, foreign-key triggers are switched off during the load
(`session_replication_role = replica`, superuser only, else kept) and an orphan check runs
at the end instead.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import queue
import random
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models

HALF = Decimal("0.5")
# Declared values by half-hour steps (index = hours × 2), and a subcontracted amount for
# the same hours (60 € an hour of the subcontract).
HALF_HOURS = [Decimal(n) / 2 for n in range(0, 2 * 208 + 1)]
AMOUNTS = [(h * 60).quantize(Decimal(1)) for h in HALF_HOURS]
DAYS = [timedelta(days=n) for n in range(0, 32)]
# A reference month for each month length (the counting rule only looks at days).
CANONICAL_MONTHS = {
    31: date(2001, 1, 1),
    30: date(2001, 4, 1),
    28: date(2001, 2, 1),
    29: date(2004, 2, 1),
}


# -- scales ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    name: str
    years: int
    synthetic_regions: int
    departments_per_region: int
    communes_per_department: int
    structures_per_department: int
    buyers: int
    companies: int
    markets_per_year: int
    assignments_per_year: int
    requests_per_year: int
    # Share of buyers and volume in Île-de-France (real territory).
    idf_share: float


# docs/domain-rules.md §5: France 2021 ≈ 25 M h, 57 k participants, 75 k contracts, 58 k
# markets with clauses, 3.6 k buyers; 583 facilitators in 369 structures. Ten years ≈ 10 k
# buyers, 600 k clauses, 750 k assignments, 5 M monthly declarations. IDF ≈ a quarter.
SCALES = {
    "tiny": Scale("tiny", 1, 1, 2, 20, 2, 12, 15, 30, 45, 15, 0.5),
    "region": Scale("region", 10, 0, 0, 0, 0, 2_500, 6_000, 12_000, 19_000, 3_000, 1.0),
    "national": Scale("national", 10, 17, 5, 300, 4, 10_000, 25_000, 48_000, 75_000, 12_000, 0.25),
}

# Real département codes outside Île-de-France, for the synthetic départements (see above).
SYNTHETIC_DEPARTMENT_CODES = [
    f"{n:02d}" for n in range(1, 96) if n not in (20, 75, 77, 78, 91, 92, 93, 94, 95)
] + ["2A", "2B"]
FIRST_NAMES = (
    "Adam Aïcha Alice Amadou Amina Antoine Aurélie Bilal Camille Chloé Claire Dylan Élodie "
    "Emma Fatou Fatoumata Florian Gabriel Hugo Ibrahim Inès Jade Jean Julie Karim Kevin Léa "
    "Léo Lina Louis Lucas Mamadou Manon Marie Mathis Maxime Mehdi Moussa Nadia Nathan Nicolas "
    "Noah Nora Océane Omar Paul Pierre Rayan Romain Sarah Sofiane Sophie Théo Thomas Yanis "
    "Yasmine Youssef Zoé Aminata Bakary Cédric Djibril Enzo Fanny Grégory Hamza Idriss Jessica "
    "Kadiatou Laura Lucie Malik Mariam Nabil Ousmane Patrick Quentin Rachid Samir Tony Valérie"
).split()
LAST_NAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier "
    "François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu "
    "Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun "
    "Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche "
    "Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud "
    "Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq "
    "Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin "
    "Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier "
    "Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly "
    "Hervé Schneider Fernandez Le Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel "
    "Diallo Traoré Koné Camara Cissé Diarra Keita Sylla Touré Sow Ba Ndiaye Diop Fofana Konaté "
    "Benali Haddad Mansouri Belkacem Bouzid Cherif Hamidi Kaci Saïdi Ziani Nguyen Tran Pham"
).split()
SUFFIXES = (
    "en-Armor sur-Loire en-Vallée lès-Bois sur-Mer en-Plaine sur-Rhône du-Causse "
    "en-Bocage sur-Garonne des-Monts lès-Vignes sur-Meuse en-Forêt du-Marais sur-Dordogne "
    "des-Étangs"
).split()
REGION_WORDS = (
    "Armorique Ligérie Vallonie Sylvanie Maritimie Planèze Rhodanie Causses Bocagie "
    "Garonnie Montagne Vignoble Mosanie Forestie Marais Dordonie Étangs"
).split()
TRADES = (
    "Maçon·ne Coffreur·se Agent·e d'entretien Manœuvre Électricien·ne Plombier·ère "
    "Peintre Plaquiste Agent·e de propreté Jardinier·ère Cariste Serveur·se Aide-cuisinier·ère "
    "Agent·e de sécurité Chauffeur·se Menuisier·ère"
).split(" ")
# (modality, contract type, weight)
MODALITIES = [
    ("direct_cdd", "cdd", 30),
    ("direct_cdi", "cdi", 4),
    ("apprenticeship", "apprenticeship", 6),
    ("professionalisation", "professionalisation", 4),
    ("etti", "temporary", 20),
    ("ett", "temporary", 8),
    ("ai", "secondment", 6),
    ("geiq", "professionalisation", 5),
    ("subcontract_siae", "other", 7),
    ("cocontract_siae", "other", 2),
    ("subcontract_ea_esat", "other", 3),
    ("training", "training", 5),
]
SUBCONTRACTING = {"subcontract_siae", "cocontract_siae", "subcontract_ea_esat"}
BY_STATUS = {"etti", "ai", *SUBCONTRACTING}
BUYER_CATEGORIES = [
    ("commune", 45),
    ("epci", 12),
    ("departement", 4),
    ("region", 1),
    ("state", 8),
    ("social_landlord", 18),
    ("hospital", 6),
    ("other_public", 6),
]
REQUEST_KINDS = [
    ("social_advice", 50),
    ("programme_review", 8),
    ("clause_follow_up", 20),
    ("environmental", 8),
    ("other", 14),
]
# (CPV 8 digits, kind, labour share, weight): works dominate the clauses.
MARKET_PROFILES = [
    ("45210000", "works", Decimal("0.50"), 30),
    ("45400000", "works", Decimal("0.55"), 15),
    ("45230000", "works", Decimal("0.40"), 10),
    ("90910000", "services", Decimal("0.70"), 15),
    ("77310000", "services", Decimal("0.60"), 10),
    ("55520000", "services", Decimal("0.40"), 8),
    ("79710000", "services", Decimal("0.70"), 5),
    ("39130000", "supplies", Decimal("0.20"), 7),
]
INSERTION_RATES = [
    (Decimal("0.05"), 60),
    (Decimal("0.07"), 20),
    (Decimal("0.10"), 15),
    (Decimal("0.03"), 5),
]
HOURLY_COST = Decimal("30")


def _weighted(rng: random.Random, items: list[tuple]) -> tuple:
    return rng.choices(items, weights=[i[-1] for i in items])[0]


def _siret(rng: random.Random, prefix: str = "") -> str:
    """A SIRET whose SIREN and SIRET keys are both right (Luhn)."""
    from clauses.accounts.validators import luhn_complete

    siren = luhn_complete(prefix + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefix))))
    return luhn_complete(siren + "".join(str(rng.randrange(10)) for _ in range(4)))


def _month_add(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _month_end(month: date) -> date:
    return _month_add(month, 1) - timedelta(days=1)


def _aware(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# -- writing --------------------------------------------------------------------------------


class Sink:
    """Rows buffered per model and written in chunks, parents before children (the caller
    flushes in that order). PostgreSQL: COPY on a dedicated connection from a thread."""

    CHUNK = 50_000

    def __init__(self, progress: Progress, *, use_copy: bool) -> None:
        self.progress = progress
        self.buffers: dict[type[models.Model], list[tuple]] = defaultdict(list)
        self.columns: dict[type[models.Model], list[models.Field]] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.use_copy = use_copy and connection.vendor == "postgresql"
        self.fk_checks_off = False
        self.waited = 0.0  # seconds the generator waited for the database
        if self.use_copy:
            import psycopg

            params = connection.get_connection_params()
            for name in ("cursor_factory", "context", "server_side_binding", "pool"):
                params.pop(name, None)
            self.pg = psycopg.connect(**{k: v for k, v in params.items() if v is not None})
            self.pg.autocommit = True
            with self.pg.cursor() as cursor:
                cursor.execute("SET synchronous_commit = off")
                try:
                    cursor.execute("SET session_replication_role = replica")
                    self.fk_checks_off = True
                except psycopg.Error:
                    pass
            self.queue: queue.Queue = queue.Queue(maxsize=4)
            self.error: BaseException | None = None
            self.thread = threading.Thread(target=self._copy_worker, daemon=True)
            self.thread.start()

    # Columns: every concrete field; values given by name, the rest from the field default.
    def _fields(self, model: type[models.Model]) -> list[models.Field]:
        if model not in self.columns:
            self.columns[model] = [f for f in model._meta.concrete_fields]
        return self.columns[model]

    def defaults(self, model: type[models.Model], given: tuple[str, ...]) -> list[Any]:
        """The value of each column not in `given`, from the model (error if required)."""
        values = []
        for f in self._fields(model):
            if f.attname in given:
                values.append(None)
                continue
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                value = ""
            else:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
            if isinstance(value, dict | list):
                value = json.dumps(value)
            values.append(value)
        return values

    def table(self, model: type[models.Model], names: tuple[str, ...]) -> Table:
        return Table(self, model, names)

    def add(self, model: type[models.Model], row: tuple) -> None:
        buffer = self.buffers[model]
        buffer.append(row)
        if len(buffer) >= self.CHUNK:
            self.flush(model)

    def flush(self, model: type[models.Model] | None = None) -> None:
        models_ = [model] if model is not None else list(self.buffers)
        for m in models_:
            rows = self.buffers.get(m)
            if not rows:
                continue
            self.buffers[m] = []
            self.counts[m._meta.label] += len(rows)
            columns = [f.column for f in self._fields(m)]
            if self.use_copy:
                if self.error:
                    raise self.error
                waited = time.monotonic()
                self.queue.put((m._meta.db_table, columns, rows))
                self.waited += time.monotonic() - waited
            else:
                rows = [tuple(map(self._sqlite_value, row)) for row in rows]
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {m._meta.db_table} ({quoted}) VALUES ({marks})"
                with connection.cursor() as cursor:
                    for start in range(0, len(rows), 5000):
                        cursor.executemany(sql, rows[start : start + 5000])

    @staticmethod
    def _sqlite_value(value: Any) -> Any:
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    def _copy_worker(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                table, columns, rows = item
                cols = ", ".join(f'"{c}"' for c in columns)
                with self.pg.cursor() as cursor:
                    with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            except BaseException as exc:  # noqa: BLE001 — re-raised in the main thread
                self.error = exc
            finally:
                self.queue.task_done()

    def close(self) -> None:
        self.flush()
        if self.use_copy:
            self.queue.join()
            self.queue.put(None)
            self.thread.join()
            if self.error:
                raise self.error
            with self.pg.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
            self.pg.close()


class Table:
    """Rows of one model given as a few named values; other columns take their defaults."""

    def __init__(self, sink: Sink, model: type[models.Model], names: tuple[str, ...]) -> None:
        self.sink, self.model = sink, model
        fields = sink._fields(model)
        attnames = [f.attname for f in fields]
        unknown = set(names) - set(attnames)
        if unknown:
            raise ValueError(f"{model.__name__}: unknown columns {sorted(unknown)}")
        self.template = sink.defaults(model, names)
        self.slots = [attnames.index(n) for n in names]
        self.simple = list(names) == attnames

    def add(self, *values: Any) -> None:
        if self.simple:
            self.sink.add(self.model, values)
            return
        row = list(self.template)
        for slot, value in zip(self.slots, values, strict=True):
            row[slot] = value
        self.sink.add(self.model, tuple(row))


class Progress:
    """Plain lines on stderr: step, rows so far, elapsed seconds."""

    def __init__(self, stream: Any = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.monotonic() - self.start
            self.stream.write(f"[{elapsed:7.1f} s] {message}\n")
            self.stream.flush()


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


class Ids:
    def __init__(self, model: type[models.Model]) -> None:
        self.next = _next_id(model)

    def __call__(self) -> int:
        value = self.next
        self.next += 1
        return value


# -- the generator -----------------------------------------------------------------------------


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
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.progress = progress or Progress(quiet=True)
        self.use_copy = use_copy
        self.last_month = _month_add(date(self.today.year, self.today.month, 1), -1)
        self.first_month = _month_add(self.last_month, -12 * scale.years + 1)
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
            self._territories()
            self._network()
            self._organisations()
            self._markets()
            self._follow_up()
            self._requests()
        finally:
            hour_rules.eligible_share = share
            self.sink.close()
        self._finish()
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
        from clauses.followup import services as followup_services
        from clauses.followup.models import EligibilityCriterion
        from clauses.network.models import Coordination
        from clauses.territories.models import Commune, CpvCode

        if not Commune.objects.exists() or not Coordination.objects.exists():
            raise RuntimeError(
                "Chargez d'abord les données de référence : load_reference --wet-run."
            )
        if not EligibilityCriterion.objects.exists():
            followup_services.load_national_criteria(wet_run=True)
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

    # ---- territories
    def _territories(self) -> None:
        from clauses.territories.models import Commune, Department, Region
        from clauses.territories.search import fold

        s, rng = self.scale, self.rng
        idf = list(
            Commune.objects.filter(parent__isnull=True)
            .order_by("insee")
            .values_list("pk", "insee", "name", "population", "department_id")
        )
        self.idf_communes = idf
        self.departments: dict[int, dict] = {
            d["pk"]: {**d, "synthetic": False, "communes": []}
            for d in Department.objects.values("pk", "code", "region_id")
        }
        for pk, insee, _name, population, dept in idf:
            self.departments[dept]["communes"].append((pk, insee, max(population, 50)))
        self.synthetic_regions: list[int] = []
        if not s.synthetic_regions:
            return
        region_ids, dept_ids, commune_ids = Ids(Region), Ids(Department), Ids(Commune)
        regions = self.sink.table(Region, ("id", "code", "name"))
        departments = self.sink.table(Department, ("id", "code", "name", "region_id", "population"))
        communes = self.sink.table(
            Commune,
            (
                "id",
                "insee",
                "name",
                "search_name",
                "kind",
                "department_id",
                "population",
                "postcodes",
            ),
        )
        serial = 0
        for r in range(s.synthetic_regions):
            region_id = region_ids()
            word = REGION_WORDS[r % len(REGION_WORDS)]
            regions.add(region_id, f"R{r + 1:02d}", f"Région synthétique {r + 1:02d} ({word})")
            self.synthetic_regions.append(region_id)
            for d in range(s.departments_per_region):
                number = r * s.departments_per_region + d + 1
                dept_id = dept_ids()
                code = SYNTHETIC_DEPARTMENT_CODES[number - 1]
                suffix = SUFFIXES[(number - 1) % len(SUFFIXES)]
                rows = []
                for k in range(s.communes_per_department):
                    _pk, _insee, name, population, _dept = idf[(serial * 7 + 3) % len(idf)]
                    serial += 1
                    population = max(50, int(population * rng.uniform(0.2, 0.9)))
                    insee = f"{code}{k + 1:03d}"
                    commune_id = commune_ids()
                    label = f"{name}-{suffix}"
                    communes.add(
                        commune_id,
                        insee,
                        label,
                        fold(label),
                        "commune",
                        dept_id,
                        population,
                        f"{code}{k % 10}00",
                    )
                    rows.append((commune_id, insee, population))
                departments.add(
                    dept_id,
                    code,
                    f"Département synthétique {code} ({word})",
                    region_id,
                    sum(p for _, _, p in rows),
                )
                self.departments[dept_id] = {
                    "pk": dept_id,
                    "code": code,
                    "region_id": region_id,
                    "synthetic": True,
                    "communes": rows,
                }
        self.sink.flush(Region)
        self.sink.flush(Department)
        self.sink.flush(Commune)
        self.progress(
            f"territories: {s.synthetic_regions} synthetic regions, "
            f"{s.synthetic_regions * s.departments_per_region} départements, {serial} communes"
        )

    # ---- network: coordinations, structures, facilitators, their users
    def _network(self) -> None:
        from clauses.accounts.models import Membership, Organisation, User
        from clauses.desk.rules import Target
        from clauses.desk.services import coordination_target, structure_target
        from clauses.network.models import Coordination, Facilitator, FacilitatorStructure

        s, rng = self.scale, self.rng
        coordinations = list(Coordination.objects.all())
        national = next(c for c in coordinations if c.level == "national")
        self.national = coordination_target(national)
        self.regional: dict[int, Coordination] = {
            c.region_id: c for c in coordinations if c.level == "regional" and c.region_id
        }
        self.departmental: dict[int, Coordination] = {
            c.department_id: c for c in coordinations if c.level == "departmental"
        }
        self.local_ids = [c.pk for c in coordinations if c.level == "local"]
        self.structures: dict[int, StructureInfo] = {}
        for st in FacilitatorStructure.objects.filter(is_active=True).select_related(
            "coordination__parent"
        ):
            coord = st.coordination
            dept = coord.department_id or (coord.parent.department_id if coord.parent else None)
            if dept is None:
                continue
            self.structures[st.pk] = StructureInfo(st.pk, st.name, dept)
        for f_id, st_id in Facilitator.objects.filter(is_active=True).values_list(
            "pk", "structure_id"
        ):
            if st_id in self.structures:
                self.structures[st_id].facilitator_ids.append(f_id)
        self.structure_targets: dict[int, Target] = {}
        for st in FacilitatorStructure.objects.filter(pk__in=self.structures):
            self.structure_targets[st.pk] = structure_target(st)
        # Coverage of the real communes, as the desk reads it (lazily, per commune).
        self._coverage: dict[int, tuple[frozenset, frozenset]] = {}

        coord_ids, struct_ids, fac_ids = (
            Ids(Coordination),
            Ids(FacilitatorStructure),
            Ids(Facilitator),
        )
        coords = self.sink.table(
            Coordination,
            (
                "id",
                "level",
                "name",
                "parent_id",
                "carrier_name",
                "region_id",
                "department_id",
                "email",
                "desk_email",
            ),
        )
        structs = self.sink.table(
            FacilitatorStructure,
            ("id", "name", "carrier_kind", "coordination_id", "is_active", "email"),
        )
        struct_communes = self.sink.table(
            FacilitatorStructure.communes.through, ("id", "facilitatorstructure_id", "commune_id")
        )
        struct_departments = self.sink.table(
            FacilitatorStructure.departments.through,
            ("id", "facilitatorstructure_id", "department_id"),
        )
        facs = self.sink.table(
            Facilitator, ("id", "first_name", "last_name", "structure_id", "is_active", "email")
        )
        through_ids = Ids(FacilitatorStructure.communes.through)
        through_dept_ids = Ids(FacilitatorStructure.departments.through)
        self.synthetic_coverage: dict[int, set[int]] = defaultdict(set)
        new_regionals = []
        for region_id in self.synthetic_regions:
            cid = coord_ids()
            name = f"Coordination régionale synthétique {region_id}"
            coords.add(
                cid,
                "regional",
                name,
                national.pk,
                "GIP synthétique",
                region_id,
                None,
                f"region-{cid}@bench.clauses.invalid",
                f"guichet-{cid}@bench.clauses.invalid",
            )
            coord = Coordination(
                pk=cid,
                level="regional",
                name=name,
                region_id=region_id,
                desk_email=f"guichet-{cid}@bench.clauses.invalid",
            )
            self.regional[region_id] = coord
            new_regionals.append(coord)
        carriers = ["maison_emploi", "plie", "collectivite", "intercommunalite", "association"]
        # Île-de-France: as many structures and facilitators per département as the seed
        # document's table (data/network/idf_network_2026.csv: 48 and 123); their names are
        # not public, so they are invented here like everywhere else.
        idf_counts = {}
        import csv

        from django.conf import settings as django_settings

        with open(django_settings.DATA_DIR / "network" / "idf_network_2026.csv") as handle:
            for row in csv.DictReader(handle):
                idf_counts[row["dep_code"]] = (int(row["structures"]), int(row["facilitateurs"]))
        for dept in self.departments.values():
            if dept["synthetic"]:
                cid = coord_ids()
                name = f"Coordination départementale {dept['code']}"
                regional = self.regional[dept["region_id"]]
                coords.add(
                    cid,
                    "departmental",
                    name,
                    regional.pk,
                    "Maison de l'emploi synthétique",
                    None,
                    dept["pk"],
                    f"dep-{cid}@bench.clauses.invalid",
                    "",
                )
                self.departmental[dept["pk"]] = Coordination(
                    pk=cid, level="departmental", name=name, department_id=dept["pk"]
                )
                n = s.structures_per_department
                n_facilitators = None
            else:
                coordination = self.departmental.get(dept["pk"])
                if coordination is None:
                    continue
                cid = coordination.pk
                n, n_facilitators = idf_counts.get(dept["code"], (1, 2))
            communes = sorted(dept["communes"], key=lambda c: c[1])
            n = max(1, min(n, len(communes)))
            block = math.ceil(len(communes) / n)
            for k in range(n):
                sid = struct_ids()
                name = f"Structure facilitatrice {dept['code']}-{k + 1} (synthétique)"
                structs.add(
                    sid,
                    name,
                    carriers[k % len(carriers)],
                    cid,
                    True,
                    f"structure-{sid}@bench.clauses.invalid",
                )
                info = StructureInfo(sid, name, dept["pk"])
                self.structures[sid] = info
                self.structure_targets[sid] = Target("structure", sid, name, "")
                # A block of communes; sometimes the last structure of a département also
                # covers the whole département (a departmental PLIE): two structures there.
                for commune_id, _insee, _pop in communes[k * block : (k + 1) * block]:
                    struct_communes.add(through_ids(), sid, commune_id)
                    self.synthetic_coverage[commune_id].add(sid)
                if k == n - 1 and n > 1 and rng.random() < 0.5:
                    struct_departments.add(through_dept_ids(), sid, dept["pk"])
                    for commune_id, _insee, _pop in communes:
                        self.synthetic_coverage[commune_id].add(sid)
                if n_facilitators is None:
                    count = 1 + (rng.random() < 0.4)
                else:
                    count = n_facilitators // n + (k < n_facilitators % n)
                for _ in range(max(1, count)):
                    fid = fac_ids()
                    facs.add(
                        fid,
                        rng.choice(FIRST_NAMES),
                        rng.choice(LAST_NAMES),
                        sid,
                        True,
                        f"facilitateur-{fid}@bench.clauses.invalid",
                    )
                    info.facilitator_ids.append(fid)
        for model in (
            Coordination,
            FacilitatorStructure,
            FacilitatorStructure.communes.through,
            FacilitatorStructure.departments.through,
            Facilitator,
        ):
            self.sink.flush(model)

        # One organisation and one facilitator account per structure (validations and
        # controls need a person); organisations already there are kept.
        org_ids, user_ids, membership_ids = Ids(Organisation), Ids(User), Ids(Membership)
        existing = dict(
            Organisation.objects.filter(structure__isnull=False).values_list("structure_id", "pk")
        )
        orgs = self.sink.table(
            Organisation,
            ("id", "kind", "name", "structure_id", "department_id", "is_confirmed", "created_at"),
        )
        users = self.sink.table(
            User, ("id", "email", "password", "first_name", "last_name", "is_active", "date_joined")
        )
        memberships = self.sink.table(
            Membership,
            (
                "id",
                "user_id",
                "organisation_id",
                "role",
                "facilitator_id",
                "is_confirmed",
                "is_active",
                "created_at",
            ),
        )
        now = _aware(self.today)
        self.structure_orgs: dict[int, int] = {}
        for info in self.structures.values():
            org = existing.get(info.id)
            if org is None:
                org = org_ids()
                orgs.add(
                    org, "facilitator_structure", info.name, info.id, info.department_id, True, now
                )
            self.structure_orgs[info.id] = org
            uid = user_ids()
            users.add(
                uid,
                f"facilitation-{info.id}@bench.clauses.invalid",
                "!bench",
                "Facilitation",
                f"n° {info.id}",
                True,
                now,
            )
            info.user_id = uid
            facilitator = info.facilitator_ids[0] if info.facilitator_ids else None
            memberships.add(membership_ids(), uid, org, "facilitator", facilitator, True, True, now)
        self.org_ids, self.user_ids = org_ids, user_ids
        for model in (Organisation, User, Membership):
            self.sink.flush(model)
        self.progress(f"network: {len(self.structures)} active structures")

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

    # ---- buyers and companies
    def _organisations(self) -> None:
        from clauses.accounts.models import Organisation
        from clauses.desk.models import BuyerAgreement

        s, rng = self.scale, self.rng
        depts = list(self.departments.values())
        idf = [d for d in depts if not d["synthetic"]]
        synthetic = [d for d in depts if d["synthetic"]]

        def weight(d: dict) -> float:
            return float(sum(p for _, _, p in d["communes"]))

        def pick_departments(n: int) -> list[dict]:
            n_idf = n if not synthetic else round(n * s.idf_share)
            out = rng.choices(idf, weights=[weight(d) for d in idf], k=n_idf)
            if synthetic:
                out += rng.choices(synthetic, weights=[weight(d) for d in synthetic], k=n - n_idf)
            return out

        orgs = self.sink.table(
            Organisation,
            (
                "id",
                "kind",
                "name",
                "siret",
                "siren",
                "buyer_category",
                "department_id",
                "is_confirmed",
                "created_at",
            ),
        )
        created = _aware(self.first_month)
        self.buyers: list[tuple[int, int, str, str]] = []  # (id, department id, name, siret)
        self.buyers_by_dept: dict[int, list[int]] = defaultdict(list)
        sirets: set[str] = set()
        for i, dept in enumerate(pick_departments(s.buyers)):
            category = _weighted(rng, BUYER_CATEGORIES)[0]
            siret = _siret(rng, "2")
            while siret in sirets:
                siret = _siret(rng, "2")
            sirets.add(siret)
            oid = self.org_ids()
            name = f"Acheteur {dept['code']}-{i + 1:05d} ({category})"
            orgs.add(oid, "buyer", name, siret, siret[:9], category, dept["pk"], True, created)
            self.buyers_by_dept[dept["pk"]].append(len(self.buyers))
            self.buyers.append((oid, dept["pk"], name, siret))
        self.companies_by_dept: dict[int, list[int]] = defaultdict(list)
        self.company_names: dict[int, str] = {}
        for i, dept in enumerate(pick_departments(s.companies)):
            siret = _siret(rng, "4")
            while siret in sirets:
                siret = _siret(rng, "4")
            sirets.add(siret)
            oid = self.org_ids()
            name = f"Entreprise {dept['code']}-{i + 1:05d}"
            orgs.add(oid, "company", name, siret, siret[:9], "", dept["pk"], True, created)
            self.companies_by_dept[dept["pk"]].append(oid)
            self.company_names[oid] = name
        self.all_companies = [c for cs in self.companies_by_dept.values() for c in cs]
        self.sink.flush(Organisation)
        # Buyers bound by an agreement to a structure of their département (≈ 3 %).
        structures_by_dept: dict[int, list[int]] = defaultdict(list)
        for info in self.structures.values():
            structures_by_dept[info.department_id].append(info.id)
        self.structures_by_dept = structures_by_dept
        agreements = self.sink.table(
            BuyerAgreement,
            ("id", "buyer_organisation_id", "buyer_siret", "structure_id", "valid_from", "note"),
        )
        agreement_ids = Ids(BuyerAgreement)
        self.agreements: dict[int, int] = {}
        for oid, dept, _name, siret in self.buyers:
            if structures_by_dept.get(dept) and rng.random() < 0.03:
                sid = rng.choice(structures_by_dept[dept])
                agreements.add(agreement_ids(), oid, siret, sid, self.first_month, "Convention")
                self.agreements[oid] = sid
        self.sink.flush(BuyerAgreement)
        # Buyers' weights: a few large buyers place most markets (Zipf-like).
        self.buyer_weights = list(
            itertools.accumulate(1.0 / (1 + (i % 97)) ** 0.8 for i in range(len(self.buyers)))
        )
        self.buyer_range = range(len(self.buyers))
        self.progress(
            f"organisations: {len(self.buyers)} buyers, {len(self.all_companies)} companies"
        )

    def _commune(self, dept_id: int) -> tuple[int, str, int]:
        communes = self.departments[dept_id]["communes"]
        weights = self.departments[dept_id].get("weights")
        if weights is None:
            weights = list(itertools.accumulate(p for _, _, p in communes))
            self.departments[dept_id]["weights"] = weights
        return self.rng.choices(communes, cum_weights=weights)[0]

    # ---- markets, lots, clauses, contractors
    def _markets(self) -> None:
        from clauses.markets import rules as market_rules
        from clauses.markets.models import Lot, LotContractor, Market, SocialConsideration

        s, rng = self.scale, self.rng
        market_ids, lot_ids, clause_ids, lc_ids = (
            Ids(Market),
            Ids(Lot),
            Ids(SocialConsideration),
            Ids(LotContractor),
        )
        ec_ids = Ids(Market.execution_communes.through)
        markets = self.sink.table(
            Market,
            (
                "id",
                "buyer_id",
                "reference",
                "subject",
                "procedure",
                "kind",
                "cpv_id",
                "estimated_amount_ht",
                "awarded_amount_ht",
                "notification_date",
                "start_date",
                "end_date",
                "duration_months",
                "status",
                "following_structure_id",
                "facilitator_id",
                "created_at",
                "updated_at",
            ),
        )
        exec_communes = self.sink.table(
            Market.execution_communes.through, ("id", "market_id", "commune_id")
        )
        lots = self.sink.table(
            Lot,
            (
                "id",
                "market_id",
                "number",
                "title",
                "cpv_id",
                "estimated_amount_ht",
                "awarded_amount_ht",
            ),
        )
        clauses = self.sink.table(
            SocialConsideration,
            (
                "id",
                "lot_id",
                "kind",
                "eligible_publics",
                "modalities",
                "hours_method",
                "amount_ht",
                "labour_share",
                "hourly_cost",
                "insertion_rate",
                "duration_months",
                "formula",
                "calculation_warnings",
                "calculated_hours",
                "created_at",
                "updated_at",
            ),
        )
        contractors = self.sink.table(
            LotContractor, ("id", "lot_id", "organisation_id", "role", "amount_ht", "created_at")
        )
        # clause: (clause id, lot id, target, start, end, holder, subcontractor, structure id,
        #          facilitator id, market id)
        self.clauses: list[tuple] = []
        total = s.markets_per_year * s.years
        reference_seq: dict[int, int] = defaultdict(int)
        publics = json.dumps(self.criterion_codes[:4])
        modalities = json.dumps(["direct_cdd", "etti", "subcontract_siae"])
        span_days = (self.last_month - self.first_month).days + 28
        for n in range(total):
            b = (
                rng.choices(self.buyer_range, cum_weights=self.buyer_weights)[0]
                if n % 3 == 0
                else rng.randrange(len(self.buyers))
            )
            buyer_id, dept_id, _name, _siret = self.buyers[b]
            cpv8, kind, labour_share, _w = _weighted(rng, MARKET_PROFILES)
            notified = self.first_month + timedelta(days=rng.randrange(span_days))
            start = notified + timedelta(days=rng.randrange(15, 60))
            months = rng.choice([6, 9, 12, 12, 18, 24, 24, 36, 48])
            end = start + timedelta(days=int(months * 30.4))
            median = 400_000 if kind == "works" else 150_000
            amount = Decimal(int(min(2e8, median * math.exp(rng.gauss(0, 1.1))))).quantize(
                Decimal(1)
            )
            status = (
                "closed"
                if end < self.today
                else ("in_execution" if start <= self.today else "awarded")
            )
            # Execution places: the buyer's département, sometimes a neighbour's commune too.
            places = [self._commune(dept_id)]
            if rng.random() < 0.15:
                places.append(self._commune(dept_id))
            structures, _ = self.coverage(places[0][0])
            if not structures:
                structures = frozenset(self.structures_by_dept.get(dept_id, ()))
            structure_id = (
                min(structures)
                if len(structures) == 1
                else (rng.choice(sorted(structures)) if structures else None)
            )
            if structure_id is None:
                continue
            info = self.structures[structure_id]
            facilitator = rng.choice(info.facilitator_ids) if info.facilitator_ids else None
            reference_seq[buyer_id] += 1
            mid = market_ids()
            created = _aware(notified - timedelta(days=60))
            markets.add(
                mid,
                buyer_id,
                f"{notified.year}-{reference_seq[buyer_id]:05d}",
                f"Marché {kind} n° {n + 1}",
                rng.choice(["adapted", "open", "open", "negotiated"]),
                kind,
                self.cpv.get(cpv8),
                amount,
                amount,
                notified,
                start,
                end,
                months,
                status,
                structure_id,
                facilitator,
                created,
                created,
            )
            for commune_id in dict.fromkeys(p[0] for p in places):
                exec_communes.add(ec_ids(), mid, commune_id)
            n_lots = 1 if rng.random() < 0.8 else rng.randint(2, 4)
            for number in range(1, n_lots + 1):
                lot_amount = (amount / n_lots).quantize(Decimal(1))
                lid = lot_ids()
                lots.add(
                    lid,
                    mid,
                    number,
                    "Lot unique" if n_lots == 1 else f"Lot {number}",
                    self.cpv.get(cpv8),
                    lot_amount,
                    lot_amount,
                )
                holder = rng.choice(self.companies_by_dept.get(dept_id) or self.all_companies)
                contractors.add(lc_ids(), lid, holder, "holder", lot_amount, created)
                sub = None
                if rng.random() < 0.15:
                    sub = rng.choice(self.all_companies)
                    if sub != holder:
                        contractors.add(lc_ids(), lid, sub, "subcontractor", None, created)
                    else:
                        sub = None
                rate = _weighted(rng, INSERTION_RATES)[0]
                estimate = market_rules.estimate_hours(
                    amount_ht=lot_amount,
                    labour_share=labour_share,
                    hourly_cost=HOURLY_COST,
                    insertion_rate=rate,
                    minimum_hours=35,
                )
                if estimate.recommendation != "clause":
                    continue  # the method advises against a clause: none on this lot
                cid = clause_ids()
                clauses.add(
                    cid,
                    lid,
                    "execution_condition",
                    publics,
                    modalities,
                    "standard",
                    lot_amount,
                    labour_share,
                    HOURLY_COST,
                    rate,
                    Decimal(months),
                    estimate.formula,
                    json.dumps(estimate.warnings),
                    estimate.hours,
                    created,
                    created,
                )
                self.clauses.append(
                    (
                        cid,
                        lid,
                        estimate.hours,
                        start,
                        end,
                        holder,
                        sub,
                        structure_id,
                        facilitator,
                        mid,
                        dept_id,
                    )
                )
            if n % 50_000 == 0 and n:
                self.progress(f"markets: {n:,}/{total:,}")
        for model in (
            Market,
            Market.execution_communes.through,
            Lot,
            LotContractor,
            SocialConsideration,
        ):
            self.sink.flush(model)
        self.progress(f"markets: {total:,} markets, {len(self.clauses):,} clauses")

    # ---- participants, validations, assignments, outcomes, declarations
    def _follow_up(self) -> None:
        from clauses.followup import identity
        from clauses.followup import rules as followup_rules
        from clauses.followup.models import (
            Assignment,
            EligibilityValidation,
            Outcome,
            Participant,
        )
        from clauses.hours.models import HourDeclaration

        s, rng = self.scale, self.rng
        started = [c for c in self.clauses if c[3] <= self.last_month]
        # Assignments shared among clauses in proportion to target × share of time elapsed.
        weights = []
        for c in started:
            duration = max(1, (c[4] - c[3]).days)
            elapsed = min(1.0, max(0.0, (self.today - c[3]).days / duration))
            weights.append(c[2] * elapsed)
        wanted = s.assignments_per_year * s.years
        total_weight = sum(weights) or 1.0
        p_ids, v_ids, a_ids = Ids(Participant), Ids(EligibilityValidation), Ids(Assignment)
        o_ids, d_ids = Ids(Outcome), Ids(HourDeclaration)
        vc_ids = Ids(EligibilityValidation.criteria.through)
        participants = self.sink.table(
            Participant,
            (
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
            ),
        )
        validations = self.sink.table(
            EligibilityValidation,
            (
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
            ),
        )
        validation_criteria = self.sink.table(
            EligibilityValidation.criteria.through,
            ("id", "eligibilityvalidation_id", "eligibilitycriterion_id"),
        )
        assignments = self.sink.table(
            Assignment,
            (
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
            ),
        )
        outcomes = self.sink.table(
            Outcome,
            (
                "id",
                "participant_id",
                "assignment_id",
                "moment",
                "situation",
                "contract_months",
                "category",
                "recorded_at",
                "recorded_by_id",
            ),
        )
        declarations = self.sink.table(
            HourDeclaration,
            (
                "id",
                "assignment_id",
                "month",
                "declared_hours",
                "declared_amount_ht",
                "is_training",
                "status",
                "rejection_reason",
                "declared_by_id",
                "declared_by_repr",
                "declared_at",
                "controlled_by_id",
                "controlled_at",
                "source",
                "batch_id",
                "base_hours",
                "counted_hours",
                "counting_rule",
                "counting_detail",
                "counted_at",
                "is_demo",
            ),
        )
        used_keys: dict[int, set[str]] = defaultdict(set)
        situations = [
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
        made = 0
        for index, clause in enumerate(started):
            (
                _cid,
                lot_id,
                _target,
                m_start,
                m_end,
                holder,
                sub,
                structure_id,
                _fac,
                _mid,
                dept_id,
            ) = clause
            expected = weights[index] / total_weight * wanted
            count = int(expected) + (rng.random() < expected - int(expected))
            info = self.structures[structure_id]
            last_start = min(self.last_month + timedelta(days=27), m_end)
            span = (last_start - m_start).days
            for _ in range(count):
                start = m_start + timedelta(days=rng.randrange(max(1, span)))
                months = max(1, min(30, int(rng.expovariate(1 / 8.0)) + 1))
                end = min(start + timedelta(days=int(months * 30.4) - 1), m_end)
                if end < start:
                    end = start
                modality, contract, _w = _weighted(rng, MODALITIES)
                # The same person again when one of the structure's people is free and
                # still eligible, else a new person.
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
                    pid = p_ids()
                    while True:
                        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                        birth_year = start.year - rng.randint(18, 60)
                        key = identity.identity_key(
                            last_name=last, first_name=first, birth_year=birth_year
                        )
                        if key not in used_keys[info.department_id]:
                            used_keys[info.department_id].add(key)
                            break
                    residence = self._commune(dept_id)[0]
                    participants.add(
                        pid,
                        first,
                        last,
                        birth_year,
                        "female" if rng.random() < 0.16 else "male",
                        residence,
                        rng.random() < 0.15,
                        rng.choice(
                            [
                                "france_travail",
                                "mission_locale",
                                "plie",
                                "cap_emploi",
                                "siae",
                                "facilitator",
                            ]
                        ),
                        key,
                        structure_id,
                        info.department_id,
                        info.user_id,
                        _aware(start),
                    )
                    valid_until = None
                    if needs_validation:
                        # Validated before the first clause contract; valid for 24 months
                        # from its start (followup.rules.valid_until).
                        valid_until = followup_rules.valid_until(start, 24)
                        validated_on = start - timedelta(days=rng.randint(1, 20))
                        vid = v_ids()
                        code = rng.choice(self.criterion_codes)
                        proofs = self.criteria[code][1] or ["other"]
                        validations.add(
                            vid,
                            pid,
                            proofs[0],
                            validated_on - timedelta(days=rng.randint(0, 30)),
                            structure_id,
                            info.user_id,
                            _aware(validated_on),
                            validated_on,
                            valid_until,
                            24,
                        )
                        validation_criteria.add(vc_ids(), vid, self.criteria[code][0])
                        window = ((validated_on, valid_until),)
                    else:
                        window = ()
                    person = [pid, end, valid_until, window]
                    info.pool.append(person)
                    if len(info.pool) > 400:
                        info.pool.pop(0)
                else:
                    person[1] = end
                pid, window = person[0], person[3]
                aid = a_ids()
                employer = sub if (sub and rng.random() < 0.3) else holder
                weekly = rng.choice([Decimal(35), Decimal(35), Decimal(24), Decimal("17.5")])
                assignments.add(
                    aid,
                    pid,
                    lot_id,
                    employer,
                    modality,
                    contract,
                    rng.choice(TRADES),
                    start,
                    end,
                    weekly,
                    info.user_id,
                    _aware(start),
                )
                made += 1
                if end < self.today and rng.random() < 0.6:
                    situation = rng.choice(situations)
                    months_after = rng.choice([None, 3, 6, 12])
                    outcomes.add(
                        o_ids(),
                        pid,
                        aid,
                        "end_of_assignment",
                        situation,
                        months_after,
                        followup_rules.outcome_category(situation, months_after),
                        _aware(min(self.today, end + timedelta(days=10))),
                        info.user_id,
                    )
                self._declare(
                    declarations,
                    d_ids,
                    aid,
                    modality,
                    start,
                    end,
                    weekly,
                    window,
                    self.company_names.get(employer, ""),
                    info.user_id,
                )
            if index % 20_000 == 0 and index:
                self.progress(
                    f"follow-up: {index:,}/{len(started):,} clauses, {made:,} assignments"
                )
        for model in (
            Participant,
            EligibilityValidation,
            EligibilityValidation.criteria.through,
            Assignment,
            Outcome,
            HourDeclaration,
        ):
            self.sink.flush(model)
        self.progress(f"follow-up: {made:,} assignments")

    def _count(
        self,
        *,
        month: date,
        month_end: date,
        modality: str,
        validated: bool,
        declared: Decimal | None,
        amount: Decimal | None,
        training: bool,
        start: date,
        end: date,
        window: tuple,
        by_status: bool,
    ) -> Any:
        """`hours.rules.count_declaration` on these facts, memoised: the rule only looks at
        the days of `month` (the assignment's days in it, and of them those in an
        eligibility window), so the facts are first clipped to the month and moved to a
        reference month of the same length; equal keys give equal results."""
        from clauses.hours import rules as hour_rules

        canonical = CANONICAL_MONTHS[month_end.day]
        first = max(start, month).day
        last = min(end, month_end).day
        windows = tuple(
            (max(a, month).day, min(b, month_end).day)
            for a, b in window
            if a <= month_end and b >= month
        )
        key = (modality, validated, declared, amount, training, by_status, month_end.day,
               first, last, windows)  # fmt: skip
        result = self._count_memo.get(key)
        if result is None:
            facts = hour_rules.DeclarationFacts(
                month=canonical,
                modality=modality,
                validated=validated,
                declared_hours=declared,
                declared_amount_ht=amount,
                is_training=training,
                assignment_start=canonical.replace(day=first),
                assignment_end=canonical.replace(day=last),
                eligibility_windows=tuple(
                    (canonical.replace(day=x), canonical.replace(day=y)) for x, y in windows
                ),
                eligible_by_status=by_status,
            )
            base, _ = hour_rules.base_hours(facts, self.counting_settings)
            result = (hour_rules.count_declaration(facts, self.counting_settings), base)
            if len(self._count_memo) < 300_000:
                self._count_memo[key] = result
        return result

    def _declare(
        self,
        table: Table,
        ids: Ids,
        aid: int,
        modality: str,
        start: date,
        end: date,
        weekly: Decimal,
        window: tuple,
        company: str,
        controller: int,
    ) -> None:
        from clauses.hours import rules as hour_rules

        if not hasattr(self, "counting_settings"):
            self.counting_settings = hour_rules.Settings()
            self._details: dict = {}
            self._month_info: dict = {}
        rng = self.rng
        random_ = rng.random
        month = date(start.year, start.month, 1)
        last = min(date(end.year, end.month, 1), self.last_month)
        recent = _month_add(self.last_month, -1)
        by_status = modality in BY_STATUS
        subcontracting = modality in SUBCONTRACTING
        training_modality = modality == "training"
        weekly_month = float(weekly) * 4.33
        while month <= last:
            info = self._month_info.get(month)
            if info is None:
                month_end = _month_end(month)
                info = (month_end, _aware(month_end), _month_add(month, 1))
                self._month_info[month] = info
            month_end, month_end_time, next_month = info
            days = (min(month_end, end) - max(month, start)).days + 1
            fraction = days / month_end.day
            steps = max(1, int(weekly_month * fraction * (0.3 + 0.65 * random_()) * 2 + 0.5))
            hours = HALF_HOURS[steps]
            hour_rules.check_hours(hours)  # the monthly ceiling: one assignment at a time
            if subcontracting:
                amount, declared = AMOUNTS[steps], None
            else:
                amount, declared = None, hours
            training = training_modality or random_() < 0.03
            roll = random_()
            if month >= recent:
                status = "validated" if roll < 0.3 else "submitted"
            elif roll < 0.94:
                status = "validated"
            elif roll < 0.97:
                status = "rejected"
            elif roll < 0.98:
                status = "fix_requested"
            else:
                status = "submitted"
            counted, base = self._count(
                month=month,
                month_end=month_end,
                modality=modality,
                validated=status == "validated",
                declared=declared,
                amount=amount,
                training=training,
                start=start,
                end=end,
                window=window,
                by_status=by_status,
            )
            detail_key = (counted.steps, base)
            detail = self._details.get(detail_key)
            if detail is None:
                detail = json.dumps(
                    {
                        "steps": list(counted.steps),
                        "explanation": counted.explanation,
                        "base_hours": str(base),
                        "labour_share": str(self.counting_settings.labour_share),
                        "hourly_cost": str(self.counting_settings.hourly_cost),
                    }
                )
                if len(self._details) < 200_000:
                    self._details[detail_key] = detail
            declared_at = month_end_time + DAYS[1 + int(random_() * 12)]
            controlled = status != "submitted"
            table.add(
                ids(),
                aid,
                month,
                declared,
                amount,
                training,
                status,
                "Heures non justifiées." if status == "rejected" else "",
                None,
                company,
                declared_at,
                controller if controlled else None,
                declared_at + DAYS[1 + int(random_() * 20)] if controlled else None,
                "spreadsheet" if roll < 0.5 else ("form" if roll < 0.9 else "api"),
                None,
                base,
                counted.hours,
                counted.rule,
                detail,
                declared_at,
                False,
            )
            self.hours_declared += base
            self.hours_counted += counted.hours
            month = next_month

    # ---- the desk's requests, routed by the desk's rule
    def _requests(self) -> None:
        from clauses.desk import rules as desk_rules
        from clauses.desk.models import Assignment as DeskAssignment
        from clauses.desk.models import ReferenceCounter, Request
        from clauses.desk.services import _green_desk_target, coordination_target

        s, rng = self.scale, self.rng
        r_ids, ra_ids, rc_ids = (
            Ids(Request),
            Ids(DeskAssignment),
            Ids(Request.execution_communes.through),
        )
        requests = self.sink.table(
            Request,
            (
                "id",
                "reference",
                "kind",
                "status",
                "outcome",
                "buyer_organisation_id",
                "buyer_name",
                "buyer_siret",
                "contact_name",
                "contact_email",
                "market_subject",
                "market_estimated_amount",
                "message",
                "publication_timing",
                "target_level",
                "target_coordination_id",
                "target_structure_id",
                "routing_rule",
                "routing_reason",
                "routed_at",
                "follow_token_hash",
                "first_response_due",
                "first_response_at",
                "first_response_working_days",
                "created_at",
                "closed_at",
            ),
        )
        request_communes = self.sink.table(
            Request.execution_communes.through, ("id", "request_id", "commune_id")
        )
        history = self.sink.table(
            DeskAssignment,
            (
                "id",
                "request_id",
                "target_level",
                "target_coordination_id",
                "target_structure_id",
                "rule",
                "reason",
                "created_at",
            ),
        )
        departmental_targets = {}
        for dept_id, coord in self.departmental.items():
            code = self.departments[dept_id]["code"]
            region = self.departments[dept_id]["region_id"]
            departmental_targets.setdefault(region, {})[code] = coordination_target(coord)
        local_targets = {}
        if self.local_ids:
            from clauses.network.models import Coordination

            local_targets = {
                c.pk: coordination_target(c)
                for c in Coordination.objects.filter(pk__in=self.local_ids)
            }
        span_days = (self.today - self.first_month).days
        per_year: dict[int, int] = defaultdict(int)
        total = s.requests_per_year * s.years
        routed: dict[str, int] = defaultdict(int)
        for _n in range(total):
            b = rng.choices(self.buyer_range, cum_weights=self.buyer_weights)[0]
            buyer_id, dept_id, name, siret = self.buyers[b]
            kind = _weighted(rng, REQUEST_KINDS)[0]
            region_id = self.departments[dept_id]["region_id"]
            regional = self.regional.get(region_id)
            communes = [self._commune(dept_id) for _ in range(1 if rng.random() < 0.7 else 2)]
            if rng.random() < 0.1:  # another département of the region
                others = [d for d, v in self.departments.items() if v["region_id"] == region_id]
                communes.append(self._commune(rng.choice(others)))
            communes = list(dict.fromkeys(communes))
            code_of = {
                c[1]: self.departments[self._dept_of(c[0], dept_id)]["code"] for c in communes
            }
            agreement = self.agreements.get(buyer_id)
            covering: frozenset = frozenset()
            locals_: frozenset = frozenset()
            if len(set(code_of.values())) == 1 and agreement is None and kind != "environmental":
                sets = [self.coverage(c[0]) for c in communes]
                covering = frozenset.intersection(*[x[0] for x in sets])
                locals_ = frozenset.intersection(*[x[1] for x in sets])
            facts = desk_rules.RoutingFacts(
                kind=desk_rules.RequestKind(kind),
                national=self.national,
                regional=coordination_target(regional) if regional else self.national,
                green_desk=_green_desk_target(regional),
                departmental=departmental_targets.get(region_id, {}),
                communes=code_of,
                agreement_structure=self.structure_targets.get(agreement) if agreement else None,
                structures_covering_all=tuple(self.structure_targets[i] for i in sorted(covering)),
                local_covering_all=tuple(
                    local_targets[i] for i in sorted(locals_) if i in local_targets
                ),
            )
            decision = desk_rules.route(facts)
            routed[str(decision.rule)] += 1
            created = _aware(self.first_month + timedelta(days=rng.randrange(span_days)), 9)
            created += timedelta(minutes=rng.randrange(600))
            per_year[created.year] += 1
            due = desk_rules.add_working_days(created.date(), 3)
            old = created.date() < self.today - timedelta(days=30)
            responded = (
                created + timedelta(hours=rng.randint(2, 120))
                if old or rng.random() < 0.5
                else None
            )
            status = "closed" if old else ("assigned" if responded else "new")
            outcome = (
                rng.choice(
                    [
                        "advice_given",
                        "clause_inserted",
                        "clause_inserted",
                        "redirected",
                        "no_follow_up",
                    ]
                )
                if old
                else ""
            )
            level = str(decision.target.level)
            target_structure = decision.target.id if level == "structure" else None
            target_coordination = None if level == "structure" else decision.target.id
            rid = r_ids()
            requests.add(
                rid,
                f"GRCS-{created.year}-{per_year[created.year]:06d}",
                kind,
                status,
                outcome,
                buyer_id,
                name,
                siret,
                "Contact acheteur",
                f"achat-{buyer_id}@bench.clauses.invalid",
                "Travaux avec clause d'insertion" if kind != "environmental" else "Achat durable",
                Decimal(rng.randrange(50, 5000) * 1000),
                "Demande générée pour les mesures.",
                rng.choice(["before_publication", "after_publication", "unknown"]),
                level,
                target_coordination,
                target_structure,
                str(decision.rule),
                decision.reason,
                created,
                hashlib.sha256(f"{self.seed}:{rid}".encode()).hexdigest(),
                due,
                responded,
                desk_rules.working_days_between(created.date(), responded.date())
                if responded
                else None,
                created,
                created + timedelta(days=rng.randint(5, 25)) if old else None,
            )
            for commune in communes:
                request_communes.add(rc_ids(), rid, commune[0])
            history.add(
                ra_ids(),
                rid,
                level,
                target_coordination,
                target_structure,
                str(decision.rule),
                decision.reason,
                created,
            )
        counters = self.sink.table(ReferenceCounter, ("id", "year", "last_number"))
        existing = set(ReferenceCounter.objects.values_list("year", flat=True))
        counter_ids = Ids(ReferenceCounter)
        for year, number in sorted(per_year.items()):
            if year not in existing:
                counters.add(counter_ids(), year, number)
        for model in (
            Request,
            Request.execution_communes.through,
            DeskAssignment,
            ReferenceCounter,
        ):
            self.sink.flush(model)
        self.routed = dict(routed)
        self.progress(f"desk: {total:,} requests routed {dict(sorted(routed.items()))}")

    def _dept_of(self, commune_id: int, default: int) -> int:
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
        from django.core.management.color import no_style

        from clauses.followup.models import Assignment
        from clauses.hours.models import HourDeclaration

        labels = set(self.sink.counts)
        from django.apps import apps

        touched = [apps.get_model(label) for label in labels]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), touched):
                cursor.execute(sql)
            # Foreign-key triggers were off during COPY: check the largest links instead.
            cursor.execute(
                f"SELECT count(*) FROM {HourDeclaration._meta.db_table} d "
                f"LEFT JOIN {Assignment._meta.db_table} a ON a.id = d.assignment_id "
                "WHERE a.id IS NULL"
            )
            orphans = cursor.fetchone()[0]
            if orphans:
                raise RuntimeError(f"{orphans} déclarations sans mission")
            # Vacuumed as autovacuum would leave them (visibility map: index-only scans),
            # and statistics for the planner.
            self.progress("vacuum analyze")
            for model in (HourDeclaration, Assignment):
                if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
                    cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
            cursor.execute("ANALYZE")

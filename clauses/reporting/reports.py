"""Reports as tables: every figure of a page, its PDF and its exports comes from here.

A `Table` holds labelled rows; counts of people are `masking.Cell`s (masked under the
threshold, with secondary suppression), other figures are numbers. Each table may carry a
bar chart (`desk.charts`, server-side SVG) drawn from its unmasked rows.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from clauses.core import spreadsheets
from clauses.desk.charts import HORIZONTAL, BarChart, bar_chart, describe, format_number
from clauses.desk.enums import RequestKind
from clauses.desk.models import Request
from clauses.followup.enums import ContractType, FulfilmentModality, Gender, OutcomeCategory
from clauses.hours import rules as hour_rules
from clauses.hours.selectors import Uncounted
from clauses.markets.enums import ConsiderationKind
from clauses.markets.models import Market
from clauses.markets.rules import MarketKind
from clauses.reporting import aggregates, figures, masking, queries, snapshots
from clauses.reporting.periods import Period
from clauses.reporting.policies import Scope
from clauses.territories.models import Department

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


# Notes shown under their table (page and PDF): the choices a reader needs to know.
AGE_NOTE = (
    "Âge = année de fin de la période − année de naissance (seule l'année de naissance est "
    "connue) : une personne née en 2000 compte 25 ans sur une période finissant en 2025."
)
HOURS_BY_DEPARTMENT_NOTE = (
    "Les heures d'un marché sont comptées dans le département de son acheteur, une seule "
    "fois, même quand le marché s'exécute sur plusieurs départements ; un acheteur d'un autre "
    "département que celui du bilan peut donc apparaître."
)


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def hours_text(value: Decimal | float | int) -> str:
    return format_number(float(round(Decimal(value), 1)))


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: masking.Cell | Decimal | int

    @property
    def text(self) -> str:
        if isinstance(self.value, masking.Cell):
            return str(self.value)
        return hours_text(self.value)

    @property
    def export_value(self) -> object:
        if isinstance(self.value, masking.Cell):
            return self.value.export_value
        return float(self.value) if isinstance(self.value, Decimal) else self.value

    @property
    def chart_value(self) -> float | None:
        if isinstance(self.value, masking.Cell):
            return self.value.shown
        return float(self.value)


@dataclass
class Table:
    key: str
    title: str
    label_header: str
    value_header: str
    rows: list[Row]
    total: Row | None = None
    note: str = ""
    chart: BarChart | None = None
    # One sentence a line under the table, in the PDF and in the exports (why hours did
    # not count, by reason).
    reasons: list[str] = field(default_factory=list)

    @property
    def legend(self) -> list[str]:
        """The explanation of the masking marks this table shows (none when nothing is
        masked): printed under the table, in the PDF and in its exports."""
        cells = [r.value for r in [*self.rows, self.total] if r is not None]
        cells = [c for c in cells if isinstance(c, masking.Cell) and c.masked]
        if not cells:
            return []
        primary, secondary = masking.legend(cells[0].limit)
        lines = [primary] if any(not c.secondary for c in cells) else []
        return lines + ([secondary] if any(c.secondary for c in cells) else [])

    def with_chart(self, *, orientation: str = HORIZONTAL, unit: str = "") -> "Table":
        items = [(r.label, r.chart_value) for r in self.rows if r.chart_value is not None]
        masked = [r.label for r in self.rows if r.chart_value is None]
        description = ""
        if masked:
            description = (
                f"{describe(items, unit)} Valeurs masquées (secret statistique) : "
                + ", ".join(masked)
                + "."
            )
        self.chart = bar_chart(
            items, title=self.title, description=description, orientation=orientation, unit=unit
        )
        return self


def _people_table(
    key: str,
    title: str,
    header: str,
    items: list[tuple[str, str, int]],
    *,
    total_shown: bool = True,
    value_header: str = "Personnes",
    note: str = "",
) -> Table:
    cells, total = masking.mask_breakdown([n for _, _, n in items], total_shown=total_shown)
    rows = [Row(k, label, cell) for (k, label, _), cell in zip(items, cells, strict=True)]
    return Table(
        key,
        title,
        header,
        value_header,
        rows,
        Row("total", "Total", total) if total_shown else None,
        note,
    ).with_chart(unit=value_header.lower())


def _choices_items(counts: dict[str, int], choices: list[tuple[str, str]]) -> list:
    items = [(value, label, counts.get(value, 0)) for value, label in choices]
    known = {value for value, _ in choices}
    other = sum(n for value, n in counts.items() if value not in known)
    if other:
        items.append(("", "Non renseigné", other))
    return items


@dataclass
class Summary:
    hours: queries.Hours
    participants: masking.Cell
    as_of: date

    @property
    def share_achieved(self) -> float | None:
        return self.hours.share_achieved

    @property
    def time_elapsed(self) -> float | None:
        return self.hours.time_elapsed(self.as_of)


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{format_number(round(value * 100, 1))} %"


@dataclass
class Report:
    title: str
    period: Period
    summary: Summary
    tables: list[Table] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)  # (label, value) en bref
    map: dict | None = None
    generated_at: date | None = None
    # When the hours come from the aggregates (a closed period): « chiffres arrêtés au … ».
    frozen_at: datetime | None = None
    min_count: int = field(default_factory=masking.threshold)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def _hours_figure(value: Decimal | float | int) -> spreadsheets.Number:
    return spreadsheets.quantity(value, hours_text(value) + " h")


def _count_figure(value: int) -> spreadsheets.Number:
    return spreadsheets.count(value, format_number(value))


def _share_figure(value: float | None) -> spreadsheets.Number:
    return spreadsheets.share(value, percent(value))


def _summary_figures(summary: Summary, uncounted: list[Uncounted]) -> list[tuple[str, str]]:
    """(label, figure): each figure is the text the page shows and, for the exports, a
    number with its spreadsheet format (`spreadsheets.Number`, #12.12)."""
    h = summary.hours
    left = sum((u.hours for u in uncounted), Decimal(0))
    participants = summary.participants
    return [
        ("Objectif d'heures des clauses", _hours_figure(h.target)),
        ("Heures déclarées sur la période", _hours_figure(h.declared)),
        ("Heures validées sur la période", _hours_figure(h.validated)),
        ("Heures comptées sur la période", _hours_figure(h.counted)),
        ("Heures validées non comptées (motifs : tableau dédié)", _hours_figure(left)),
        (
            "Équivalents temps plein (1 600 h)",
            spreadsheets.quantity(h.fte, format_number(float(h.fte)) + " ETP"),
        ),
        ("Heures comptées depuis le début", _hours_figure(h.cumulative_counted)),
        ("Part de l'objectif réalisée", _share_figure(summary.share_achieved)),
        ("Temps écoulé (exécution des marchés)", _share_figure(summary.time_elapsed)),
        (
            "Participants et participantes",
            str(participants)
            if participants.masked
            else spreadsheets.count(participants.value, str(participants)),
        ),
    ]


UNCOUNTED_NONE = "Toutes les heures validées sur la période ont été comptées."
UNCOUNTED_NOTE = (
    "Heures validées qui ne comptent pas dans le bilan, selon la règle de comptage "
    "enregistrée sur chaque déclaration. Pourquoi :"
)


def _declarations_text(count: int) -> str:
    return f"{format_number(count)} déclaration" + ("s" if count > 1 else "")


def uncounted_table(uncounted: list[Uncounted]) -> Table:
    """Validated hours that did not count, summed by reason (`queries.uncounted`); the note
    gives each reason as the hours app writes it (`hours.rules.uncounted_reason`), with its
    number of declarations, so that « 0 h comptées » never stands without its why."""
    items = [(u.rule, u.label, u.hours) for u in uncounted]
    reasons = [
        f"{u.label} ({_declarations_text(u.declarations)}) : "
        + (hour_rules.uncounted_reason(u.rule) or "règle de comptage du territoire.")
        for u in uncounted
    ]
    table = _plain_table(
        "heures_non_comptees",
        "Heures validées non comptées, par motif",
        "Motif",
        "Heures non comptées",
        items,
        unit="h",
        note=UNCOUNTED_NOTE if reasons else UNCOUNTED_NONE,
    )
    table.reasons = reasons
    return table


def people_tables(figures: dict) -> list[Table]:
    """Profile, eligibility, modalities, contract types, outcomes (`figures.collect_clause`)."""
    profile = figures["profile"]
    tables = [
        _people_table(
            "genre",
            "Participants par genre",
            "Genre",
            [
                (Gender.FEMALE.value, "Femmes", profile["female"]),
                (Gender.MALE.value, "Hommes", profile["male"]),
                (Gender.UNSPECIFIED.value, "Non renseigné", profile["unspecified"]),
            ],
        ),
        _people_table(
            "age",
            "Participants par âge à la fin de la période",
            "Âge",
            [
                ("lt_26", "Moins de 26 ans", profile["lt_26"]),
                ("26_49", "De 26 à 49 ans", profile["age_26_49"]),
                ("gte_50", "50 ans et plus", profile["gte_50"]),
                ("unknown", "Non renseigné", profile["age_unknown"]),
            ],
            note=AGE_NOTE,
        ),
        _people_table(
            "qpv",
            "Participants résidant en quartier prioritaire (QPV)",
            "Résidence",
            [
                ("qpv", "Résident·es d'un QPV", profile["qpv"]),
                ("other", "Hors QPV ou non renseigné", profile["total"] - profile["qpv"]),
            ],
        ),
        _people_table(
            "eligibilite",
            "Participants par critère d'éligibilité",
            "Critère",
            figures["eligibility"],
            total_shown=False,
            note="Une personne peut relever de plusieurs critères : pas de total.",
        ),
        _people_table(
            "modalites",
            "Contrats par modalité de mise en œuvre",
            "Modalité",
            _choices_items(figures["modality"], FulfilmentModality.choices),
            value_header="Contrats",
        ),
        _people_table(
            "contrats",
            "Contrats par type",
            "Type de contrat",
            _choices_items(figures["contract"], ContractType.choices),
            value_header="Contrats",
        ),
        _people_table(
            "sorties",
            "Sorties enregistrées sur la période",
            "Type de sortie",
            _choices_items(figures["outcomes"], OutcomeCategory.choices),
            value_header="Sorties",
        ),
    ]
    return tables


def _figures(kind: str, scope: Scope, period: Period, today: date, collect, extra: str = ""):  # noqa: ANN001, ANN202
    """(figures, frozen_at): a closed period read once the aggregates exist is kept
    (`snapshots`), its hours from the aggregates; any other period is computed live.
    `collect(source, frozen_at)` gathers the figures."""
    frozen_at = aggregates.use_for(period, today)
    if frozen_at is None:
        return collect(queries, None), None
    found = snapshots.kept(
        kind, scope, period, frozen_at, lambda: collect(aggregates, frozen_at), extra=extra
    )
    return found, frozen_at


def clause_report(
    scope: Scope, period: Period, *, market: Market | None = None, today: date | None = None
) -> Report:
    """A buyer's clause report (one market or all its markets): 10 queries whatever the
    volume (hours 3, uncounted hours by reason 1, profile 1, people tables 5). A closed
    period, once the aggregates exist, is computed once and kept (`snapshots`): then two
    queries (the last rebuild, the kept figures)."""
    today = today or timezone.localdate()
    markets = scope.markets.filter(pk=market.pk) if market else scope.markets
    found, frozen_at = _figures(
        "clause",
        scope,
        period,
        today,
        lambda source, _frozen_at: figures.collect_clause(markets, period, source),
        extra=str(market.pk) if market else "",
    )
    return _clause_report(scope, period, found, today, frozen_at, market)


def _clause_report(
    scope: Scope,
    period: Period,
    found: dict,
    today: date,
    frozen_at: datetime | None,
    market: Market | None = None,
) -> Report:
    profile = found["profile"]
    summary = Summary(found["hours"], masking.mask_count(profile["total"]), min(today, period.end))
    title = f"Rapport de clause — {scope.label}"
    if market is not None:
        title += f" — {market.reference}"
    report = Report(title, period, summary, generated_at=today, frozen_at=frozen_at)
    uncounted = found["uncounted"]
    report.figures = _summary_figures(summary, uncounted)
    report.tables = [uncounted_table(uncounted), *people_tables(found)]
    return report


def _plain_table(
    key: str,
    title: str,
    header: str,
    value_header: str,
    items: list[tuple[str, str, Decimal | int]],
    *,
    orientation: str = HORIZONTAL,
    unit: str = "",
    total: bool = True,
    note: str = "",
) -> Table:
    rows = [Row(k, label, value) for k, label, value in items]
    total_row = Row("total", "Total", sum((v for *_, v in items), 0)) if total else None
    return Table(key, title, header, value_header, rows, total_row, note).with_chart(
        orientation=orientation, unit=unit
    )


def review(scope: Scope, period: Period, *, today: date | None = None) -> Report:
    """The review of a structure, a coordination, a département, a region or a buyer:
    about 25 queries whatever the volume (the budgets: tests/reporting/test_query_budgets.py);
    a closed period, once the aggregates exist, is computed once and kept (`snapshots`).
    Hours by département are by the buyer's département (`HOURS_BY_DEPARTMENT_NOTE`)."""
    today = today or timezone.localdate()
    found, frozen_at = _figures(
        "review",
        scope,
        period,
        today,
        lambda source, frozen_at: figures.collect_review(scope, period, source, frozen_at),
    )
    report = _clause_report(scope, period, found, today, frozen_at)
    report.title = scope.title
    desk = found["desk"]
    department_names = found["department_names"]
    desk_tables = [
        _plain_table(
            "guichet_objet",
            "Demandes au guichet par objet",
            "Objet",
            "Demandes",
            [(v, label, desk.per_kind.get(v, 0)) for v, label in RequestKind.choices],
            unit="demandes",
        ),
        _plain_table(
            "guichet_semaine",
            "Demandes au guichet par semaine",
            "Semaine",
            "Demandes",
            [
                (w.isoformat(), f"S{w.isocalendar().week:02d} ({w:%d/%m/%Y})", n)
                for w, n in sorted(desk.per_week.items())
            ],
            orientation="vertical",
            unit="demandes",
        ),
    ]
    if scope.department_codes:
        desk_tables.append(
            _plain_table(
                "guichet_departement",
                "Demandes au guichet par département d'exécution",
                "Département",
                "Demandes",
                [
                    (code, f"{code} — {department_names.get(code, '')}", n)
                    for code, n in sorted(desk.per_department.items())
                ],
                unit="demandes",
                total=False,
            )
        )
    by_kind, by_division, by_band = found["by_kind"], found["by_division"], found["by_band"]
    divisions, clauses = found["divisions"], found["clauses"]
    by_department, by_month = found["by_department"], found["by_month"]
    market_tables = [
        _plain_table(
            "marches_type",
            "Marchés clausés par type",
            "Type de marché",
            "Marchés",
            _choices_items(by_kind, MarketKind.choices),
            unit="marchés",
        ),
        _plain_table(
            "marches_secteur",
            "Marchés clausés par secteur (division CPV)",
            "Division CPV",
            "Marchés",
            [
                (code, f"{code} — {divisions.get(code, '')}" if code else "Sans code CPV", n)
                for code, n in sorted(by_division.items())
            ],
            unit="marchés",
        ),
        _plain_table(
            "marches_montant",
            "Marchés clausés par tranche de montant (€ HT)",
            "Tranche",
            "Marchés",
            [(k, label, by_band.get(k, 0)) for k, label, *_ in queries.AMOUNT_BANDS]
            + (
                [("unknown", "Montant non renseigné", by_band["unknown"])]
                if by_band.get("unknown")
                else []
            ),
            unit="marchés",
        ),
        _plain_table(
            "clauses_type",
            "Considérations sociales par type",
            "Type",
            "Considérations",
            _choices_items(clauses, ConsiderationKind.choices),
            unit="considérations",
        ),
    ]
    hour_tables = [
        _plain_table(
            "heures_mois",
            "Heures comptées par mois",
            "Mois",
            "Heures",
            [(m.isoformat(), month_label(m), by_month.get(m, Decimal(0))) for m in period.months()],
            orientation="vertical",
            unit="h",
        ),
        _plain_table(
            "heures_departement",
            "Heures comptées par département de l'acheteur",
            "Département",
            "Heures",
            [
                (code, f"{code} — {department_names.get(code, '')}" if code else "Non renseigné", n)
                for code, n in sorted(by_department.items())
            ],
            unit="h",
            note=HOURS_BY_DEPARTMENT_NOTE,
        ),
    ]
    network = found["network"]
    network_table = Table(
        "reseau",
        "Le réseau : facilitateurs et structures en activité",
        "Territoire",
        "Facilitateurs",
        [Row("facilitateurs", "Facilitateurs et facilitatrices", network.facilitators),
         Row("structures", "Structures facilitatrices", network.structures)],
    )  # fmt: skip
    report.tables = desk_tables + market_tables + hour_tables + report.tables + [network_table]
    report.figures += [
        ("Marchés clausés", _count_figure(sum(by_kind.values()))),
        ("Demandes au guichet", _count_figure(desk.total)),
        (
            "Délai médian de première réponse",
            spreadsheets.quantity(
                desk.median_first_response,
                "—"
                if desk.median_first_response is None
                else f"{format_number(desk.median_first_response)} jours ouvrés",
            ),
        ),
    ]
    if scope.map_region_id is not None:
        report.map = hours_map(scope.department_codes, by_department)
    return report


def hours_map(codes: list[str], hours_by_code: dict[str, Decimal]) -> dict | None:
    """The départements drawn with `territories.maps`, shaded by counted hours (0: none, 1–4:
    quarters of the highest value), or None without contours (one query)."""
    from clauses.territories.maps import GeometryError, project_shapes

    departments = list(
        Department.objects.filter(code__in=codes, geometry__isnull=False).values(
            "code", "name", "geometry", "lat", "lon"
        )
    )
    geometries = {d["code"]: d["geometry"] for d in departments}
    anchors = {d["code"]: (d["lon"], d["lat"]) for d in departments if d["lat"] and d["lon"]}
    try:
        drawing = project_shapes(geometries, width=500, anchors=anchors)
    except GeometryError:
        return None
    if not drawing.shapes:
        return None
    names = {d["code"]: d["name"] for d in departments}
    highest = max((hours_by_code.get(c, Decimal(0)) for c in names), default=Decimal(0))
    areas = []
    for shape in drawing.shapes:
        value = hours_by_code.get(shape.key, Decimal(0))
        shade = 0 if not value or not highest else 1 + min(int(value / highest * 4), 3)
        areas.append(
            {
                "code": shape.key,
                "name": names[shape.key],
                "path": shape.path,
                "label_x": str(shape.label_x),
                "label_y": str(shape.label_y),
                "shade": shade,
                "hours": hours_text(value),
            }
        )
    return {"view_box": drawing.view_box, "areas": areas}


def consolidation(markets, group: str, year: int) -> list[tuple[str, dict]]:  # noqa: ANN001
    """The yearly consolidation: one row per region ("region") or département
    ("department") with hours, FTE, contracts, participants, buyers, markets by band,
    facilitators and structures (about 5 queries). Counts of people are masked cell by
    cell (no total row is published)."""
    from clauses.reporting.periods import year as year_period
    from clauses.territories.models import Region

    period = year_period(year)
    path = "buyer__department__region__code" if group == "region" else "buyer__department__code"
    grouped = _grouped(markets, period, path)
    departments = list(Department.objects.values("code", "name", "region__code"))
    network = queries.network([d["code"] for d in departments])
    if group == "region":
        labels = dict(Region.objects.values_list("code", "name"))
        keys = sorted({d["region__code"] for d in departments if d["region__code"] in grouped})
        keys = sorted(set(keys) | {k for k in grouped if k})
        of = {d["code"]: d["region__code"] for d in departments}
    else:
        labels = {d["code"]: d["name"] for d in departments}
        keys = sorted(k for k in grouped if k)
        of = {d["code"]: d["code"] for d in departments}
    staff: dict[str, list[int]] = {}
    for code, (facilitators, structures) in network.per_department.items():
        bucket = staff.setdefault(of.get(code, ""), [0, 0])
        bucket[0] += facilitators
        bucket[1] += structures
    if "" in grouped:
        keys.append("")
    rows = []
    for key in keys:
        values = dict(grouped.get(key, {}))
        hours_value = values.get("hours", Decimal(0))
        values["hours"] = float(round(hours_value, 2))
        values["fte"] = float((hours_value / queries.FTE_HOURS).quantize(Decimal("0.01")))
        for name in ("contracts", "participants"):
            values[name] = masking.mask_count(values.get(name, 0)).export_value
        values["facilitators"], values["structures"] = staff.get(key, [0, 0])
        label = f"{key} — {labels.get(key, '')}" if key else "Territoire non renseigné"
        rows.append((label, values))
    return rows


def _grouped(markets, period: Period, path: str) -> dict:  # noqa: ANN001
    """`queries.grouped`, kept for a closed year once the aggregates exist (`snapshots`)."""
    frozen_at = aggregates.use_for(period)
    if frozen_at is None:
        return queries.grouped(markets, period, path)
    from clauses.reporting import territory_figures  # it reads the aggregates

    national = territory_figures.read_consolidation(markets, path, period, frozen_at)
    if national is not None:
        return national
    scope = Scope(
        kind="consolidation",
        key=path,
        label="",
        markets=markets,
        requests=Request.objects.none(),
    )
    found = snapshots.kept(
        "consolidation",
        scope,
        period,
        frozen_at,
        lambda: {"grouped": queries.grouped(markets, period, path)},
    )
    return found["grouped"]


def national_rows(year: int) -> list[tuple[str, dict]]:
    """Every region's aggregates (the national dashboard): the consolidation by region."""
    return consolidation(Market.objects.all(), "region", year)

"""Observatory pages: a territory's figures (chart + table + XLSX/CSV export, like the
reviews), the opportunities (who to visit), the discrepancies with followed markets and a
buyer's page. Every view starts from `policies` (refused: 404)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from clauses.access.actors import Actor, actor_for_request
from clauses.core import spreadsheets
from clauses.desk.charts import HORIZONTAL, BarChart, bar_chart, describe, format_number
from clauses.observatory import policies, queries
from clauses.observatory.enums import SocialStatus
from clauses.observatory.forms import Territory, territory_from
from clauses.reporting import exports

PER_PAGE = 25
TABLE_COLUMNS = [
    "Contrats",
    "Avec considération sociale",
    "Part des contrats (%)",
    "Part des montants (%)",
    "Non renseigné",
]


def _export_percent(share: float | None) -> object:
    """A share as a percentage cell (« 45,7 % ») in the XLSX, « 45,7% » in the CSV."""
    return "" if share is None else spreadsheets.share(share)


@dataclass
class Table:
    key: str
    title: str
    label_header: str
    rows: list[queries.BreakdownRow]
    chart: BarChart

    @property
    def export_rows(self) -> list[list[object]]:
        rows: list[list[object]] = [[self.label_header, *TABLE_COLUMNS]]
        for row in self.rows:
            f = row.figures
            rows.append(
                [row.label, f.contracts, f.with_social, _export_percent(f.share),
                 _export_percent(f.amount_share), f.unknown]
            )  # fmt: skip
        return rows


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for_request(request)
    if not policies.can_use_observatory(actor):
        raise Http404("L'observatoire est réservé au réseau des facilitateurs.")
    return actor


def _scope(request: HttpRequest, actor: Actor) -> tuple[object, Territory, int, object]:
    form, territory, year = territory_from(
        request.GET, default_department=policies.default_department(actor)
    )
    contracts = queries.in_scope(
        policies.visible_published_contracts(actor),
        department=territory.department,
        region=territory.region,
        year=year,
    )
    return form, territory, year, contracts


def _tables(contracts: object) -> list[Table]:
    tables = []
    for key, (_, title, header) in queries.BREAKDOWNS.items():
        rows = queries.breakdown(contracts, key)  # type: ignore[arg-type]
        items = [(row.label, round((row.figures.share or 0) * 100, 1)) for row in rows]
        chart = bar_chart(
            items,
            title=f"Part des contrats avec une considération sociale — {title.lower()}",
            description=describe(items, "%"),
            orientation=HORIZONTAL,
            unit="%",
        )
        tables.append(Table(key, title, header, rows, chart))
    return tables


def _count(value: int) -> spreadsheets.Number:
    return spreadsheets.count(value, format_number(value))


def _share(value: float | None) -> spreadsheets.Number:
    return spreadsheets.share(value, queries.percent(value))


def _figures(summary: queries.Figures) -> list[tuple[str, str]]:
    """(label, figure): the page's text, and a number with its format in the exports."""
    return [
        ("Contrats publiés", _count(summary.contracts)),
        ("Avec une considération sociale", _count(summary.with_social)),
        ("Part des contrats (réponse connue)", _share(summary.share)),
        ("Part des montants (réponse connue)", _share(summary.amount_share)),
        ("Non renseigné (format 2019, champ absent)", _count(summary.unknown)),
    ]


def _query(territory: Territory, year: int) -> str:
    value = territory.department or (f"region-{territory.region}" if territory.region else "")
    return urlencode({"territoire": value, "annee": year})


def index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form, territory, year, contracts = _scope(request, actor)
    summary = queries.summary(contracts)  # type: ignore[arg-type]
    return render(
        request,
        "observatory/index.html",
        {
            "form": form,
            "territory": territory,
            "year": year,
            "figures": _figures(summary),
            "tables": _tables(contracts),
            "columns": TABLE_COLUMNS,
            "query": _query(territory, year),
        },
    )


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """XLSX: the summary and every table (one sheet each), or `?tableau=<key>`; CSV: one
    table (default the summary)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404("Format inconnu.")
    actor = _actor(request)
    _, territory, year, contracts = _scope(request, actor)
    table = request.GET.get("tableau", "")
    if table and table != "synthese" and table not in queries.BREAKDOWNS:
        raise Http404("Tableau inconnu.")
    summary = queries.summary(contracts)  # type: ignore[arg-type]
    heading = [
        ["Observatoire de la commande publique (DECP)"],
        [f"{territory.label} — contrats notifiés en {year}"],
    ]
    synthesis = heading + [[label, value] for label, value in _figures(summary)]
    tables = [t for t in _tables(contracts) if not table or t.key == table]
    name = f"observatoire-{territory.slug}-{year}" + (f"-{table}" if table else "")
    if fmt == "xlsx":
        sheets = [] if table and table != "synthese" else [("Synthèse", synthesis)]
        sheets += [(t.title, t.export_rows) for t in tables]
        content = exports.to_xlsx(sheets)
        content_type = spreadsheets.XLSX_TYPE
    else:
        rows = synthesis if not table or table == "synthese" else tables[0].export_rows
        separator = exports.SEPARATORS.get(request.GET.get("separateur", ""), ";")
        content = exports.to_csv(rows, separator=separator)
        content_type = spreadsheets.CSV_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def opportunities(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form, territory, year, contracts = _scope(request, actor)
    rows = queries.opportunities(contracts, year)  # type: ignore[arg-type]
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    known = queries.buyer_names([row["buyer_siret"] for row in page.object_list])
    for row in page.object_list:
        row["name"] = known.get(row["buyer_siret"]) or row["name"]
    found = queries.thresholds(year)
    return render(
        request,
        "observatory/opportunities.html",
        {
            "form": form,
            "territory": territory,
            "year": year,
            "page": page,
            "thresholds": found,
            "works_threshold": format_number(float(found.works)),
            "services_threshold": format_number(float(found.supplies_services)),
            "query": _query(territory, year),
        },
    )


def discrepancies(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form, territory, year, contracts = _scope(request, actor)
    followed = queries.followed_without_published_clause(
        policies.followed_markets(actor),
        contracts,  # type: ignore[arg-type]
    )
    unfollowed = queries.published_clause_not_followed(contracts)  # type: ignore[arg-type]
    followed_page = Paginator(followed, PER_PAGE).get_page(request.GET.get("page_suivis"))
    unfollowed_page = Paginator(unfollowed, PER_PAGE).get_page(request.GET.get("page_publies"))
    unfollowed_page.object_list = list(unfollowed_page.object_list)
    known = queries.buyer_names([c.buyer_siret for c in unfollowed_page.object_list])
    for contract in unfollowed_page.object_list:
        contract.display_name = (
            known.get(contract.buyer_siret) or contract.buyer_name or contract.buyer_siret
        )
    return render(
        request,
        "observatory/discrepancies.html",
        {
            "form": form,
            "territory": territory,
            "year": year,
            "followed_page": followed_page,
            "unfollowed_page": unfollowed_page,
            "query": _query(territory, year),
        },
    )


def buyer(request: HttpRequest, siret: str) -> HttpResponse:
    actor = _actor(request)
    if not (siret.isdigit() and len(siret) in (9, 14)):
        raise Http404("Identifiant d'acheteur inconnu.")
    contracts = policies.visible_published_contracts(actor).of_buyer(siret)
    summary = queries.summary(contracts)
    if not summary.contracts:
        raise Http404("Aucun contrat publié pour cet acheteur.")
    name = (
        queries.buyer_names([siret]).get(siret)
        or contracts.exclude(buyer_name="").values_list("buyer_name", flat=True).first()
        or f"Acheteur {siret}"
    )
    page = Paginator(contracts.order_by("-notification_date", "uid"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    markets = list(queries.followed_for_buyer(policies.followed_markets(actor), siret)[:50])
    published = queries.published_status_by_market(markets)
    followed = [
        {
            "market": market,
            "publication": published.get(market.pk),
            "yes": SocialStatus.YES,
        }
        for market in markets
    ]
    return render(
        request,
        "observatory/buyer.html",
        {
            "siret": siret,
            "name": name,
            "figures": _figures(summary),
            "page": page,
            "followed": followed,
            "national": actor.is_national,
        },
    )

"""Report pages, PDF and exports. Every view starts from `policies` (a report the actor may
not read answers 404) and every download writes an audit event (action "export")."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from clauses.access import audit
from clauses.access.actors import actor_for_request
from clauses.access.enums import AuditAction
from clauses.accounts.models import Organisation
from clauses.core import spreadsheets
from clauses.reporting import exports, masking, pdf, policies, reports
from clauses.reporting.forms import period_from


def _audit_export(request: HttpRequest, what: str, details: dict) -> None:
    actor = actor_for_request(request)
    organisation = None
    if details.get("kind") == policies.BUYER:
        organisation = Organisation.objects.filter(pk=details["key"]).first()
    audit.record(
        actor,
        AuditAction.EXPORT,
        organisation,
        changes={"export": what, **details},
        request=request,
        territory=details.get("territory", ""),
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def index(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.can_use_reports(actor):
        raise Http404("Aucun bilan pour ce compte.")
    return render(
        request,
        "reporting/index.html",
        {
            "links": policies.available_reviews(actor),
            "kind_labels": policies.KIND_LABELS,
            "national": policies.can_view_national(actor),
            "regional": policies.regional_dashboard_region(actor),
            "consolidation": policies.consolidation_scope(actor) is not None,
            "year": timezone.localdate().year - 1,
        },
    )


def _scope(request: HttpRequest, kind: str, key: str) -> policies.Scope:
    scope = policies.scope_for(actor_for_request(request), kind, key)
    if scope is None:
        raise Http404("Bilan introuvable.")
    return scope


def _market(request: HttpRequest, scope: policies.Scope):  # noqa: ANN202
    market_id = request.GET.get("marche", "")
    if not market_id:
        return None
    market = scope.markets.filter(pk=market_id).first() if market_id.isdigit() else None
    if market is None:
        raise Http404("Marché introuvable.")
    return market


def clause_report(request: HttpRequest, key: str) -> HttpResponse:
    scope = _scope(request, policies.BUYER, key)
    form, period = period_from(request.GET)
    market = _market(request, scope)
    report = reports.clause_report(scope, period, market=market)
    return render(
        request,
        "reporting/clause_report.html",
        {
            "report": report,
            "scope": scope,
            "form": form,
            "market": market,
            "markets": scope.markets.order_by("reference").only("pk", "reference", "subject"),
            "query": request.GET.urlencode(),
        },
    )


def clause_report_pdf(request: HttpRequest, key: str) -> HttpResponse:
    scope = _scope(request, policies.BUYER, key)
    _, period = period_from(request.GET)
    market = _market(request, scope)
    report = reports.clause_report(scope, period, market=market)
    content = pdf.report_pdf(report, base_url=request.build_absolute_uri("/"))
    _audit_export(
        request,
        "clause_report_pdf",
        {"kind": scope.kind, "key": scope.key, "period": period.slug,
         "market": market.pk if market else None},
    )  # fmt: skip
    return _download(content, "application/pdf", f"rapport-clause-{scope.key}-{period.slug}.pdf")


def review(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    scope = _scope(request, kind, key)
    form, period = period_from(request.GET)
    report = reports.review(scope, period)
    return render(
        request,
        "reporting/review.html",
        {
            "report": report,
            "scope": scope,
            "form": form,
            "query": request.GET.urlencode(),
            "market": None,
            "live": False,
        },
    )


def review_export(request: HttpRequest, kind: str, key: str, fmt: str) -> HttpResponse:
    """XLSX: every table (one sheet each) or `?tableau=<key>`; CSV: one table (default the
    summary), `?separateur=virgule` for a comma."""
    if fmt not in ("xlsx", "csv"):
        raise Http404("Format inconnu.")
    scope = _scope(request, kind, key)
    _, period = period_from(request.GET)
    report = reports.review(scope, period)
    table = request.GET.get("tableau", "")
    if table and table != "synthese" and table not in {t.key for t in report.tables}:
        raise Http404("Tableau inconnu.")
    name = f"bilan-{kind}-{key}-{period.slug}" + (f"-{table}" if table else "")
    if fmt == "xlsx":
        keys = [table] if table and table != "synthese" else None
        content = exports.report_xlsx(report, keys)
        response = _download(content, spreadsheets.XLSX_TYPE, f"{name}.xlsx")
    else:
        separator = exports.SEPARATORS.get(request.GET.get("separateur", ""), ";")
        content = exports.report_csv(report, table or "synthese", separator=separator)
        response = _download(content, spreadsheets.CSV_TYPE, f"{name}.csv")
    territory = key if kind == policies.DEPARTMENT else ""
    _audit_export(
        request,
        f"review_{fmt}",
        {"kind": kind, "key": key, "period": period.slug, "table": table or "all",
         "territory": territory},
    )  # fmt: skip
    return response


def dashboard(request: HttpRequest) -> HttpResponse:
    """Live figures (last 12 months): the regional coordination's review of its region;
    the national coordination's aggregates of every region (grouped by region)."""
    actor = actor_for_request(request)
    form, period = period_from(request.GET)
    if policies.can_view_national(actor):
        year = period.end.year
        columns = exports.CONSOLIDATION_COLUMNS
        rows = [
            (label, {"cells": [values.get(key, 0) for key, _ in columns]})
            for label, values in reports.national_rows(year)
        ]
        return render(
            request,
            "reporting/national.html",
            {"rows": rows, "columns": columns, "year": year, "min_count": masking.threshold()},
        )
    region = policies.regional_dashboard_region(actor)
    if region is None:
        raise Http404("Tableau de bord réservé aux coordinations régionale et nationale.")
    scope = policies.region_scope(actor, region.code, region=region)
    if scope is None:
        raise Http404("Bilan introuvable.")
    report = reports.review(scope, period)
    return render(
        request,
        "reporting/review.html",
        {"report": report, "scope": scope, "form": form, "query": request.GET.urlencode(),
         "live": True, "market": None},
    )  # fmt: skip


def consolidation(request: HttpRequest, year: int) -> HttpResponse:
    actor = actor_for_request(request)
    found = policies.consolidation_scope(actor)
    if found is None or not 2000 <= year <= 2100:
        raise Http404("Consolidation réservée aux coordinations régionale et nationale.")
    markets, group = found
    rows = reports.consolidation(markets, group, year)
    title = "Consolidation annuelle des clauses sociales"
    content = exports.consolidation_xlsx(title, year, rows, edited=timezone.localdate())
    _audit_export(request, "consolidation_xlsx", {"year": year, "group": group})
    return _download(content, spreadsheets.XLSX_TYPE, f"consolidation-clauses-{year}.xlsx")


def export_url(kind: str, key: str, fmt: str) -> str:
    return reverse("reporting:review_export", args=[kind, key, fmt])

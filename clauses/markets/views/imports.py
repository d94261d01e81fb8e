"""Import of a buyer's markets from a spreadsheet, and its template."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from clauses.access.actors import actor_for_request
from clauses.accounts.models import Organisation
from clauses.markets import imports
from clauses.markets.forms import (
    ImportForm,
)
from clauses.markets.views.common import XLSX, _buyers_for, _file, _posted, _require_market_author

# ---------------------------------------------------------------------------------------
# Import of a buyer's markets


def import_markets(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    _require_market_author(actor)
    buyers = _buyers_for(actor)
    form = ImportForm(
        _posted(request), request.FILES if request.method == "POST" else None, buyers=buyers
    )
    report = None
    if request.method == "POST" and form.is_valid():
        buyer = form.cleaned_data.get("buyer") or get_object_or_404(
            Organisation, pk=actor.organisation_id
        )
        upload = form.cleaned_data["file"]
        report = imports.import_markets(
            buyer=buyer, file=upload.read(), actor=actor, name=upload.name
        )
        if report.ok:
            messages.success(request, report.summary())
    status = 400 if form.errors or (report is not None and not report.ok) else 200
    return render(
        request,
        "markets/import.html",
        {"form": form, "report": report, "columns": imports.COLUMNS},
        status=status,
    )


@require_GET
def import_template(request: HttpRequest, extension: str) -> HttpResponse:
    _require_market_author(actor_for_request(request))
    if extension not in ("csv", "xlsx"):
        raise Http404("Modèle inconnu.")
    if extension == "csv":
        return _file(imports.template_csv(), "text/csv; charset=utf-8", "modele-import-marches.csv")
    return _file(imports.template_xlsx(), XLSX, "modele-import-marches.xlsx")

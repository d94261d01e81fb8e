from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clauses.territories.models import CpvCode

SUGGESTIONS = 10


@login_not_required
@require_GET
def cpv_search(request: HttpRequest) -> HttpResponse:
    """CPV suggestions (htmx partial): the `<option>`s of the `<datalist>` of a CPV field,
    from a code begun or words of its label (`q`, or the field's own name `cpv` when htmx
    sends the input). The nomenclature is public reference data, hence no login.

    Each option's value is "45210000 – label": choosing one fills the field with the code
    first, which the form reads (its first eight digits)."""
    query = (request.GET.get("q") or request.GET.get("cpv") or "")[:100]
    codes = list(CpvCode.objects.search(query)[:SUGGESTIONS]) if query.strip() else []
    return render(request, "territories/cpv_suggestions.html", {"codes": codes, "q": query})

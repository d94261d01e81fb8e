from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clauses.territories.models import Commune

SUGGESTIONS = 10


@login_not_required
def commune_search(request: HttpRequest) -> HttpResponse:
    """Autocomplete suggestions (htmx partial) for a commune or postcode field."""
    query = request.GET.get("q", "")[:100]
    communes = list(Commune.objects.search(query).with_department()[:SUGGESTIONS])
    return render(
        request, "territories/commune_suggestions.html", {"communes": communes, "q": query}
    )

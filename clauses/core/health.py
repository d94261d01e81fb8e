"""`/sante/`: the server answers, reading no database (#15).

For a load balancer's health check, and the ceiling row of the HTTP benchmark: the same
middleware as every page, no query, no template — what the framework costs by itself."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")

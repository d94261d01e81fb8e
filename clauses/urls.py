from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from clauses.api import api
from clauses.core import errors
from clauses.core.health import health
from clauses.site import sections

# French error pages in DSFR, French JSON under /api/ (#11).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error


def _public(patterns: list) -> list:
    """The API authenticates on its own (tokens, or none for public endpoints)."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _public(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


api_patterns, api_app_name, api_namespace = api.urls

urlpatterns = [
    path("", include("clauses.site.urls")),
    path("sante/", health, name="health"),  # no database: load balancers, bench ceiling
    # Each section's address is a page listing what it holds for the visitor (#12.13).
    path("guichet/", sections.desk_index, name="section_desk"),
    path("suivi/", sections.followup_index, name="section_followup"),
    path("heures/", sections.hours_index, name="section_hours"),
    path("acces/", sections.access_index, name="section_access"),
    path("territoires/", include("clauses.territories.urls")),
    path("reseau/", include("clauses.network.urls")),
    path("compte/", include("clauses.accounts.urls")),
    path("guichet/", include("clauses.desk.urls")),
    path("marches/", include("clauses.markets.urls")),
    path("suivi/", include("clauses.followup.urls")),
    path("acces/", include("clauses.access.urls")),
    path("bilans/", include("clauses.reporting.urls")),
    path("heures/", include("clauses.hours.urls")),
    path("historique/", include("clauses.history.urls")),
    path("programmation/", include("clauses.programme.urls")),
    path("observatoire/", include("clauses.observatory.urls")),
    path("notifications/", include("clauses.notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((_public(api_patterns), api_app_name), namespace=api_namespace)),
    # The address the documentation gives for the API docs; the versioned page is canonical.
    path(
        "api/docs",
        login_not_required(RedirectView.as_view(pattern_name="api:openapi-view")),
        name="api-docs",
    ),
]

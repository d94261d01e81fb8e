from urllib.parse import quote

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clauses.access.actors import actor_for_request
from clauses.core.pagecache import cached_public_page
from clauses.network.models import Coordination
from clauses.network.selectors import department_table
from clauses.site import homes

# The two desks of the regional coordination (seed document), until the data carries them.
SOCIAL_DESK_EMAIL = "macs@maximilien.fr"
GREEN_DESK_EMAIL = "guichetvert@maximilien.fr"


@login_not_required
@cached_public_page
def home(request: HttpRequest) -> HttpResponse:
    """A signed-in person lands on their role's home (#12.10); everyone else (and
    `?presentation=1`) reads the public presentation."""
    if request.user.is_authenticated and not request.GET.get("presentation"):
        actor = actor_for_request(request)
        sections = homes.home_sections(actor)
        if sections is not None:
            return render(
                request,
                "site/role_home.html",
                {
                    "sections": sections,
                    "membership": getattr(request, "membership", None),
                    "unread": homes.latest_notifications(request.user),
                },
            )
    return presentation(request)


def presentation(request: HttpRequest) -> HttpResponse:
    """What social clauses are, the facilitators' missions, the network with its live
    numbers (one aggregate query), the good practices and the two desks."""
    table = department_table()
    regional = Coordination.objects.regional().only("desk_email", "green_desk_email").first()
    social_desk = (regional and regional.desk_email) or SOCIAL_DESK_EMAIL
    subject = quote("Demande d'accompagnement clauses sociales")
    return render(
        request,
        "site/home.html",
        {
            "total_facilitators": table.total_facilitators,
            "total_structures": table.total_structures,
            "departmental_count": sum(1 for row in table.rows if row.coordination),
            "social_desk_email": social_desk,
            "social_desk_mailto": f"mailto:{social_desk}?subject={subject}",
            "green_desk_email": (regional and regional.green_desk_email) or GREEN_DESK_EMAIL,
        },
    )

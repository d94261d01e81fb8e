from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """Values every page needs: site identity and demo mode (no database query)."""
    return {
        "SITE_NAME": settings.CLAUSES_SITE_NAME,
        "SITE_TAGLINE": settings.CLAUSES_SITE_TAGLINE,
        "DEMO_MODE": settings.DEMO_MODE,
    }

"""The scheduled import (django-tasks): `import_published_contracts` fetches the file at
`CLAUSES_DECP_URL` and imports it. Enqueue it from a scheduler (cron, systemd timer) once a
day — the consolidated DECP are republished daily; `manage.py import_decp --file F
--wet-run` does the same from a local file."""

from django.conf import settings
from django_tasks import task

from clauses.observatory import services


@task()
def import_published_contracts(url: str = "") -> dict:
    """Import the configured DECP file; returns the report's counts and its lines."""
    url = url or settings.CLAUSES_DECP_URL
    if not url:
        return {"skipped": True, "lines": ["CLAUSES_DECP_URL n'est pas réglé : rien à importer."]}
    report = services.fetch_and_import(url, wet_run=True)
    return {
        "skipped": False,
        "read": report.read,
        "created": report.created,
        "updated": report.updated,
        "rejected": report.skipped,
        "lines": report.lines(),
    }

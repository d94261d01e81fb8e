"""The observatory's demo: `data/decp/demo/decp_demo.json`, contracts of the demo buyers in
the 2024 format (official schema, every required field), imported like any DECP file, and
the demo markets that are the same contracts linked by their DECP identifier.

The file's notification dates are in 2025; the demo moves them to last year (the year the
observatory opens on), so the demo stays readable whatever today is.

What the file shows, for the demo buyers of Seine-Saint-Denis, Paris, Hauts-de-Seine and
Val-de-Marne (23 contracts):
- published with a clause and followed: 2025DSS0002, 0012, 0022 (Ville de Démo-sur-Seine),
  2025DH0001, 0003 (Démo Habitat), 2025CD0010 (reserved, Département), 2025ETAT0016,
  2025PDH0017, 2025VDH0018, 2025VAL0019, 0020;
- one discrepancy each way: 2025DSS0005 is followed with an insertion clause
  (DEMO-2026-005) but published « Pas de considération sociale » (and modified once: the
  latest amount and duration count); 2025DSS0103 is published « Marché réservé » and followed
  by nobody;
- opportunities (above the European thresholds, no social consideration): 2025DH0050
  (works, 6 M€), 2025CD0200 (transport), 2025CD-DSP01 (a concession, 12 M€), 2025DSS0101,
  2025VDH0400;
- smaller contracts without one, « Sans objet » included.
"""

import json
import tempfile
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.utils import timezone

from clauses.markets.models import Market
from clauses.observatory import services
from clauses.observatory.models import PublishedContract

DEMO_FILE = Path(settings.DATA_DIR) / "decp" / "demo" / "decp_demo.json"
BASE_YEAR = 2025
SOURCE = "démo"
# market reference → DECP id of its publication
LINKS = {
    "DEMO-2026-001": "2025DH0001",
    "DEMO-2026-002": "2025DSS0002",
    "DEMO-2026-003": "2025DH0003",
    "DEMO-2026-005": "2025DSS0005",
    "DEMO-2026-010": "2025CD0010",
    "DEMO-2026-012": "2025DSS0012",
    "DEMO-2026-016": "2025ETAT0016",
    "DEMO-2026-017": "2025PDH0017",
    "DEMO-2026-018": "2025VDH0018",
    "DEMO-2026-019": "2025VAL0019",
    "DEMO-2026-020": "2025VAL0020",
    "DEMO-2026-022": "2025DSS0022",
}
DATE_KEYS = (
    "dateNotification",
    "datePublicationDonnees",
    "dateSignature",
    "dateDebutExecution",
    "dateNotificationModification",
    "datePublicationDonneesModification",
)


def _shift(node: object, years: int) -> object:
    if isinstance(node, dict):
        return {
            key: (
                f"{int(value[:4]) + years}{value[4:]}"
                if key in DATE_KEYS and isinstance(value, str) and value[:4].isdigit()
                else _shift(value, years)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_shift(item, years) for item in node]
    return node


def seed(*, stdout: TextIO) -> None:
    years = timezone.localdate().year - 1 - BASE_YEAR
    data = _shift(json.loads(DEMO_FILE.read_text(encoding="utf-8")), years)
    PublishedContract.objects.filter(source=SOURCE).delete()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "decp_demo.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        report = services.import_file(path, wet_run=True, source=SOURCE)
    linked = 0
    for reference, decp_id in LINKS.items():
        linked += Market.objects.filter(is_demo=True, reference=reference).update(decp_id=decp_id)
    stdout.write(
        f"Observatoire : {report.created + report.updated} contrats publiés (DECP) de "
        f"démonstration, {linked} marchés suivis rapprochés de leur publication.\n"
    )

"""Load the real skeleton of the facilitation network (dry run unless --wet-run).

Sources: the seed document « Les incontournables de l'achat responsable #17 » (GIP
Maximilien, June 2026) and its table `data/network/idf_network_2026.csv` (see
data/network/README.md). Rows: the national coordination, the regional coordination of
Île-de-France and the 8 departmental coordinations. Natural key: (level, region, département).

Demo rows (`is_demo`) and rows added by hand (local coordinations…) are never touched; a
coordination missing from the sources is reported, never deleted.
"""

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from clauses.core.loading import Diff, LoadError, ReferenceLoaderCommand
from clauses.network.enums import CoordinationLevel
from clauses.network.loading import sync_with_history
from clauses.territories.models import Department, Region

NATIONAL_NAME = "Alliance Villes Emploi"
REGIONAL_NAME = "GIP Maximilien (MACS)"
REGION_CODE = "11"
CSV_COLUMNS = {"dep_code", "dep_nom", "coordination_departementale", "facilitateurs", "structures"}

_BLANK = {
    "email": "",
    "desk_email": "",
    "green_desk_email": "",
    "mission": "",
    "since_year": None,
    "funders": "",
    "description": "",
    "region": None,
    "department": None,
    "parent": None,
}


def network_csv() -> Path:
    return Path(settings.DATA_DIR) / "network" / "idf_network_2026.csv"


def read_departmental(path: Path) -> list[dict[str, str]]:
    """The departmental lines of the seed table, checked (French errors with line numbers)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = CSV_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise LoadError(f"{path.name} : colonnes manquantes : {', '.join(sorted(missing))}.")
        lines = []
        for line, row in enumerate(reader, start=2):
            if not row["dep_code"].strip() or not row["coordination_departementale"].strip():
                raise LoadError(f"{path.name}, ligne {line} : département ou porteur vide.")
            lines.append({k: (v or "").strip() for k, v in row.items()})
    return lines


def skeleton_rows(departmental: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The rows of the coordinations table, as `sync_table` wants them."""
    national = {
        **_BLANK,
        "level": CoordinationLevel.NATIONAL.value,
        "name": NATIONAL_NAME,
        "carrier_name": NATIONAL_NAME,
        "mission": "Coordination nationale des facilitateurs des clauses sociales",
        "description": (
            "Coordination nationale des facilitateurs mise en place dans le cadre du PNAD "
            "(Plan national pour des achats durables), animée par Alliance Villes Emploi."
        ),
    }
    regional = {
        **_BLANK,
        "level": CoordinationLevel.REGIONAL.value,
        "name": REGIONAL_NAME,
        "carrier_name": "GIP Maximilien",
        "mission": "Mission d'appui au développement des clauses sociales (MACS)",
        "since_year": 2016,
        "funders": "DRIETS Île-de-France, Fonds social européen (FSE)",
        "description": (
            "Coordination régionale des clauses sociales d'Île-de-France, assurée par le GIP "
            "Maximilien via la MACS, mission confiée par l'État. Elle coordonne le réseau "
            "francilien des facilitateurs en s'appuyant sur les coordinations départementales "
            "et anime le Guichet Régional des Clauses Sociales."
        ),
        "email": "macs@maximilien.fr",
        "desk_email": "macs@maximilien.fr",
        "green_desk_email": "guichetvert@maximilien.fr",
        "region": REGION_CODE,
        "parent": NATIONAL_NAME,
    }
    rows = [national, regional]
    for line in departmental:
        rows.append(
            {
                **_BLANK,
                "level": CoordinationLevel.DEPARTMENTAL.value,
                "name": line["coordination_departementale"],
                "carrier_name": line["coordination_departementale"],
                "description": (
                    f"Coordination départementale des facilitateurs — {line['dep_nom']}."
                ),
                "region": REGION_CODE,
                "department": line["dep_code"],
                "parent": REGIONAL_NAME,
            }
        )
    return rows


class Command(ReferenceLoaderCommand):
    help = (
        "Charge le squelette réel du réseau : coordination nationale, régionale (Île-de-France) "
        "et les 8 coordinations départementales. Simulation sans --wet-run."
    )

    def load(self, *, wet_run: bool, **options: Any) -> Iterable[Diff]:
        from clauses.network.models import Coordination

        departmental = read_departmental(network_csv())
        known = set(Department.objects.values_list("code", flat=True))
        for index, line in enumerate(departmental, start=2):
            if line["dep_code"] not in known:
                raise LoadError(
                    f"{network_csv().name}, ligne {index} : département « {line['dep_code']} » "
                    "inconnu (chargez d'abord les territoires : load_territories)."
                )
        if not Region.objects.filter(code=REGION_CODE).exists():
            raise LoadError(f"Région {REGION_CODE} inconnue : chargez d'abord les territoires.")
        diff = sync_with_history(
            Coordination,
            ("level", "region", "department"),
            skeleton_rows(departmental),
            wet_run=wet_run,
            stdout=self.out,
            references={"region": "code", "department": "code", "parent": "name"},
            label="coordinations",
            reason="Chargement du squelette du réseau (load_network)",
        )
        return [diff]

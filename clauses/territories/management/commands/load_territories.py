"""Load Île-de-France: region, départements, EPCI, EPT, communes, contours and postcodes.

Reads `data/geo/` (see data/README.md). Dry run unless `--wet-run`; idempotent.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from clauses.core.loading import (
    Diff,
    LoadError,
    ReferenceLoaderCommand,
    read_csv,
    read_geojson_features,
    sync_table,
)
from clauses.core.text import fold
from clauses.territories.enums import CommuneKind
from clauses.territories.models import (
    Commune,
    CommuneShape,
    Department,
    Epci,
    Ept,
    PostalCode,
    Region,
)

COMMUNE_KINDS = {
    "commune": CommuneKind.COMMUNE,
    "arrondissement_municipal": CommuneKind.MUNICIPAL_ARRONDISSEMENT,
}


def _float(value: str) -> float | None:
    return float(value) if value else None


def _int(value: str) -> int:
    return int(value) if value else 0


def _geometries(path: Path, key: str) -> dict[str, dict[str, Any]]:
    """GeoJSON geometries by the value of property `key` (features without one skipped)."""
    return {
        feature["properties"][key]: feature["geometry"]
        for feature in read_geojson_features(path)
        if feature["properties"].get(key)
    }


def region_rows(departments: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Regions named in the départements file."""
    return [
        {"code": code, "name": name}
        for code, name in sorted({(d["region_code"], d["region_nom"]) for d in departments})
    ]


def department_rows(geo: Path) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The départements file as read, and as rows for `Department`."""
    raw = read_csv(
        geo / "departements_idf.csv",
        ["dep_code", "nom", "chef_lieu_code", "chef_lieu_nom", "region_code", "region_nom"],
    )
    shapes = _geometries(geo / "departements_idf.geojson", "code")
    rows = [
        {
            "code": d["dep_code"],
            "name": d["nom"],
            "region": d["region_code"],
            "prefecture_code": d["chef_lieu_code"],
            "prefecture_name": d["chef_lieu_nom"],
            "population": _int(d["population"]),
            "lat": _float(d["lat"]),
            "lon": _float(d["lon"]),
            "geometry": shapes.get(d["dep_code"]),
        }
        for d in raw
    ]
    return raw, rows


def epci_rows(geo: Path) -> list[dict[str, Any]]:
    """Rows for `Epci`."""
    raw = read_csv(
        geo / "epci_idf.csv",
        ["epci_siren", "nom", "type", "population_municipale", "nb_communes", "departements"],
    )
    return [
        {
            "siren": e["epci_siren"],
            "name": e["nom"],
            "kind": e["type"],
            "population": _int(e["population_municipale"]),
            "member_count": _int(e["nb_communes"]),
            "department_codes": e["departements"],
        }
        for e in raw
    ]


def ept_rows(geo: Path) -> list[dict[str, Any]]:
    """Rows for `Ept` (the Paris feature of the GeoJSON, without SIREN, is not an EPT)."""
    raw = read_csv(
        geo / "ept_idf.csv", ["ept_siren", "nom", "population_municipale", "departements"]
    )
    shapes = _geometries(geo / "ept_idf.geojson", "ept_siren")
    return [
        {
            "siren": e["ept_siren"],
            "name": e["nom"],
            "population": _int(e["population_municipale"]),
            "department_codes": e["departements"],
            "geometry": shapes.get(e["ept_siren"]),
        }
        for e in raw
    ]


def commune_rows(geo: Path) -> list[dict[str, Any]]:
    """Rows for `Commune`, arrondissements municipaux included."""
    raw = read_csv(
        geo / "communes_idf.csv",
        [
            "code_insee",
            "nom",
            "type",
            "commune_parent",
            "dep_code",
            "siren",
            "epci_siren",
            "ept_siren",
            "population",
            "codes_postaux",
            "lat",
            "lon",
        ],
    )
    rows = []
    for line, c in enumerate(raw, start=2):
        if c["type"] not in COMMUNE_KINDS:
            raise LoadError(f"communes_idf.csv, ligne {line}, colonne type : « {c['type']} ».")
        rows.append(
            {
                "insee": c["code_insee"],
                "name": c["nom"],
                "search_name": fold(c["nom"]),
                "kind": COMMUNE_KINDS[c["type"]].value,
                "parent": c["commune_parent"] or None,
                "department": c["dep_code"],
                "epci": c["epci_siren"] or None,
                "ept": c["ept_siren"] or None,
                "siren": c["siren"],
                "population": _int(c["population"]),
                "postcodes": c["codes_postaux"],
                "lat": _float(c["lat"]),
                "lon": _float(c["lon"]),
            }
        )
    return rows


def shape_rows(geo: Path) -> list[dict[str, Any]]:
    """Rows for `CommuneShape` (no contour for the Paris arrondissements)."""
    shapes = _geometries(geo / "communes_idf.geojson", "code")
    return [{"commune": insee, "geometry": shapes[insee]} for insee in sorted(shapes)]


def postcode_rows(geo: Path) -> list[dict[str, Any]]:
    """Rows for `PostalCode`: one per (postcode, commune) pair."""
    raw = read_csv(geo / "codes_postaux_idf.csv", ["code_postal", "code_insee"])
    return [{"code": p["code_postal"], "commune": p["code_insee"]} for p in raw]


class Command(ReferenceLoaderCommand):
    help = (
        "Charge les territoires d'Île-de-France (région, départements, EPCI, EPT, communes, "
        "contours, codes postaux) depuis data/geo/. Simulation sans --wet-run."
    )

    def load(self, *, wet_run: bool, **options: Any) -> Iterable[Diff]:
        geo = Path(settings.DATA_DIR) / "geo"
        raw_departments, departments = department_rows(geo)
        # Read and check every file before writing anything.
        tables = [
            (Region, "code", region_rows(raw_departments), {}),
            (Department, "code", departments, {"region": "code"}),
            (Epci, "siren", epci_rows(geo), {}),
            (Ept, "siren", ept_rows(geo), {}),
            (
                Commune,
                "insee",
                commune_rows(geo),
                {"parent": "insee", "department": "code", "epci": "siren", "ept": "siren"},
            ),
            (CommuneShape, "commune", shape_rows(geo), {"commune": "insee"}),
            (PostalCode, ("code", "commune"), postcode_rows(geo), {"commune": "insee"}),
        ]
        return [
            sync_table(model, key, rows, references=refs, wet_run=wet_run, stdout=self.out)
            for model, key, rows, refs in tables
        ]

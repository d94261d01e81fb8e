# ruff: noqa: S311 — synthetic data (not cryptography)
"""Territories: the real Île-de-France communes, and the synthetic regions, départements and
communes of the national scale (see the package docstring)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.dataset.common import REGION_WORDS, SUFFIXES, SYNTHETIC_DEPARTMENT_CODES
from bench.dataset.sink import Ids

if TYPE_CHECKING:
    from bench.dataset.generator import Generator

COMMUNE_COLUMNS = (
    "id",
    "insee",
    "name",
    "search_name",
    "kind",
    "department_id",
    "population",
    "postcodes",
)


def generate(g: Generator) -> None:
    from clauses.territories.models import Commune, Department, Region

    _real(g)
    g.synthetic_regions = []
    s = g.scale
    if not s.synthetic_regions:
        return
    ids = (Ids(Region), Ids(Department), Ids(Commune))
    tables = (
        g.sink.table(Region, ("id", "code", "name")),
        g.sink.table(Department, ("id", "code", "name", "region_id", "population")),
        g.sink.table(Commune, COMMUNE_COLUMNS),
    )
    serial = 0
    for r in range(s.synthetic_regions):
        region_id = ids[0]()
        word = REGION_WORDS[r % len(REGION_WORDS)]
        tables[0].add(region_id, f"R{r + 1:02d}", f"Région synthétique {r + 1:02d} ({word})")
        g.synthetic_regions.append(region_id)
        for d in range(s.departments_per_region):
            number = r * s.departments_per_region + d + 1
            serial = _department(g, ids, tables, number, region_id, word, serial)
    g.sink.flush(Region)
    g.sink.flush(Department)
    g.sink.flush(Commune)
    g.progress(
        f"territories: {s.synthetic_regions} synthetic regions, "
        f"{s.synthetic_regions * s.departments_per_region} départements, {serial} communes"
    )


def _real(g: Generator) -> None:
    """The real communes and départements of the reference data."""
    from clauses.territories.models import Commune, Department

    idf = list(
        Commune.objects.filter(parent__isnull=True)
        .order_by("insee")
        .values_list("pk", "insee", "name", "population", "department_id")
    )
    g.idf_communes = idf
    g.departments = {
        d["pk"]: {**d, "synthetic": False, "communes": []}
        for d in Department.objects.values("pk", "code", "region_id")
    }
    for pk, insee, _name, population, dept in idf:
        g.departments[dept]["communes"].append((pk, insee, max(population, 50)))


def _department(
    g: Generator, ids: tuple, tables: tuple, number: int, region_id: int, word: str, serial: int
) -> int:
    """One synthetic département and its communes; returns the communes' serial so far."""
    from clauses.core.text import fold

    _region_ids, dept_ids, commune_ids = ids
    _regions, departments, communes = tables
    idf, rng = g.idf_communes, g.rng
    dept_id = dept_ids()
    code = SYNTHETIC_DEPARTMENT_CODES[number - 1]
    suffix = SUFFIXES[(number - 1) % len(SUFFIXES)]
    rows = []
    for k in range(g.scale.communes_per_department):
        _pk, _insee, name, population, _dept = idf[(serial * 7 + 3) % len(idf)]
        serial += 1
        population = max(50, int(population * rng.uniform(0.2, 0.9)))
        insee = f"{code}{k + 1:03d}"
        commune_id = commune_ids()
        label = f"{name}-{suffix}"
        communes.add(
            commune_id, insee, label, fold(label), "commune", dept_id, population,
            f"{code}{k % 10}00",
        )  # fmt: skip
        rows.append((commune_id, insee, population))
    departments.add(
        dept_id,
        code,
        f"Département synthétique {code} ({word})",
        region_id,
        sum(p for _, _, p in rows),
    )
    g.departments[dept_id] = {
        "pk": dept_id,
        "code": code,
        "region_id": region_id,
        "synthetic": True,
        "communes": rows,
    }
    return serial

# ruff: noqa: S311 — synthetic data (not cryptography)
"""Buyers and companies, spread over the départements by population, and the buyers bound
by an agreement to a structure of their département."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING

from bench.dataset.common import BUYER_CATEGORIES, aware, siret, weighted
from bench.dataset.sink import Ids

if TYPE_CHECKING:
    from bench.dataset.generator import Generator

ORGANISATION_COLUMNS = (
    "id",
    "kind",
    "name",
    "siret",
    "siren",
    "buyer_category",
    "department_id",
    "is_confirmed",
    "created_at",
)


def generate(g: Generator) -> None:
    from clauses.accounts.models import Organisation

    orgs = g.sink.table(Organisation, ORGANISATION_COLUMNS)
    sirets: set[str] = set()
    _buyers(g, orgs, sirets)
    _companies(g, orgs, sirets)
    g.sink.flush(Organisation)
    _agreements(g)
    # Buyers' weights: a few large buyers place most markets (Zipf-like).
    g.buyer_weights = list(
        itertools.accumulate(1.0 / (1 + (i % 97)) ** 0.8 for i in range(len(g.buyers)))
    )
    g.buyer_range = range(len(g.buyers))
    g.progress(f"organisations: {len(g.buyers)} buyers, {len(g.all_companies)} companies")


def _pick_departments(g: Generator, n: int) -> list[dict]:
    """n départements drawn by population, the scale's share of them in Île-de-France."""
    depts = list(g.departments.values())
    idf = [d for d in depts if not d["synthetic"]]
    synthetic = [d for d in depts if d["synthetic"]]

    def weight(d: dict) -> float:
        return float(sum(p for _, _, p in d["communes"]))

    n_idf = n if not synthetic else round(n * g.scale.idf_share)
    out = g.rng.choices(idf, weights=[weight(d) for d in idf], k=n_idf)
    if synthetic:
        out += g.rng.choices(synthetic, weights=[weight(d) for d in synthetic], k=n - n_idf)
    return out


def _new_siret(g: Generator, prefix: str, sirets: set[str]) -> str:
    value = siret(g.rng, prefix)
    while value in sirets:
        value = siret(g.rng, prefix)
    sirets.add(value)
    return value


def _buyers(g: Generator, orgs: object, sirets: set[str]) -> None:
    created = aware(g.first_month)
    g.buyers = []  # (id, department id, name, siret)
    g.buyers_by_dept = defaultdict(list)
    for i, dept in enumerate(_pick_departments(g, g.scale.buyers)):
        category = weighted(g.rng, BUYER_CATEGORIES)[0]
        value = _new_siret(g, "2", sirets)
        oid = g.org_ids()
        name = f"Acheteur {dept['code']}-{i + 1:05d} ({category})"
        orgs.add(oid, "buyer", name, value, value[:9], category, dept["pk"], True, created)
        g.buyers_by_dept[dept["pk"]].append(len(g.buyers))
        g.buyers.append((oid, dept["pk"], name, value))


def _companies(g: Generator, orgs: object, sirets: set[str]) -> None:
    created = aware(g.first_month)
    g.companies_by_dept = defaultdict(list)
    g.company_names = {}
    for i, dept in enumerate(_pick_departments(g, g.scale.companies)):
        value = _new_siret(g, "4", sirets)
        oid = g.org_ids()
        name = f"Entreprise {dept['code']}-{i + 1:05d}"
        orgs.add(oid, "company", name, value, value[:9], "", dept["pk"], True, created)
        g.companies_by_dept[dept["pk"]].append(oid)
        g.company_names[oid] = name
    g.all_companies = [c for cs in g.companies_by_dept.values() for c in cs]


def _agreements(g: Generator) -> None:
    """Buyers bound by an agreement to a structure of their département (≈ 3 %)."""
    from clauses.desk.models import BuyerAgreement

    structures_by_dept: dict[int, list[int]] = defaultdict(list)
    for info in g.structures.values():
        structures_by_dept[info.department_id].append(info.id)
    g.structures_by_dept = structures_by_dept
    agreements = g.sink.table(
        BuyerAgreement,
        ("id", "buyer_organisation_id", "buyer_siret", "structure_id", "valid_from", "note"),
    )
    agreement_ids = Ids(BuyerAgreement)
    g.agreements = {}
    for oid, dept, _name, value in g.buyers:
        if structures_by_dept.get(dept) and g.rng.random() < 0.03:
            sid = g.rng.choice(structures_by_dept[dept])
            agreements.add(agreement_ids(), oid, value, sid, g.first_month, "Convention")
            g.agreements[oid] = sid
    g.sink.flush(BuyerAgreement)

# ruff: noqa: S311 — synthetic data (not cryptography)
"""The network: the real coordinations and structures, the synthetic ones (coordinations,
structures covering blocks of communes, facilitators), and one organisation and one
facilitator account per structure."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from types import SimpleNamespace
from typing import TYPE_CHECKING

from bench.dataset.common import FIRST_NAMES, LAST_NAMES, aware
from bench.dataset.sink import Ids

if TYPE_CHECKING:
    from bench.dataset.generator import Generator

CARRIERS = ["maison_emploi", "plie", "collectivite", "intercommunalite", "association"]
COORDINATION_COLUMNS = (
    "id",
    "level",
    "name",
    "parent_id",
    "carrier_name",
    "region_id",
    "department_id",
    "email",
    "desk_email",
)
MEMBERSHIP_COLUMNS = (
    "id",
    "user_id",
    "organisation_id",
    "role",
    "facilitator_id",
    "is_confirmed",
    "is_active",
    "created_at",
)


def generate(g: Generator) -> None:
    from clauses.network.models import Coordination, Facilitator, FacilitatorStructure

    _real(g)
    t = _tables(g)
    g.synthetic_coverage = defaultdict(set)
    _synthetic_regionals(g, t)
    idf_counts = _idf_counts()
    for dept in g.departments.values():
        _department(g, t, dept, idf_counts)
    for model in (
        Coordination,
        FacilitatorStructure,
        FacilitatorStructure.communes.through,
        FacilitatorStructure.departments.through,
        Facilitator,
    ):
        g.sink.flush(model)
    _accounts(g)
    g.progress(f"network: {len(g.structures)} active structures")


def _real(g: Generator) -> None:
    """The reference network: coordinations by level, active structures and facilitators."""
    from bench.dataset.generator import StructureInfo
    from clauses.desk.selectors import coordination_target, structure_target
    from clauses.network.models import Coordination, Facilitator, FacilitatorStructure

    coordinations = list(Coordination.objects.all())
    g.national_coordination = next(c for c in coordinations if c.level == "national")
    g.national = coordination_target(g.national_coordination)
    g.regional = {c.region_id: c for c in coordinations if c.level == "regional" and c.region_id}
    g.departmental = {c.department_id: c for c in coordinations if c.level == "departmental"}
    g.local_ids = [c.pk for c in coordinations if c.level == "local"]
    g.structures = {}
    for st in FacilitatorStructure.objects.filter(is_active=True).select_related(
        "coordination__parent"
    ):
        coord = st.coordination
        dept = coord.department_id or (coord.parent.department_id if coord.parent else None)
        if dept is None:
            continue
        g.structures[st.pk] = StructureInfo(st.pk, st.name, dept)
    for f_id, st_id in Facilitator.objects.filter(is_active=True).values_list("pk", "structure_id"):
        if st_id in g.structures:
            g.structures[st_id].facilitator_ids.append(f_id)
    g.structure_targets = {}
    for st in FacilitatorStructure.objects.filter(pk__in=g.structures):
        g.structure_targets[st.pk] = structure_target(st)
    # Coverage of the real communes, as the desk reads it (lazily, per commune).
    g._coverage = {}


def _tables(g: Generator) -> SimpleNamespace:
    from clauses.network.models import Coordination, Facilitator, FacilitatorStructure

    structure = FacilitatorStructure
    return SimpleNamespace(
        coord_ids=Ids(Coordination),
        struct_ids=Ids(structure),
        fac_ids=Ids(Facilitator),
        coords=g.sink.table(Coordination, COORDINATION_COLUMNS),
        structs=g.sink.table(
            structure, ("id", "name", "carrier_kind", "coordination_id", "is_active", "email")
        ),
        struct_communes=g.sink.table(
            structure.communes.through, ("id", "facilitatorstructure_id", "commune_id")
        ),
        struct_departments=g.sink.table(
            structure.departments.through, ("id", "facilitatorstructure_id", "department_id")
        ),
        facs=g.sink.table(
            Facilitator, ("id", "first_name", "last_name", "structure_id", "is_active", "email")
        ),
        through_ids=Ids(structure.communes.through),
        through_dept_ids=Ids(structure.departments.through),
    )


def _synthetic_regionals(g: Generator, t: SimpleNamespace) -> None:
    from clauses.network.models import Coordination

    for region_id in g.synthetic_regions:
        cid = t.coord_ids()
        name = f"Coordination régionale synthétique {region_id}"
        desk_email = f"guichet-{cid}@bench.clauses.invalid"
        t.coords.add(
            cid, "regional", name, g.national_coordination.pk, "GIP synthétique", region_id,
            None, f"region-{cid}@bench.clauses.invalid", desk_email,
        )  # fmt: skip
        g.regional[region_id] = Coordination(
            pk=cid, level="regional", name=name, region_id=region_id, desk_email=desk_email
        )


def _idf_counts() -> dict[str, tuple[int, int]]:
    """Île-de-France: as many structures and facilitators per département as the seed
    document's table (data/network/idf_network_2026.csv: 48 and 123); their names are not
    public, so they are invented here like everywhere else."""
    from django.conf import settings as django_settings

    counts = {}
    with open(django_settings.DATA_DIR / "network" / "idf_network_2026.csv") as handle:
        for row in csv.DictReader(handle):
            counts[row["dep_code"]] = (int(row["structures"]), int(row["facilitateurs"]))
    return counts


def _department(g: Generator, t: SimpleNamespace, dept: dict, idf_counts: dict) -> None:
    """A département's coordination (synthetic ones) and its structures and facilitators."""
    from clauses.network.models import Coordination

    if dept["synthetic"]:
        cid = t.coord_ids()
        name = f"Coordination départementale {dept['code']}"
        regional = g.regional[dept["region_id"]]
        t.coords.add(
            cid, "departmental", name, regional.pk, "Maison de l'emploi synthétique", None,
            dept["pk"], f"dep-{cid}@bench.clauses.invalid", "",
        )  # fmt: skip
        g.departmental[dept["pk"]] = Coordination(
            pk=cid, level="departmental", name=name, department_id=dept["pk"]
        )
        n = g.scale.structures_per_department
        n_facilitators = None
    else:
        coordination = g.departmental.get(dept["pk"])
        if coordination is None:
            return
        cid = coordination.pk
        n, n_facilitators = idf_counts.get(dept["code"], (1, 2))
    communes = sorted(dept["communes"], key=lambda c: c[1])
    n = max(1, min(n, len(communes)))
    block = math.ceil(len(communes) / n)
    for k in range(n):
        info = _structure(g, t, dept, cid, k)
        _coverage(g, t, info.id, communes[k * block : (k + 1) * block])
        # Sometimes the last structure of a département also covers the whole département
        # (a departmental PLIE): two structures there.
        if k == n - 1 and n > 1 and g.rng.random() < 0.5:
            t.struct_departments.add(t.through_dept_ids(), info.id, dept["pk"])
            for commune_id, _insee, _pop in communes:
                g.synthetic_coverage[commune_id].add(info.id)
        if n_facilitators is None:
            count = 1 + (g.rng.random() < 0.4)
        else:
            count = n_facilitators // n + (k < n_facilitators % n)
        _facilitators(g, t, info, count)


def _structure(g: Generator, t: SimpleNamespace, dept: dict, cid: int, k: int) -> object:
    from bench.dataset.generator import StructureInfo
    from clauses.desk.rules import Target

    sid = t.struct_ids()
    name = f"Structure facilitatrice {dept['code']}-{k + 1} (synthétique)"
    carrier = CARRIERS[k % len(CARRIERS)]
    t.structs.add(sid, name, carrier, cid, True, f"structure-{sid}@bench.clauses.invalid")
    info = StructureInfo(sid, name, dept["pk"])
    g.structures[sid] = info
    g.structure_targets[sid] = Target("structure", sid, name, "")
    return info


def _coverage(g: Generator, t: SimpleNamespace, sid: int, communes: list) -> None:
    """A block of communes covered by the structure."""
    for commune_id, _insee, _pop in communes:
        t.struct_communes.add(t.through_ids(), sid, commune_id)
        g.synthetic_coverage[commune_id].add(sid)


def _facilitators(g: Generator, t: SimpleNamespace, info: object, count: int) -> None:
    rng = g.rng
    for _ in range(max(1, count)):
        fid = t.fac_ids()
        t.facs.add(
            fid,
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
            info.id,
            True,
            f"facilitateur-{fid}@bench.clauses.invalid",
        )
        info.facilitator_ids.append(fid)


def _accounts(g: Generator) -> None:
    """One organisation and one facilitator account per structure (validations and controls
    need a person); organisations already there are kept."""
    from clauses.accounts.models import Membership, Organisation, User

    org_ids, user_ids, membership_ids = Ids(Organisation), Ids(User), Ids(Membership)
    existing = dict(
        Organisation.objects.filter(structure__isnull=False).values_list("structure_id", "pk")
    )
    orgs = g.sink.table(
        Organisation,
        ("id", "kind", "name", "structure_id", "department_id", "is_confirmed", "created_at"),
    )
    users = g.sink.table(
        User, ("id", "email", "password", "first_name", "last_name", "is_active", "date_joined")
    )
    memberships = g.sink.table(Membership, MEMBERSHIP_COLUMNS)
    now = aware(g.today)
    g.structure_orgs = {}
    for info in g.structures.values():
        org = existing.get(info.id)
        if org is None:
            org = org_ids()
            orgs.add(
                org, "facilitator_structure", info.name, info.id, info.department_id, True, now
            )
        g.structure_orgs[info.id] = org
        uid = user_ids()
        email = f"facilitation-{info.id}@bench.clauses.invalid"
        users.add(uid, email, "!bench", "Facilitation", f"n° {info.id}", True, now)
        info.user_id = uid
        facilitator = info.facilitator_ids[0] if info.facilitator_ids else None
        memberships.add(membership_ids(), uid, org, "facilitator", facilitator, True, True, now)
    g.org_ids, g.user_ids = org_ids, user_ids
    for model in (Organisation, User, Membership):
        g.sink.flush(model)

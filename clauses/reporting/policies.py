"""Who may read which report, and over which markets (DESIGN.md, "Actors and what each may
see"). Reports are aggregated and anonymous (counts of people under the threshold are
masked, `masking.py`); no row about a person ever leaves through them.

| actor                         | reports                                                     |
|-------------------------------|-------------------------------------------------------------|
| buyer agent                   | its organisation's clause report and review                 |
| facilitator                   | its structure's review; clause reports of the buyers whose  |
|                               | markets it follows (those markets only)                     |
| local coordination            | its territory's review, its structures', its buyers'        |
| departmental coordination     | its département's review, its structures', its buyers'      |
| regional coordination         | the region's review and dashboard, every département's, the |
|                               | structures' and buyers' of the region; the consolidation    |
|                               | of its region                                                |
| national coordination         | aggregates only: every region's review, the national        |
|                               | dashboard (by region), the national consolidation           |
| platform administrator        | everything                                                  |
| company contact, partner      | none                                                        |

Markets always come from `markets.policies.visible_markets(actor)`, except for the national
coordination, which sees no market individually and gets aggregates of all of them.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from clauses.access.actors import Actor
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.desk.models import Request
from clauses.desk.policies import visible_requests
from clauses.desk.selectors import in_department, in_departments
from clauses.markets.models import Market
from clauses.markets.policies import visible_markets
from clauses.network.enums import CoordinationLevel
from clauses.network.models import Coordination, FacilitatorStructure
from clauses.territories.models import Department, Region

BUYER = "acheteur"
STRUCTURE = "structure"
COORDINATION = "coordination"
DEPARTMENT = "departement"
REGION = "region"
NATIONAL = "national"

KIND_LABELS = {
    BUYER: "Bilan d'un acheteur",
    STRUCTURE: "Bilan d'une structure facilitatrice",
    COORDINATION: "Bilan d'une coordination locale",
    DEPARTMENT: "Bilan départemental",
    REGION: "Bilan régional",
    NATIONAL: "Bilan national",
}


@dataclass(frozen=True)
class Scope:
    """What one report covers: markets, desk requests, network, map."""

    kind: str
    key: str
    label: str
    markets: QuerySet[Market]
    requests: QuerySet[Request]
    department_codes: list[str] = field(default_factory=list)  # desk and network tables
    structure_ids: list[int] | None = None  # network figures of structures instead
    map_region_id: int | None = None  # the regional review draws its départements
    # ("department" | "region", code) when the reader sees every market of that territory
    # (national coordination, administrators): a closed year then reads the per territory
    # × year figures (`territory_figures`), which count exactly these markets.
    territory: tuple[str, str] | None = None

    @property
    def title(self) -> str:
        return f"{KIND_LABELS[self.kind]} — {self.label}"


def can_use_reports(actor: Actor) -> bool:
    return (
        actor.is_platform_admin
        or actor.is_buyer_agent
        or actor.is_facilitator
        or (actor.is_coordinator)
    )


def _markets(actor: Actor) -> QuerySet[Market]:
    if actor.is_national:
        return Market.objects.all()
    return visible_markets(actor)


def _requests(actor: Actor) -> QuerySet[Request]:
    if actor.is_national:
        return Request.objects.all()
    return visible_requests(actor)


def _in_departments(codes: list[str]) -> Q:
    return Q(execution_communes__department__code__in=codes)


def _sees_every_market(actor: Actor) -> bool:
    """`_markets(actor)` is every market (see `_markets` and `visible_markets`)."""
    return actor.is_national or actor.is_platform_admin


def _market_subset(actor: Actor, condition: Q) -> QuerySet[Market]:
    return _markets(actor).filter(pk__in=Market.objects.filter(condition).values("pk"))


def buyer_scope(actor: Actor, organisation_id: int) -> Scope | None:
    """A buyer's clause report and review: its agents (all its markets); facilitators and
    territorial coordinators (the markets of it they see, if any); admins."""
    organisation = (
        Organisation.objects.filter(pk=organisation_id, kind=OrganisationKind.BUYER)
        .select_related("department")
        .first()
    )
    if organisation is None or not can_use_reports(actor) or actor.is_national:
        return None
    if actor.is_buyer_agent and actor.organisation_id != organisation.pk:
        return None
    markets = _markets(actor).filter(buyer=organisation.pk)
    if not (actor.is_platform_admin or actor.is_buyer_agent) and not markets.exists():
        return None
    codes = [organisation.department.code] if organisation.department_id else []
    return Scope(
        kind=BUYER,
        key=str(organisation.pk),
        label=organisation.name,
        markets=markets,
        requests=_requests(actor).filter(buyer_organisation=organisation.pk),
        department_codes=codes,
    )


def structure_scope(actor: Actor, structure_id: int) -> Scope | None:
    """A structure's review: its facilitators, the coordinators above it, admins."""
    if not (actor.is_platform_admin or actor.is_facilitator or actor.is_territorial_coordinator):
        return None
    if not actor.is_platform_admin and structure_id not in actor.structure_ids:
        return None
    structure = FacilitatorStructure.objects.filter(pk=structure_id).first()
    if structure is None:
        return None
    return Scope(
        kind=STRUCTURE,
        key=str(structure.pk),
        label=structure.name,
        markets=_market_subset(actor, Q(following_structure=structure.pk)),
        requests=_requests(actor).filter(target_structure=structure.pk),
        structure_ids=[structure.pk],
    )


def coordination_scope(actor: Actor, coordination_id: int) -> Scope | None:
    """A local coordination's review: its own coordinators (its territory as the markets
    policy draws it), admins; the departmental and regional coordinations above it."""
    coordination = Coordination.objects.filter(
        pk=coordination_id, level=CoordinationLevel.LOCAL
    ).first()
    if coordination is None or not (
        actor.is_platform_admin
        or (actor.is_territorial_coordinator and coordination.pk in actor.coordination_ids)
    ):
        return None
    structures = list(
        FacilitatorStructure.objects.filter(coordination=coordination).values_list("pk", flat=True)
    )
    if actor.coordination_id == coordination.pk:
        markets = _markets(actor)
    else:
        markets = _market_subset(actor, Q(following_structure__in=structures))
    return Scope(
        kind=COORDINATION,
        key=str(coordination.pk),
        label=coordination.name,
        markets=markets,
        requests=_requests(actor).filter(
            Q(target_coordination=coordination.pk) | Q(target_structure__in=structures)
        ),
        structure_ids=structures,
    )


def department_scope(actor: Actor, code: str) -> Scope | None:
    """A département's review: the departmental and regional coordinations that cover it,
    the national coordination (aggregates), admins."""
    department = Department.objects.filter(code=code).first()
    if department is None:
        return None
    allowed = (
        actor.is_platform_admin
        or actor.is_national
        or (
            actor.is_territorial_coordinator
            and actor.covers_whole_departments
            and code in actor.department_codes
        )
    )
    if not allowed:
        return None
    return Scope(
        kind=DEPARTMENT,
        key=code,
        label=f"{department.code} — {department.name}",
        markets=_market_subset(actor, _in_departments([code])),
        requests=_requests(actor).filter(in_department(code)),
        department_codes=[code],
        territory=("department", code) if _sees_every_market(actor) else None,
    )


def region_scope(actor: Actor, code: str, *, region: Region | None = None) -> Scope | None:
    """A region's review: its regional coordination, the national one, admins. `region`,
    when the caller has it already (the dashboard), saves its query."""
    if region is None or region.code != code:
        region = Region.objects.filter(code=code).first()
    if region is None:
        return None
    codes = list(Department.objects.filter(region=region).values_list("code", flat=True))
    allowed = (
        actor.is_platform_admin
        or actor.is_national
        or (
            actor.is_territorial_coordinator
            and actor.coordination_level == CoordinationLevel.REGIONAL
            # A region without départements loaded would be a subset of any territory.
            and bool(codes)
            and set(codes) <= set(actor.department_codes)
        )
    )
    if not allowed:
        return None
    desk_condition = in_departments(codes)
    return Scope(
        kind=REGION,
        key=code,
        label=region.name,
        markets=_market_subset(actor, _in_departments(codes)),
        requests=_requests(actor).filter(desk_condition | Q(region_wide=True)),
        department_codes=codes,
        map_region_id=region.pk,
        territory=("region", code) if _sees_every_market(actor) else None,
    )


def scope_for(actor: Actor, kind: str, key: str) -> Scope | None:
    """The scope of a review, or None when the actor may not read it (the page is 404)."""
    if kind == BUYER and key.isdigit():
        return buyer_scope(actor, int(key))
    if kind == STRUCTURE and key.isdigit():
        return structure_scope(actor, int(key))
    if kind == COORDINATION and key.isdigit():
        return coordination_scope(actor, int(key))
    if kind == DEPARTMENT:
        return department_scope(actor, key)
    if kind == REGION:
        return region_scope(actor, key)
    return None


def can_view_national(actor: Actor) -> bool:
    return actor.is_platform_admin or actor.is_national


def regional_dashboard_region(actor: Actor) -> Region | None:
    """The region of a regional coordinator's live dashboard."""
    if not (actor.is_territorial_coordinator and actor.coordination_level == "regional"):
        return None
    return Region.objects.filter(coordination__pk=actor.coordination_id).first()


def consolidation_scope(actor: Actor) -> tuple[QuerySet[Market], str] | None:
    """The yearly consolidation: the national coordination (every market, one row per
    region), a regional coordination (its region, one row per département), admins."""
    if can_view_national(actor):
        return Market.objects.all(), "region"
    region = regional_dashboard_region(actor)
    if region is not None:
        return _market_subset(actor, Q(execution_communes__department__region=region)), "department"
    return None


@dataclass(frozen=True)
class Link:
    kind: str
    key: str
    label: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def available_reviews(actor: Actor) -> list[Link]:
    """The reviews listed on the reports page for this actor (a few small queries)."""
    links: list[Link] = []
    if actor.is_buyer_agent:
        organisation = Organisation.objects.get(pk=actor.organisation_id)
        links.append(Link(BUYER, str(organisation.pk), organisation.name))
        return links
    if actor.is_national or actor.is_platform_admin:
        for region in Region.objects.order_by("code"):
            links.append(Link(REGION, region.code, region.name))
        return links
    if actor.is_territorial_coordinator:
        if actor.coordination_level == CoordinationLevel.REGIONAL:
            region = regional_dashboard_region(actor)
            if region is not None:
                links.append(Link(REGION, region.code, region.name))
        if actor.coordination_level == CoordinationLevel.LOCAL:
            coordination = Coordination.objects.get(pk=actor.coordination_id)
            links.append(Link(COORDINATION, str(coordination.pk), coordination.name))
        if actor.covers_whole_departments:
            for department in Department.objects.filter(code__in=actor.department_codes).order_by(
                "code"
            ):
                links.append(
                    Link(DEPARTMENT, department.code, f"{department.code} — {department.name}")
                )
    for structure in FacilitatorStructure.objects.filter(pk__in=actor.structure_ids).order_by(
        "name"
    ):
        links.append(Link(STRUCTURE, str(structure.pk), structure.name))
    buyers = Organisation.objects.filter(pk__in=visible_markets(actor).values("buyer")).order_by(
        "name"
    )
    for buyer in buyers:
        links.append(Link(BUYER, str(buyer.pk), buyer.name))
    return links

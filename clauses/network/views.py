"""Public pages of the network: find my facilitator, the regional network, a département.

Everything shown here is public directory data (names, professional contacts); nothing is
fetched through an actor's permissions because every visitor may see all of it.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clauses.core.pagecache import cached_public_page
from clauses.network.enums import CoordinationLevel, PartnerKind
from clauses.network.forms import RESULTS_ID, FindFacilitatorForm
from clauses.network.models import Coordination, Facilitator, FacilitatorStructure, Partner
from clauses.network.selectors import department_table, facilitation_for
from clauses.territories.index import search_communes
from clauses.territories.maps import GeometryError, project_shapes
from clauses.territories.models import Commune, Department, Region
from clauses.territories.search import looks_like_code

SUGGESTIONS = 10
DOMINANT_POPULATION_RATIO = 10
PARTNERS_PER_PAGE = 20
# The regional desk, until the regional coordination carries its own address in the data.
DEFAULT_DESK_EMAIL = "macs@maximilien.fr"
# Eight tones of the DSFR illustrative palette (classes in core/clauses.css).
MAP_TONES = 8


# ---------------------------------------------------------------------------------------
# Trouver mon facilitateur


@dataclass(frozen=True)
class Matches:
    communes: list[Commune]
    more: bool  # more communes match than are listed


def find_communes(query: str) -> Matches:
    """The communes matching what a person typed, best first, at most SUGGESTIONS.

    A Paris postcode matches the arrondissement and Paris itself: the arrondissement is
    what the person means, so Paris is dropped when one of its arrondissements is listed.
    """
    found = search_communes(query, SUGGESTIONS + 1)  # Commune.objects.search, from memory
    more = len(found) > SUGGESTIONS
    found = found[:SUGGESTIONS]
    if looks_like_code(query):
        parents = {c.parent_id for c in found if c.parent_id}
        found = [c for c in found if c.pk not in parents]
    return Matches(communes=found, more=more)


def _is_clear_choice(communes: list[Commune]) -> bool:
    """One commune, or a best match clearly ahead of the next: a better rank (exact name
    before a prefix, arrondissement before Paris), or the same rank and ten times the
    inhabitants ("evry" is Évry-Courcouronnes far more often than Évry-Grégy-sur-Yerre).
    The other matches stay one click away."""
    if len(communes) == 1:
        return True
    first, second = communes[0], communes[1]
    first_rank, second_rank = getattr(first, "rank", None), getattr(second, "rank", None)
    if first_rank is None or second_rank is None:
        return False  # a partial code: always let the person choose
    if first_rank != second_rank:
        return first_rank < second_rank
    return first.population >= DOMINANT_POPULATION_RATIO * max(second.population, 1)


def desk_mailto(email: str, commune: Commune | None) -> str:
    """A mailto link to the regional desk, subject and body prefilled (until the desk's
    own request form exists)."""
    place = f"{commune.name} ({commune.insee})" if commune else "mon territoire"
    subject = f"Demande d'accompagnement clauses sociales — {place}"
    body = (
        "Bonjour,\n\n"
        f"Je souhaite être accompagné·e pour un marché exécuté à {place}.\n\n"
        "Organisme acheteur :\n"
        "Objet du marché :\n"
        "Date de publication prévue :\n"
        "Mes coordonnées :\n\n"
        "Merci d'avance,\n"
    )
    return f"mailto:{email}?subject={quote(subject)}&body={quote(body)}"


def _covered_regions() -> str:
    names = Region.objects.filter(coordination__level=CoordinationLevel.REGIONAL).values_list(
        "name", flat=True
    )
    return ", ".join(sorted(set(names))) or "Île-de-France"


@login_not_required
@cached_public_page
def find_facilitator(request: HttpRequest) -> HttpResponse:
    """GET ?q=… (name or postcode) or ?commune=INSEE. Without JavaScript: one clear match
    shows its facilitators, several show a list of links. With htmx (HX-Request), only the
    list of suggestions is returned, for the same query and in the same order."""
    form = FindFacilitatorForm(request.GET if "q" in request.GET else None)
    query = form.cleaned_data["q"] if form.is_valid() else ""

    if request.htmx:
        matches = find_communes(query) if query else Matches(communes=[], more=False)
        return render(
            request,
            "network/find_suggestions.html",
            {"query": query, "communes": matches.communes, "more": matches.more},
        )

    context = {
        "form": form,
        "query": query,
        "communes": [],
        "more": False,
        "facilitation": None,
        "not_found": "",
        "covered_regions": "",
        "desk_email": DEFAULT_DESK_EMAIL,
        "desk_mailto": desk_mailto(DEFAULT_DESK_EMAIL, None),
        "results_id": RESULTS_ID,
    }
    status = 200
    commune = None
    insee = request.GET.get("commune", "").strip()[:5]
    if insee:
        commune = Commune.objects.with_department().filter(insee=insee).first()
        if commune is None:
            context["not_found"] = insee
            status = 404
    elif query:
        matches = find_communes(query)
        if matches.communes and _is_clear_choice(matches.communes):
            commune = matches.communes[0]
            context["communes"] = matches.communes[1:]  # "not the right one?" links
        elif matches.communes:
            context["communes"] = matches.communes
            context["more"] = matches.more
        else:
            context["not_found"] = query
    if context["not_found"]:
        context["covered_regions"] = _covered_regions()
    if commune is not None:
        if not form.is_bound:
            context["form"] = FindFacilitatorForm(initial={"q": commune.name})
        facilitation = facilitation_for(commune)
        regional = next(
            (c for c in facilitation.chain if c.level == CoordinationLevel.REGIONAL), None
        )
        email = (regional.desk_email if regional else "") or DEFAULT_DESK_EMAIL
        context.update(
            facilitation=facilitation,
            desk_email=email,
            desk_mailto=desk_mailto(email, facilitation.commune),
        )
    return render(request, "network/find_facilitator.html", context, status=status)


# ---------------------------------------------------------------------------------------
# Le réseau


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    path: str
    label_x: str  # strings: a localized float would print "255,3" in the SVG
    label_y: str
    tone: int
    facilitators: int
    structures: int


def _network_map(table) -> dict | None:  # noqa: ANN001 - DepartmentTable
    """The SVG map of the départements of the table, or None when no contour is loaded."""
    rows = {row.code: row for row in table.rows}
    departments = Department.objects.filter(code__in=rows, geometry__isnull=False).only(
        "code", "name", "geometry", "lat", "lon"
    )
    geometries, anchors = {}, {}
    for department in departments:
        geometries[department.code] = department.geometry
        if department.lat is not None and department.lon is not None:
            anchors[department.code] = (department.lon, department.lat)
    try:
        drawing = project_shapes(geometries, width=600, anchors=anchors)
    except GeometryError:
        return None
    if not drawing.shapes:
        return None
    order = {code: index for index, code in enumerate(sorted(rows))}
    areas = [
        MapArea(
            code=shape.key,
            name=rows[shape.key].name,
            path=shape.path,
            label_x=str(shape.label_x),
            label_y=str(shape.label_y),
            tone=order[shape.key] % MAP_TONES,
            facilitators=rows[shape.key].facilitators,
            structures=rows[shape.key].structures,
        )
        for shape in drawing.shapes
    ]
    return {"view_box": drawing.view_box, "areas": areas}


@login_not_required
@cached_public_page
def overview(request: HttpRequest) -> HttpResponse:
    table = department_table()
    regional = Coordination.objects.regional().select_related("parent").first()
    return render(
        request,
        "network/overview.html",
        {"table": table, "map": _network_map(table), "regional": regional},
    )


# ---------------------------------------------------------------------------------------
# Un département


def coverage_summary(item) -> str:  # noqa: ANN001 - Coordination or FacilitatorStructure
    """The territory of a structure or a local coordination, in words: "Plaine Commune
    (EPT)", "CA Cœur d'Essonne Agglomération", "12 communes", "tout le département"…

    Needs `epts`, `epcis` (and `departments` for a structure) prefetched and a
    `commune_count` annotation."""
    parts = []
    if isinstance(item, FacilitatorStructure):
        parts.extend(f"tout le département ({d.name})" for d in item.departments.all())
    parts.extend(f"{ept.name} (EPT)" for ept in item.epts.all())
    parts.extend(epci.name for epci in item.epcis.all())
    count = getattr(item, "commune_count", 0)
    if count:
        parts.append(f"{count} commune" if count == 1 else f"{count} communes")
    return ", ".join(parts) or "territoire non renseigné"


@dataclass(frozen=True)
class StructureCard:
    structure: FacilitatorStructure
    coverage: str
    facilitators: list[Facilitator]


@dataclass(frozen=True)
class LocalCard:
    coordination: Coordination
    coverage: str


@login_not_required
@cached_public_page
def department(request: HttpRequest, code: str) -> HttpResponse:
    """A département's coordination, local coordinations, structures with their
    facilitators, and its employment and insertion partners (counts, paginated list)."""
    department = get_object_or_404(Department.objects.select_related("region"), code=code)
    departmental = (
        Coordination.objects.departmental()
        .filter(department=department)
        .select_related("parent")
        .first()
    )
    in_department = Q(department=department, level=CoordinationLevel.LOCAL)
    if departmental:
        in_department |= Q(parent=departmental, level=CoordinationLevel.LOCAL)
    locals_ = [
        LocalCard(coordination=c, coverage=coverage_summary(c))
        for c in Coordination.objects.filter(in_department)
        .annotate(commune_count=Count("communes", distinct=True))
        .prefetch_related("epts", "epcis")
        .order_by("name")
    ]
    structures = (
        FacilitatorStructure.objects.active()
        .filter(
            Q(coordination__department=department)
            | Q(coordination__department__isnull=True, coordination__parent__department=department)
        )
        .select_related("coordination")
        .annotate(commune_count=Count("communes", distinct=True))
        .prefetch_related(
            "epts",
            "epcis",
            "departments",
            Prefetch(
                "facilitators",
                queryset=Facilitator.objects.filter(is_active=True).order_by(
                    "last_name", "first_name", "pk"
                ),
                to_attr="active_facilitators",
            ),
        )
        .order_by("name")
    )
    cards = [
        StructureCard(structure=s, coverage=coverage_summary(s), facilitators=s.active_facilitators)
        for s in structures
    ]

    partners = Partner.objects.in_department(department.code)
    labels = dict(PartnerKind.choices)
    partner_counts = [
        {"kind": row["kind"], "label": labels.get(row["kind"], row["kind"]), "count": row["n"]}
        for row in partners.values("kind").annotate(n=Count("pk")).order_by("kind")
    ]
    kind = request.GET.get("type", "")
    if kind not in labels:
        kind = ""
    listed = partners.filter(kind=kind) if kind else partners
    page = Paginator(listed.select_related("commune").order_by("name", "pk"), PARTNERS_PER_PAGE)
    partner_page = page.get_page(request.GET.get("page"))

    return render(
        request,
        "network/department.html",
        {
            "department": department,
            "departmental": departmental,
            "locals": locals_,
            "structures": cards,
            "facilitator_count": sum(len(card.facilitators) for card in cards),
            "partner_counts": partner_counts,
            "partner_total": sum(row["count"] for row in partner_counts),
            "partner_kind": kind,
            "partner_kind_label": labels.get(kind, ""),
            "partner_page": partner_page,
            "partner_query": urlencode({"type": kind}) if kind else "",
            "desk_email": (
                departmental.parent.desk_email if departmental and departmental.parent else ""
            )
            or DEFAULT_DESK_EMAIL,
        },
    )

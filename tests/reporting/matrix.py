"""Reports in the permission matrix (tests/access): each report kind on the access `World`'s
own side (Seine-Saint-Denis, 93, Île-de-France) and other side (Paris, 75; for a region,
Auvergne-Rhône-Alpes, 84), with the procurement and follow-up records of
`tests.markets.matrix` and `tests.followup.matrix` (a market of each side, a participant
named « Personne Matrice 93 » / « … 75 » working on it), a local coordination in Paris and,
as the reference data holds Île-de-France only, the region Auvergne-Rhône-Alpes (84).
"""

from dataclasses import dataclass

from django.urls import reverse

from clauses.network.models import Coordination
from clauses.reporting import policies
from clauses.territories.models import Region
from tests.followup import matrix as followup_matrix
from tests.network.factories import CoordinationFactory


@dataclass(frozen=True)
class ReportKind:
    """`key(world, side)` is the address key of the report (an organisation's id, a code);
    `page` and `exports` are the names of its page and downloads."""

    name: str
    kind: str  # policies' kind (acheteur, structure…)
    page: str
    exports: tuple[tuple[str, str], ...]  # (url name, format or "")


def build(world: object) -> None:
    """The markets and participants of both sides, a local coordination in Paris, the
    other region."""
    cache = world.__dict__.setdefault("_reporting", {})  # type: ignore[attr-defined]
    if cache:
        return
    for side in ("own", "other"):
        followup_matrix.record(world, side, "participant")
    Region.objects.get_or_create(code="84", defaults={"name": "Auvergne-Rhône-Alpes"})
    cache["local75"] = CoordinationFactory(
        parent=world.coordinations["dep75"],  # type: ignore[attr-defined]
        department=world.coordinations["dep75"].department,  # type: ignore[attr-defined]
        name="Coordination locale de Paris Centre",
    )


def participant_names(world: object) -> list[str]:
    names = []
    for side in ("own", "other"):
        participant = followup_matrix.record(world, side, "participant")
        names.append(participant.last_name)
        names.append(f"{participant.first_name} {participant.last_name}")
    return names


def key(world: object, report: ReportKind, side: str) -> str:
    own = side == "own"
    w = world
    if report.kind == policies.BUYER:
        return str(w.organisations["buyer93" if own else "buyer75"].pk)  # type: ignore[attr-defined]
    if report.kind == policies.STRUCTURE:
        return str(w.structures[side].pk)  # type: ignore[attr-defined]
    if report.kind == policies.COORDINATION:
        coordination: Coordination = (
            w.coordinations["local93"] if own else w.__dict__["_reporting"]["local75"]  # type: ignore[attr-defined]
        )
        return str(coordination.pk)
    if report.kind == policies.DEPARTMENT:
        return "93" if own else "75"
    assert report.kind == policies.REGION
    return "11" if own else "84"


def page_url(report: ReportKind, key_: str) -> str:
    if report.page == "reporting:clause_report":
        return reverse(report.page, args=[key_])
    return reverse(report.page, args=[report.kind, key_])


def export_urls(report: ReportKind, key_: str) -> list[str]:
    urls = []
    for name, fmt in report.exports:
        if fmt:
            urls.append(reverse(name, args=[report.kind, key_, fmt]))
        else:
            urls.append(reverse(name, args=[key_]))
    return urls


REPORTS = {
    "clause_report": ReportKind(
        "clause_report",
        policies.BUYER,
        "reporting:clause_report",
        (("reporting:clause_report_pdf", ""),),
    ),
    **{
        name: ReportKind(
            name,
            kind,
            "reporting:review",
            (("reporting:review_export", "xlsx"), ("reporting:review_export", "csv")),
        )
        for name, kind in (
            ("buyer_review", policies.BUYER),
            ("structure_review", policies.STRUCTURE),
            ("coordination_review", policies.COORDINATION),
            ("department_review", policies.DEPARTMENT),
            ("region_review", policies.REGION),
        )
    },
}

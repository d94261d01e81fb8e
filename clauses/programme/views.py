"""Pages of the programme review: the list, the upload in two steps (file, then which
column holds what), the annotated programme, the review of a line, a line turned into a
planned market, the XLSX export. Every record is fetched through `policies`."""

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.accounts.enums import OrganisationKind
from clauses.accounts.models import Organisation
from clauses.core.spreadsheets import XLSX_TYPE
from clauses.desk import policies as desk_policies
from clauses.programme import exports, imports, policies, services
from clauses.programme.enums import ReviewDecision
from clauses.programme.forms import MappingForm, ReviewForm, UploadForm
from clauses.programme.models import Programme, ProgrammeLine
from clauses.programme.rules import FAMILY_BY_CODE, Recommendation

PER_PAGE = 20
LINES_PER_PAGE = 25
SESSION_KEY = "programme_upload"

FILTERS = {
    "a_discuter": ("À discuter", Q(to_discuss=True)),
    "a_revoir": ("À revoir", Q(decision=ReviewDecision.PENDING)),
    "obligatoire": ("Condition sociale obligatoire", Q(obligation_mandatory=True)),
    "sans_marche": ("Pas encore de marché", Q(market__isnull=True)),
}


def _require_reader(actor: Actor) -> None:
    if not (
        actor.is_platform_admin
        or actor.is_buyer_agent
        or actor.is_facilitator
        or actor.is_territorial_coordinator
    ):
        raise PermissionDenied(
            "La revue de programmation est réservée aux acheteurs et au réseau des facilitateurs."
        )


def _upload_buyers(actor: Actor) -> Any:
    """None for a buyer agent (its own organisation); else the buyers it may upload for."""
    if actor.is_buyer_agent and not actor.is_platform_admin:
        return None
    if not (actor.is_platform_admin or actor.is_facilitator):
        return Organisation.objects.none()
    return policies.visible_buyers(actor).order_by("name")


def _can_upload_any(actor: Actor) -> bool:
    if not actor.can_write:
        return False
    if actor.is_buyer_agent:
        return True
    return actor.is_platform_admin or actor.is_facilitator


def programme_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    _require_reader(actor)
    programmes = (
        policies.visible_programmes(actor)
        .select_related("buyer")
        .annotate(
            line_count=Count("lines"),
            reviewed_count=Count("lines", filter=~Q(lines__decision=ReviewDecision.PENDING)),
            discuss_count=Count("lines", filter=Q(lines__to_discuss=True)),
            market_count=Count("lines", filter=Q(lines__market__isnull=False)),
        )
        .order_by("-uploaded_at", "-pk")
    )
    page = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    title = "Ma programmation achat" if actor.is_buyer_agent else "Programmations des acheteurs"
    return render(
        request,
        "programme/list.html",
        {
            "page": page,
            "rows": page.object_list,
            "title": title,
            "is_buyer": actor.is_buyer_agent,
            "can_upload": _can_upload_any(actor),
        },
    )


def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the file (and the buyer, for a facilitator). Kept in the session until the
    columns are confirmed."""
    actor = actor_for_request(request)
    if not _can_upload_any(actor):
        raise PermissionDenied("Vous ne pouvez pas importer de programmation.")
    buyers = _upload_buyers(actor)
    form = UploadForm(
        request.POST or None, request.FILES or None, buyers=buyers, auto_id="programme_%s"
    )
    if request.method == "POST" and form.is_valid():
        if buyers is None:
            buyer = get_object_or_404(Organisation, pk=actor.organisation_id)
        else:
            buyer = form.cleaned_data["buyer"]
        if not policies.can_upload(actor, buyer):
            raise PermissionDenied("Vous ne pouvez pas importer la programmation de cet acheteur.")
        upload_file = form.cleaned_data["file"]
        raw = upload_file.read(imports.MAX_BYTES + 1)
        try:
            imports.read(raw, upload_file.name)
        except ValidationError as exc:
            form.add_error("file", exc.messages[0])
        else:
            request.session[SESSION_KEY] = {
                "raw": base64.b64encode(raw).decode("ascii"),
                "name": upload_file.name[:200],
                "buyer": buyer.pk,
                "title": form.cleaned_data.get("title") or "",
            }
            return redirect("programme:mapping")
    return render(request, "programme/upload.html", {"form": form})


def mapping(request: HttpRequest) -> HttpResponse:
    """Step 2: which column holds what (suggested from the headers), then all rows checked;
    nothing is written unless every row is right."""
    actor = actor_for_request(request)
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.info(request, "Choisissez d'abord le fichier de la programmation.")
        return redirect("programme:upload")
    buyer = get_object_or_404(Organisation, pk=pending["buyer"], kind=OrganisationKind.BUYER)
    if not policies.can_upload(actor, buyer):
        raise PermissionDenied("Vous ne pouvez pas importer la programmation de cet acheteur.")
    raw = base64.b64decode(pending["raw"])
    sheet = imports.read(raw, pending["name"])
    suggested = imports.suggest_mapping(sheet.headers)
    form = MappingForm(
        request.POST or None,
        headers=sheet.headers,
        initial_mapping=suggested,
        auto_id="colonne_%s",
    )
    problems: list[imports.Problem] = []
    if request.method == "POST" and form.is_valid():
        programme, problems = services.import_programme(
            actor=actor,
            buyer=buyer,
            title=pending["title"],
            file_name=pending["name"],
            sheet=sheet,
            mapping=form.mapping(),
        )
        if programme is not None:
            del request.session[SESSION_KEY]
            messages.success(
                request,
                f"Programmation importée : {programme.lines.count()} ligne(s) analysée(s).",
            )
            return redirect("programme:detail", pk=programme.pk)
    preview = [values for _, values in sheet.rows[:5]]
    return render(
        request,
        "programme/mapping.html",
        {
            "form": form,
            "buyer": buyer,
            "file_name": pending["name"],
            "headers": sheet.headers,
            "preview": [
                [imports._text(v) for v in row[: len(sheet.headers)]]
                + [""] * (len(sheet.headers) - len(row))
                for row in preview
            ],
            "row_count": len(sheet.rows),
            "problems": problems[:200],
            "problem_count": len(problems),
        },
    )


def _summary(programme: Programme) -> dict[str, Any]:
    lines = programme.lines.all()
    totals = lines.aggregate(
        count=Count("pk"),
        hours=Sum("hours"),
        mandatory=Count("pk", filter=Q(obligation_mandatory=True)),
        reviewed=Count("pk", filter=~Q(decision=ReviewDecision.PENDING)),
        discuss=Count("pk", filter=Q(to_discuss=True)),
        markets=Count("pk", filter=Q(market__isnull=False)),
        analysed=Max("analysed_at"),
    )
    by_code: dict[str, int] = {code: 0 for code in Recommendation.values}
    for recommendations, decision, chosen in lines.values_list(
        "recommendations", "decision", "chosen"
    ):
        retained = ProgrammeLine(recommendations=recommendations, decision=decision, chosen=chosen)
        by_code[retained.retained] += 1
    totals["retained"] = [
        (Recommendation(code).label, count) for code, count in by_code.items() if count
    ]
    return totals


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    _require_reader(actor)
    programme = get_object_or_404(policies.visible_programmes(actor).select_related("buyer"), pk=pk)
    active = request.GET.get("filtre", "")
    lines = programme.lines.select_related(
        "cpv", "department", "commune", "market", "desk_request"
    ).order_by("number")
    if active in FILTERS:
        lines = lines.filter(FILTERS[active][1])
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    can_review = policies.can_review(actor, programme)
    can_create_market = policies.can_convert_lines(actor, programme)
    rows = [
        {
            "line": line,
            "family": FAMILY_BY_CODE.get(line.family),
            "advice": [
                {"label": Recommendation(item["code"]).label, **item}
                for item in line.recommendations
            ],
        }
        for line in page.object_list
    ]
    return render(
        request,
        "programme/detail.html",
        {
            "programme": programme,
            "page": page,
            "rows": rows,
            "summary": _summary(programme),
            "filters": [(key, label) for key, (label, _) in FILTERS.items()],
            "active": active,
            "query": f"filtre={active}" if active in FILTERS else "",
            "can_review": can_review,
            "can_convert": can_create_market,
            "can_delete": policies.can_delete_programme(actor, programme),
            "can_reanalyse": actor.can_write
            and (can_review or policies.can_upload(actor, programme.buyer)),
        },
    )


def _visible_line(actor: Actor, pk: int) -> ProgrammeLine:
    return get_object_or_404(
        policies.visible_lines(actor).select_related(
            "programme__buyer", "cpv", "department", "commune", "market", "desk_request"
        ),
        pk=pk,
    )


def review(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    line = _visible_line(actor, pk)
    if not policies.can_review(actor, line.programme):
        raise PermissionDenied("Vous ne pouvez pas revoir cette programmation.")
    requests = (
        desk_policies.visible_requests(actor)
        .filter(buyer_organisation=line.programme.buyer_id)
        .order_by("-pk")
    )
    initial = {
        "decision": line.decision,
        "chosen": line.chosen,
        "comment": line.comment,
        "to_discuss": line.to_discuss,
        "desk_request": line.desk_request_id,
    }
    form = ReviewForm(request.POST or None, initial=initial, requests=requests, auto_id="revue_%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_line(
                actor=actor,
                line=line,
                decision=data["decision"],
                chosen=data.get("chosen") or "",
                comment=data.get("comment") or "",
                to_discuss=data.get("to_discuss", False),
                desk_request=data.get("desk_request"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Revue de la ligne {line.number} enregistrée.")
            url = reverse("programme:detail", kwargs={"pk": line.programme_id})
            return redirect(f"{url}#ligne-{line.number}")
    return render(
        request,
        "programme/review.html",
        {
            "line": line,
            "form": form,
            "family": FAMILY_BY_CODE.get(line.family),
            "advice": [
                {"label": Recommendation(item["code"]).label, **item}
                for item in line.recommendations
            ],
        },
    )


@require_POST
def convert(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    line = _visible_line(actor, pk)
    try:
        market = services.convert_line(actor=actor, line=line)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        url = reverse("programme:detail", kwargs={"pk": line.programme_id})
        return redirect(f"{url}#ligne-{line.number}")
    messages.success(
        request,
        f"La ligne {line.number} est devenue le marché prévu {market.reference}, enregistré "
        "avant sa publication.",
    )
    return redirect("markets:detail", pk=market.pk)


def export(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    _require_reader(actor)
    programme = get_object_or_404(policies.visible_programmes(actor).select_related("buyer"), pk=pk)
    lines = programme.lines.select_related("cpv", "department", "commune", "market").order_by(
        "number"
    )
    content = exports.programme_xlsx(programme, lines)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="programmation-{programme.pk}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def keep_pending(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    programme = get_object_or_404(policies.visible_programmes(actor), pk=pk)
    count = services.keep_pending(actor=actor, programme=programme)
    messages.success(request, f"Recommandation conservée pour {count} ligne(s) à revoir.")
    return redirect("programme:detail", pk=programme.pk)


def template(request: HttpRequest) -> HttpResponse:
    """A blank programme with the headers the mapping recognises and one example line."""
    actor = actor_for_request(request)
    _require_reader(actor)
    response = HttpResponse(exports.template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="modele-programmation-achat.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def reanalyse(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    programme = get_object_or_404(policies.visible_programmes(actor), pk=pk)
    changed = services.reanalyse_programme(actor=actor, programme=programme)
    messages.success(
        request,
        f"Analyse relancée : {changed} ligne(s) ont changé (les revues sont conservées).",
    )
    return redirect("programme:detail", pk=programme.pk)


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    programme = get_object_or_404(policies.visible_programmes(actor), pk=pk)
    services.delete_programme(actor=actor, programme=programme)
    messages.success(request, "La programmation a été supprimée.")
    return redirect("programme:list")

"""Pages of the regional desk (Guichet Régional des Clauses Sociales).

Thin views: they read through `policies` and `selectors`, write through `services`, and
turn a `PermissionDenied` into 403 and a record outside the actor's scope into 404.

Public (no account): the request form, its confirmation, the buyer's private follow page.
Buyer agents (logged in): "Mes demandes", their organisation's requests, and each request's
page with the exchange and a form to answer.
Desk side (facilitators, coordinators): inbox, request detail and its actions, dashboard.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clauses.access.actors import Actor, actor_for_request
from clauses.accounts.enums import OrganisationKind, Role
from clauses.core.http import client_ip
from clauses.desk import policies, selectors, services
from clauses.desk.abuse import RateLimited, count_follow_link_request, filing_allowance
from clauses.desk.attachments import content_type_of, download_name
from clauses.desk.charts import HORIZONTAL, bar_chart
from clauses.desk.conf import desk_settings
from clauses.desk.enums import OPEN_STATUSES, MessageKind
from clauses.desk.forms import (
    COMMUNE_SEARCH_ATTRS,
    BuyerReplyForm,
    BuyerRequestFilterForm,
    CloseForm,
    FollowReplyForm,
    InboxFilterForm,
    NewFollowLinkForm,
    NoteForm,
    ReassignForm,
    ReplyForm,
    RequestForm,
    region_departments,
)
from clauses.desk.models import Attachment, Message, Request
from clauses.network.models import Coordination, FacilitatorStructure
from clauses.territories.models import Commune

PER_PAGE = 20
SUGGESTIONS = 8
FILED_SESSION_KEY = "desk_filed"

# Form field ← the service's field name, to show the service's errors on the right field.
SERVICE_FIELDS = {
    "buyer_name": "organisation_name",
    "buyer_siret": "siret",
    "execution_communes": "communes_text",
    "execution_departments": "departments",
    "market_cpv": "cpv",
    "market_estimated_amount": "estimated_amount",
    "market_planned_publication_date": "planned_publication",
    "market_duration_months": "duration_months",
    "outside_places": "communes_text",
}


def _add_service_errors(form, error: ValidationError, mapping: dict | None = None) -> None:  # noqa: ANN001
    """Show a service's ValidationError on the form's fields (or at the top)."""
    mapping = mapping or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        field = mapping.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


# ---------------------------------------------------------------------------------------
# Public: request form, confirmation, follow page


def _buyer_initial(request: HttpRequest) -> dict:
    """What we already know of a logged-in buyer agent: organisation and contact."""
    initial: dict = {}
    user = request.user
    if not user.is_authenticated:
        return initial
    initial.update(
        contact_name=user.get_full_name(),
        contact_email=user.email,
        contact_phone=getattr(user, "phone", ""),
    )
    membership = getattr(request, "membership", None)
    if (
        membership is not None
        and membership.role == Role.BUYER_AGENT
        and membership.organisation.kind == OrganisationKind.BUYER
    ):
        initial.update(
            organisation_name=membership.organisation.name,
            siret=membership.organisation.siret,
        )
    return initial


def _service_data(cleaned: dict) -> dict:
    cpv = cleaned.get("cpv_code")
    return {
        "kind": cleaned["kind"],
        "buyer_name": cleaned["organisation_name"],
        "buyer_siret": cleaned["siret"],
        "contact_name": cleaned["contact_name"],
        "contact_email": cleaned["contact_email"],
        "contact_phone": cleaned["contact_phone"],
        "message": cleaned["message"],
        "market_subject": cleaned["market_subject"],
        "market_cpv": cpv,
        "market_estimated_amount": cleaned["estimated_amount"],
        "market_planned_publication_date": cleaned["planned_publication"],
        "market_duration_months": cleaned["duration_months"],
        "execution_communes": [*cleaned["communes_resolved"], *cleaned["other_codes"]],
        "execution_departments": list(cleaned["departments"]),
        "region_wide": cleaned["region_wide"],
    }


@login_not_required
def request_form(request: HttpRequest) -> HttpResponse:
    """The public request form; pre-filled for a logged-in buyer agent, and with the
    commune when the page is opened from "Trouver mon facilitateur" (?commune=INSEE)."""
    conf = desk_settings()
    files_dropped = False
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES)
        files_dropped = bool(request.FILES)
        if form.is_valid():
            ip, email = client_ip(request), form.cleaned_data["contact_email"]
            try:
                with filing_allowance(ip=ip, email=email):
                    filed = services.file_request(
                        data=_service_data(form.cleaned_data),
                        attachments=form.cleaned_data["attachments"],
                        filed_by=request.user if request.user.is_authenticated else None,
                        ip=ip,
                    )
            except RateLimited as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                _add_service_errors(form, error, SERVICE_FIELDS)
            else:
                token = filed.raw_follow_token
                request.session[FILED_SESSION_KEY] = {
                    "reference": filed.request.reference,
                    "follow_path": _follow_link(filed.request.reference, token),
                }
                return redirect("desk:confirmation", reference=filed.request.reference)
    else:
        initial = _buyer_initial(request)
        communes = [code[:5] for code in request.GET.getlist("commune") if code][:20]
        if communes:
            initial["communes"] = communes
        form = RequestForm(initial=initial)
    return render(
        request,
        "desk/request_form.html",
        {
            "form": form,
            "files_dropped": files_dropped,
            "first_response_days": conf.first_response_working_days,
        },
    )


def _follow_link(reference: str, token: str) -> str:
    return (
        f"{reverse('desk:follow', kwargs={'reference': reference})}?{urlencode({'jeton': token})}"
    )


@login_not_required
def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    """Shown once, to the person who just filed (the session remembers it)."""
    filed = request.session.get(FILED_SESSION_KEY) or {}
    if filed.get("reference") != reference:
        raise Http404("Aucune demande récente avec cette référence.")
    desk_request = get_object_or_404(
        Request.objects.select_related("target_structure", "target_coordination"),
        reference=reference,
    )
    actor = actor_for_request(request)
    in_my_requests = (
        actor.is_buyer_agent
        and policies.visible_requests(actor).filter(pk=desk_request.pk).exists()
    )
    return render(
        request,
        "desk/confirmation.html",
        {
            "desk_request": desk_request,
            "follow_url": filed.get("follow_path", ""),
            "my_request_url": (
                reverse("desk:my_request", kwargs={"reference": reference})
                if in_my_requests
                else ""
            ),
            "first_response_days": desk_settings().first_response_working_days,
        },
    )


class UnknownFollowLink(Exception):
    """A follow link whose reference or token does not match (or no longer does)."""


def _request_by_token(request: HttpRequest, reference: str) -> tuple[Request, str]:
    token = request.GET.get("jeton", "")[:200]
    desk_request = selectors.request_for_token(reference=reference, token=token)
    if desk_request is None:
        raise UnknownFollowLink
    return desk_request, token


def _unknown_follow_link(request: HttpRequest) -> HttpResponse:
    """A French page (404) for a wrong or replaced link, pointing to the new-link page."""
    return render(request, "desk/follow_unknown.html", status=404)


@login_not_required
@require_http_methods(["GET", "POST"])
def new_follow_link(request: HttpRequest) -> HttpResponse:
    """A buyer who lost the private link asks for a new one with the reference and the
    contact address. The answer is the same whether or not they match (no enumeration);
    on a match the new link is emailed to the contact address and the old one stops
    working. Rate limited per IP and per reference."""
    form = NewFollowLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"]
        try:
            count_follow_link_request(ip=client_ip(request), reference=reference)
        except RateLimited as error:
            form.add_error(None, error.message)
        else:
            services.send_new_follow_link(
                reference=reference, contact_email=form.cleaned_data["contact_email"]
            )
            return render(request, "desk/new_follow_link_sent.html")
    return render(request, "desk/new_follow_link.html", {"form": form})


def _buyer_messages(desk_request: Request) -> list[Message]:
    """The exchange as the buyer sees it: never the internal notes."""
    return list(
        desk_request.messages.exclude(kind=MessageKind.INTERNAL_NOTE)
        .select_related("author")
        .prefetch_related("attachments")
    )


@login_not_required
def follow(request: HttpRequest, reference: str) -> HttpResponse:
    """The buyer's private page (link with a token, no account): status, who handles the
    request, the exchange, a form to answer."""
    try:
        desk_request, token = _request_by_token(request, reference)
    except UnknownFollowLink:
        return _unknown_follow_link(request)
    form = FollowReplyForm()
    files_dropped = False
    if request.method == "POST":
        form = FollowReplyForm(request.POST, request.FILES)
        files_dropped = bool(request.FILES)
        if form.is_valid():
            try:
                services.buyer_reply(
                    desk_request=desk_request,
                    body=form.cleaned_data["body"],
                    token=token,
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "Votre message a bien été envoyé. Merci !")
                return redirect(f"{_follow_link(reference, token)}#echanges")
    desk_request = (
        Request.objects.select_related("target_structure", "target_coordination", "taken_by")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.filter(message=None)))
        .get(pk=desk_request.pk)
    )
    return render(
        request,
        "desk/follow.html",
        {
            "desk_request": desk_request,
            "exchange": _buyer_messages(desk_request),
            "form": form,
            "files_dropped": files_dropped,
            "token": token,
            "follow_link": _follow_link(reference, token),
        },
    )


def _download(attachment: Attachment) -> FileResponse:
    """Always a download, typed by the detected content (never by the name: `x.html`
    holding a PDF is served as application/pdf, `x.html.pdf`), sandboxed, not sniffed."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=download_name(attachment.original_name, attachment.detected_type),
        content_type=content_type_of(attachment.detected_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
def follow_attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """A file of the exchange, for the holder of the private link (never a note's)."""
    try:
        desk_request, _ = _request_by_token(request, reference)
    except UnknownFollowLink:
        raise Http404("Lien de suivi inconnu ou expiré.") from None
    attachment = get_object_or_404(
        Attachment.objects.filter(request=desk_request).exclude(
            message__kind=MessageKind.INTERNAL_NOTE
        ),
        pk=pk,
    )
    return _download(attachment)


# ---------------------------------------------------------------------------------------
# Buyer agents: "Mes demandes" and a request's page


def _buyer_actor(request: HttpRequest) -> Actor:
    """A logged-in buyer agent (anonymous people are sent to the login page by the
    middleware); other roles are refused: the desk side has its own pages."""
    actor = actor_for_request(request)
    if not actor.is_buyer_agent:
        raise PermissionDenied("Ces pages sont réservées aux agents des acheteurs.")
    return actor


def _last_message_at() -> Subquery:
    """Date of the last message of the exchange the buyer sees (never an internal note)."""
    return Subquery(
        Message.objects.filter(request=OuterRef("pk"))
        .exclude(kind=MessageKind.INTERNAL_NOTE)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )


def my_requests(request: HttpRequest) -> HttpResponse:
    """The requests of the buyer agent's organisation (`visible_requests`), newest first,
    filtered by status; one query for the rows, one for the count, whatever the page size."""
    actor = _buyer_actor(request)
    form = BuyerRequestFilterForm(request.GET or None)
    status = form.status_filter()
    requests = policies.visible_requests(actor)
    if status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES)
    elif status:
        requests = requests.filter(status=status)
    requests = (
        requests.select_related("target_structure", "target_coordination")
        .annotate(last_message_at=_last_message_at())
        .order_by("-created_at", "-pk")
    )
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "desk/my_requests.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "filtered": bool(status),
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


def _my_request(actor: Actor, reference: str) -> Request:
    return get_object_or_404(
        policies.visible_requests(actor)
        .select_related("target_structure", "target_coordination", "market_cpv")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.filter(message=None))
        ),
        reference=reference,
    )


@require_http_methods(["GET", "POST"])
def my_request(request: HttpRequest, reference: str) -> HttpResponse:
    """A request of the buyer agent's organisation: status, who handles it, the exchange
    (never the internal notes) and a form to answer as the buyer (`services.buyer_reply`).
    Another organisation's request is a 404."""
    actor = _buyer_actor(request)
    desk_request = _my_request(actor, reference)
    can_reply = policies.can_buyer_reply(actor, desk_request)
    form = BuyerReplyForm()
    files_dropped = False
    status = 200
    if request.method == "POST":
        form = BuyerReplyForm(request.POST, request.FILES)
        files_dropped = bool(request.FILES)
        status = 400
        if not can_reply:
            if desk_request.is_open:
                raise PermissionDenied("Vous ne pouvez pas répondre à cette demande.")
            form.add_error(
                None, "Cette demande est clôturée : déposez une nouvelle demande au guichet."
            )
        elif form.is_valid():
            try:
                services.buyer_reply(
                    desk_request=desk_request,
                    actor=actor,
                    body=form.cleaned_data["body"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "Votre message a bien été envoyé au guichet.")
                url = reverse("desk:my_request", kwargs={"reference": reference})
                return redirect(f"{url}#echanges")
    return render(
        request,
        "desk/my_request.html",
        {
            "desk_request": desk_request,
            "exchange": _buyer_messages(desk_request),
            "form": form,
            "can_reply": can_reply,
            "files_dropped": files_dropped,
        },
        status=status,
    )


@require_GET
def my_request_attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """A file of the exchange of one of the organisation's requests (never a note's)."""
    actor = _buyer_actor(request)
    desk_request = get_object_or_404(policies.visible_requests(actor), reference=reference)
    attachment = get_object_or_404(
        Attachment.objects.filter(request=desk_request).exclude(
            message__kind=MessageKind.INTERNAL_NOTE
        ),
        pk=pk,
    )
    return _download(attachment)


# ---------------------------------------------------------------------------------------
# Autocomplete partials (htmx)


@login_not_required
@require_GET
def commune_suggestions(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("communes_text") or request.GET.get("q") or "").strip()[:100]
    communes = []
    if len(query) >= 2:
        communes = list(Commune.objects.search(query).select_related("department")[:SUGGESTIONS])
    return render(request, "desk/_commune_suggestions.html", {"communes": communes, "query": query})


@login_not_required
@require_GET
def commune_chip(request: HttpRequest) -> HttpResponse:
    commune = get_object_or_404(
        Commune.objects.select_related("department"), insee=request.GET.get("insee", "")[:5]
    )
    search_input = RequestForm()["communes_text"].as_widget(
        attrs={**COMMUNE_SEARCH_ATTRS, "hx-swap-oob": "true", "autofocus": True}
    )
    return render(
        request,
        "desk/_commune_chip.html",
        {
            "commune": commune,
            "label": f"{commune.name} ({commune.department.code})",
            "search_input": search_input,
        },
    )


# ---------------------------------------------------------------------------------------
# Desk side: inbox, detail, actions


def _desk_actor(request: HttpRequest) -> Actor:
    """Facilitators, territorial coordinators and administrators; others are refused."""
    actor = actor_for_request(request)
    if not (actor.is_facilitator or actor.is_territorial_coordinator or actor.is_platform_admin):
        raise PermissionDenied(
            "La boîte du guichet est réservée aux facilitateurs et coordinations."
        )
    return actor


def _department_choices(actor: Actor) -> list[tuple[str, str]]:
    departments = region_departments()
    if not actor.is_platform_admin and actor.department_codes:
        departments = departments.filter(code__in=actor.department_codes)
    return [(d.code, f"{d.code} — {d.name}") for d in departments]


def inbox(request: HttpRequest) -> HttpResponse:
    """The requests the actor sees, filtered by a GET form; with htmx, only the list."""
    actor = _desk_actor(request)
    form = InboxFilterForm(request.GET or None, departments=_department_choices(actor))
    today = timezone.localdate()
    overdue = Q(status__in=OPEN_STATUSES, first_response_at=None, first_response_due__lt=today)
    requests = selectors.inbox(actor, today=today, **form.filters()).annotate(
        is_overdue=ExpressionWrapper(overdue, output_field=BooleanField())
    )
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": page.object_list,
        "today": today,
        "query": query.urlencode(),
    }
    template = "desk/_inbox_results.html" if request.htmx else "desk/inbox.html"
    return render(request, template, context)


def _visible_request(request: HttpRequest, reference: str, actor: Actor) -> Request:
    return get_object_or_404(
        policies.visible_requests(actor).select_related(
            "target_structure", "target_coordination", "taken_by", "market_cpv", "filed_by"
        ),
        reference=reference,
    )


def _reassign_targets(actor: Actor) -> list:
    coordinations = Coordination.objects.order_by("level", "name")
    structures = FacilitatorStructure.objects.active().order_by("name")
    if not actor.is_platform_admin:
        coordinations = coordinations.filter(pk__in=actor.coordination_ids)
        structures = structures.filter(pk__in=actor.structure_ids)
    return [
        (
            "Coordinations",
            [(f"coordination:{c.pk}", c.name) for c in coordinations],
        ),
        (
            "Structures facilitatrices",
            [(f"structure:{s.pk}", s.name) for s in structures],
        ),
        ("Autre guichet", [("green_desk", "Guichet vert (questions environnementales)")]),
    ]


def _detail_context(actor: Actor, desk_request: Request, forms: dict | None = None) -> dict:
    show_notes = policies.can_view_internal_notes(actor, desk_request)
    exchange = desk_request.messages.select_related("author").prefetch_related("attachments")
    if not show_notes:
        exchange = exchange.exclude(kind=MessageKind.INTERNAL_NOTE)
    can = {
        "take_charge": policies.can_take_charge(actor, desk_request),
        "reply": policies.can_reply(actor, desk_request),
        "note": policies.can_add_note(actor, desk_request),
        "reassign": policies.can_reassign(actor, desk_request),
        "close": policies.can_close(actor, desk_request),
    }
    forms = forms or {}
    return {
        "desk_request": desk_request,
        "communes": desk_request.execution_communes.select_related("department").order_by("name"),
        "departments": desk_request.execution_departments.order_by("code"),
        "assignments": desk_request.assignments.select_related(
            "target_structure", "target_coordination", "by"
        ),
        "events": desk_request.events.select_related("actor_user"),
        "exchange": list(exchange),
        "files": desk_request.attachments.filter(message=None),
        "show_notes": show_notes,
        "can": can,
        "today": timezone.localdate(),
        "reply_form": forms.get("reply") or ReplyForm(),
        "note_form": forms.get("note") or NoteForm(),
        "reassign_form": forms.get("reassign")
        or (ReassignForm(targets=_reassign_targets(actor)) if can["reassign"] else None),
        "close_form": forms.get("close") or CloseForm(),
    }


def detail(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _desk_actor(request)
    desk_request = _visible_request(request, reference, actor)
    return render(request, "desk/detail.html", _detail_context(actor, desk_request))


def _action_failed(
    request: HttpRequest, actor: Actor, desk_request: Request, name: str, form
) -> HttpResponse:  # noqa: ANN001
    context = _detail_context(actor, desk_request, {name: form})
    context["failed_form"] = form
    return render(request, "desk/detail.html", context, status=400)


def _done(request: HttpRequest, desk_request: Request, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("desk:detail", reference=desk_request.reference)


@require_POST
def take_charge(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _desk_actor(request)
    desk_request = _visible_request(request, reference, actor)
    services.take_charge(actor=actor, desk_request=desk_request)
    return _done(request, desk_request, "Vous avez pris en charge cette demande.")


@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _desk_actor(request)
    desk_request = _visible_request(request, reference, actor)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply(
                actor=actor,
                desk_request=desk_request,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return _done(request, desk_request, "Votre réponse a été envoyée à l'acheteur.")
    return _action_failed(request, actor, desk_request, "reply", form)


@require_POST
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _desk_actor(request)
    desk_request = _visible_request(request, reference, actor)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_internal_note(
                actor=actor, desk_request=desk_request, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return _done(request, desk_request, "Votre note interne est enregistrée.")
    return _action_failed(request, actor, desk_request, "note", form)


@require_POST
def reassign(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _desk_actor(request)
    desk_request = _visible_request(request, reference, actor)
    if not policies.can_reassign(actor, desk_request):
        raise PermissionDenied("Seule une coordination du territoire peut réaffecter la demande.")
    form = ReassignForm(request.POST, targets=_reassign_targets(actor))
    if form.is_valid():
        kind, _, pk = form.cleaned_data["target"].partition(":")
        target: dict = {"green_desk": kind == "green_desk"}
        if kind == "coordination":
            target["coordination"] = get_object_or_404(Coordination, pk=pk)
        elif kind == "structure":
            target["structure"] = get_object_or_404(FacilitatorStructure, pk=pk)
        try:
            services.reassign(
                actor=actor,
                desk_request=desk_request,
                comment=form.cleaned_data["comment"],
                **target,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return _done(request, desk_request, "La demande a été réaffectée.")
    return _action_failed(request, actor, desk_request, "reassign", form)


@require_POST
def close(request: HttpRequest, reference: str) -> HttpResponse:
    actor = _desk_actor(request)
    desk_request = _visible_request(request, reference, actor)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close(
                actor=actor,
                desk_request=desk_request,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            return _done(request, desk_request, "La demande est clôturée.")
    return _action_failed(request, actor, desk_request, "close", form)


@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a request the actor sees (through `visible_requests`, never a public
    media URL); a note's files only for those who read the notes."""
    actor = _desk_actor(request)
    item = get_object_or_404(
        Attachment.objects.select_related("request", "message").filter(
            request__in=policies.visible_requests(actor)
        ),
        pk=pk,
    )
    if (
        item.message is not None
        and item.message.kind == MessageKind.INTERNAL_NOTE
        and not policies.can_view_internal_notes(actor, item.request)
    ):
        raise Http404
    return _download(item)


# ---------------------------------------------------------------------------------------
# Dashboard


DASHBOARD_CHART_WIDTH = 400


def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.can_see_aggregates(actor):
        raise PermissionDenied("Le tableau de bord est réservé au réseau des facilitateurs.")
    today = timezone.localdate()
    figures = selectors.dashboard(actor, today=today)
    # Narrow drawings with short axis labels: legible at 1280 px and on a 390 px phone
    # (the SVG scales to the column; full labels in each bar's title and the tables).
    charts = {
        "weeks": bar_chart(
            [(row.label, row.count) for row in figures.per_week],
            title="Demandes déposées par semaine, sur les 12 dernières semaines",
            unit="demandes",
            width=DASHBOARD_CHART_WIDTH,
            axis_labels=[row.label.split(" ")[0] for row in figures.per_week],
        ),
        "departments": bar_chart(
            [(row.label, row.count) for row in figures.per_department],
            title="Demandes par département d'exécution",
            unit="demandes",
            width=DASHBOARD_CHART_WIDTH,
            axis_labels=[row.key for row in figures.per_department],
        ),
        "kinds": bar_chart(
            [(row.label, row.count) for row in figures.per_kind],
            title="Demandes par objet",
            orientation=HORIZONTAL,
            unit="demandes",
            width=DASHBOARD_CHART_WIDTH,
        ),
    }
    return render(
        request,
        "desk/dashboard.html",
        {"figures": figures, "charts": charts, "today": today},
    )

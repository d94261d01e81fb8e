"""Pages: the API tokens of my organisation, and the audit journal.

Every record is fetched through `clauses.access.policies`; a page or record the actor may
not see answers 404, whatever the reason, so that its existence does not leak either.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clauses.access import policies
from clauses.access.actors import Actor, actor_for_request
from clauses.access.forms import ApiTokenForm, AuditFilterForm
from clauses.access.tokens import TokenError, create_token, revoke_token, roles_for_tokens
from clauses.accounts.models import Organisation

AUDIT_PAGE_SIZE = 50


def _my_organisation_for_tokens(actor: Actor) -> Organisation:
    organisation = policies.visible_organisations(actor).filter(pk=actor.organisation_id).first()
    if organisation is None or not policies.can_create_token(actor, organisation):
        raise Http404("Page introuvable.")
    return organisation


@require_http_methods(["GET", "HEAD"])
def token_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    organisation = _my_organisation_for_tokens(actor)
    tokens = policies.visible_api_tokens(actor).filter(organisation=organisation)
    return render(
        request,
        "access/token_list.html",
        {"organisation": organisation, "tokens": tokens},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    organisation = _my_organisation_for_tokens(actor)
    roles = roles_for_tokens(organisation)
    form = ApiTokenForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            created = create_token(
                actor=actor,
                organisation=organisation,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except TokenError as error:
            form.add_error(None, str(error))
        else:
            # Rendered, not redirected: the raw token is never kept in a session or a URL.
            return render(
                request,
                "access/token_created.html",
                {"organisation": organisation, "token": created.token, "raw_token": created.raw},
            )
    return render(request, "access/token_form.html", {"organisation": organisation, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for_request(request)
    token = get_object_or_404(policies.visible_api_tokens(actor), pk=pk)
    if not policies.can_revoke_token(actor, token):
        raise Http404("Page introuvable.")
    if request.method == "POST":
        revoke_token(actor=actor, token=token)
        messages.success(
            request, f"Le jeton « {token.name} » est révoqué : il est refusé dès maintenant."
        )
        if actor.organisation_id == token.organisation_id:
            return redirect("access:tokens")
        return redirect("admin:access_apitoken_changelist")
    return render(request, "access/token_revoke.html", {"token": token})


@require_http_methods(["GET", "HEAD"])
def audit_journal(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policies.can_view_audit_journal(actor):
        raise Http404("Page introuvable.")
    form = AuditFilterForm(request.GET or None)
    events = policies.visible_audit_events(actor).select_related(
        "actor_user", "organisation", "content_type"
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["start"]:
            events = events.filter(created_at__date__gte=data["start"])
        if data["end"]:
            events = events.filter(created_at__date__lte=data["end"])
        if data["user"]:
            events = events.filter(
                Q(actor_repr__icontains=data["user"]) | Q(actor_user__email__icontains=data["user"])
            )
    page = Paginator(events.order_by("-created_at", "-pk"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "access/audit_journal.html",
        {"form": form, "page": page, "events": page.object_list, "query": query.urlencode()},
    )

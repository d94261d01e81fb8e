"""The notifications page (paginated), mark read (one, all) and the email preference.
A person reads and marks only their own notifications (404 otherwise: `policies`)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clauses.access.actors import actor_for_request
from clauses.notifications import policies, services
from clauses.notifications.forms import PreferenceForm
from clauses.notifications.selectors import notifications_of, unread_count

PER_PAGE = 20


def bell(request: HttpRequest) -> HttpResponse:
    """The bell's badge (fetched by htmx from the header): one query."""
    response = render(request, "notifications/_bell.html", {"unread": unread_count(request)})
    response["Cache-Control"] = "no-store"
    return response


def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page_obj": page, "notifications": page.object_list},
    )


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(
        policies.visible_notifications(actor_for_request(request)), pk=pk
    )
    services.mark_read(user=request.user, notification=notification)
    target = notification.link if request.POST.get("open") else ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    messages.success(
        request,
        "Aucune notification à marquer comme lue."
        if count == 0
        else (
            "1 notification marquée comme lue."
            if count == 1
            else f"{count} notifications marquées comme lues."
        ),
    )
    return redirect("notifications:list")


def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferenceForm(
        request.POST or None,
        initial={"email_mode": services.email_mode(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        services.set_email_mode(user=request.user, mode=form.cleaned_data["email_mode"])
        messages.success(request, "Votre préférence est enregistrée.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})

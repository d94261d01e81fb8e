"""The current membership of a request, chosen with the switcher ("Mes organisations")."""

from django.http import HttpRequest

from clauses.accounts.models import Membership

SESSION_KEY = "clauses_membership_id"


def user_memberships(user):  # type: ignore[no-untyped-def]
    return (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation", "organisation__coordination", "facilitator")
        .order_by("organisation__name", "pk")
    )


def current_membership(request: HttpRequest) -> Membership | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = user_memberships(user)
    chosen = request.session.get(SESSION_KEY)
    membership = None
    if chosen:
        membership = memberships.filter(pk=chosen).first()
    if membership is None:
        membership = memberships.first()
        if chosen:
            request.session.pop(SESSION_KEY, None)
    return membership


def switch_membership(request: HttpRequest, membership_id: int) -> Membership | None:
    membership = user_memberships(request.user).filter(pk=membership_id).first()
    if membership is not None:
        request.session[SESSION_KEY] = membership.pk
    return membership

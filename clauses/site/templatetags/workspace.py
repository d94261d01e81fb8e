"""The "Mon espace" menu: the pages a person's current role opens, and nothing else.

It reads only `request.membership` (loaded with its organisation and coordination by the
accounts middleware) and the user: no query. Hiding a link is comfort, not security: every
page checks its own permission through the policies.
"""

from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import reverse

from clauses.accounts.enums import Role
from clauses.network.enums import CoordinationLevel

register = template.Library()


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


def _links_for(request: HttpRequest) -> list[tuple[str, str]]:
    user = request.user
    membership = getattr(request, "membership", None)
    role = getattr(membership, "role", None)
    links: list[tuple[str, str]] = []
    if role == Role.BUYER_AGENT:
        links += [
            ("Mes marchés", "markets:list"),
            ("Mes demandes au guichet", "desk:my_requests"),
            ("Déposer une demande au guichet", "desk:request_form"),
            ("Ma programmation achat", "programme:list"),
            ("Bilans de mes clauses", "reporting:index"),
        ]
    elif role == Role.COMPANY_CONTACT:
        links += [
            ("Mes clauses et mes heures", "hours:my_clauses"),
            ("Mes marchés", "markets:list"),
        ]
    elif role == Role.FACILITATOR:
        links += [
            ("Demandes du guichet", "desk:inbox"),
            ("Marchés suivis", "markets:list"),
            ("Programmations des acheteurs", "programme:list"),
            ("Participants", "followup:participants"),
            ("Import d'historique", "history:index"),
            ("Postes à pourvoir", "followup:positions"),
            ("Contrôle des heures", "hours:control"),
            ("Conventions de globalisation", "hours:agreements"),
            ("Bilans", "reporting:index"),
            ("Observatoire de la commande publique", "observatory:index"),
        ]
    elif role == Role.PARTNER:
        links += [("Postes à pourvoir", "followup:positions")]
    elif role == Role.COORDINATOR:
        organisation = membership.organisation
        coordination = getattr(organisation, "coordination", None)
        if coordination is not None and coordination.level == CoordinationLevel.NATIONAL:
            links += [
                ("Bilans des régions", "reporting:index"),
                ("Observatoire de la commande publique", "observatory:index"),
            ]
        else:
            links += [
                ("Demandes du guichet", "desk:inbox"),
                ("Tableau de bord du guichet", "desk:dashboard"),
                ("Marchés du territoire", "markets:list"),
                ("Programmations des acheteurs", "programme:list"),
                ("Participants", "followup:participants"),
                ("Import d'historique", "history:index"),
                ("Contrôle des heures", "hours:control"),
                ("Conventions de globalisation", "hours:agreements"),
                ("Bilans", "reporting:index"),
                ("Observatoire de la commande publique", "observatory:index"),
                ("Organisations à confirmer", "accounts:confirmations"),
                ("Journal d'audit", "access:audit"),
            ]
    if membership is not None and membership.is_organisation_admin:
        links += [
            ("Membres de mon organisation", "accounts:members"),
            ("Jetons d'API", "access:tokens"),
        ]
    links += [("Mes organisations", "accounts:organisations")]
    if user.is_superuser:
        links += [("Journal d'audit", "access:audit"), ("Administration", "admin:index")]
    seen: set[str] = set()
    unique = []
    for label, name in links:
        if name not in seen:
            seen.add(name)
            unique.append((label, name))
    return unique


@register.inclusion_tag("site/_workspace_menu.html", takes_context=True)
def workspace_menu(context: template.Context) -> dict:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"links": [], "active": False}
    path = request.path
    links = []
    for label, name in _links_for(request):
        url = reverse(name)
        links.append(Link(label, url, path == url or (url != "/" and path.startswith(url))))
    return {"links": links, "active": any(link.current for link in links)}

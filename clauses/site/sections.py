"""Index pages of the site's sections (#12.13): `/guichet/`, `/suivi/`, `/heures/`,
`/acces/` (the addresses the README gives) list the pages of that section the visitor may
open — the same links as the « Mon espace » menu, filtered by the section's address, plus
the section's public pages. Hiding a link is comfort, not security: each page checks its own
permission."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from clauses.site.templatetags.workspace import _links_for


@dataclass(frozen=True)
class Section:
    prefix: str
    title: str
    lead: str
    public: tuple[tuple[str, str, str], ...] = ()  # (label, url name, description)


SECTIONS = {
    "desk": Section(
        "/guichet/",
        "Guichet régional des clauses sociales",
        "Le guichet oriente chaque demande d'un acheteur public vers le bon facilitateur ou la "
        "bonne coordination, et en suit la réponse.",
        (
            (
                "Déposer une demande",
                "desk:request_form",
                "Une question sur un marché, une clause, un facilitateur : le guichet l'oriente.",
            ),
            (
                "Recevoir un nouveau lien de suivi",
                "desk:new_follow_link",
                "Vous avez perdu le lien de suivi d'une demande déposée.",
            ),
        ),
    ),
    "followup": Section(
        "/suivi/",
        "Suivi des participants",
        "Les personnes accompagnées, leur éligibilité, leurs missions et leurs sorties.",
    ),
    "hours": Section(
        "/heures/",
        "Heures d'insertion",
        "Les déclarations d'heures des entreprises, leur contrôle et l'avancement des clauses.",
    ),
    "access": Section(
        "/acces/",
        "Accès",
        "Les jetons d'API de votre organisation et le journal d'audit.",
    ),
}


@dataclass(frozen=True)
class Entry:
    label: str
    url: str
    description: str = ""


def entries_for(request: HttpRequest, section: Section) -> list[Entry]:
    """The section's public pages, then the visitor's own pages under its address."""
    entries = [Entry(label, reverse(name), text) for label, name, text in section.public]
    seen = {entry.url for entry in entries}
    if request.user.is_authenticated:
        for label, name in _links_for(request):
            url = reverse(name)
            if url.startswith(section.prefix) and url not in seen:
                seen.add(url)
                entries.append(Entry(label, url))
    return entries


def _view(key: str):  # noqa: ANN202 - a view function
    section = SECTIONS[key]

    def view(request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "site/section.html",
            {"section": section, "entries": entries_for(request, section)},
        )

    view.__name__ = f"section_{key}"
    # The desk's index is public (its form is); the others need an account, as their pages do.
    return login_not_required(view) if section.public else view


desk_index = _view("desk")
followup_index = _view("followup")
hours_index = _view("hours")
access_index = _view("access")

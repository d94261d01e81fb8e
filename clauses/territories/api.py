"""Territories API: commune autocomplete and lookup (public, read-only)."""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from clauses.core.apis import ErrorOut
from clauses.core.pagecache import cached_lookup, json_response, render_json, share
from clauses.territories.index import search_entries
from clauses.territories.models import Commune

router = Router(tags=["Territoires"])

SEARCH_LIMIT = 20


class CommuneSearchQuery(Schema):
    q: str = Field(
        "",
        description=(
            "Texte saisi : nom (accents, majuscules, tirets et apostrophes indifférents, "
            "« st » pour « saint »), code postal ou code INSEE, ou leur début (2 à 4 chiffres)."
        ),
    )


class CommuneOut(Schema):
    insee: str = Field(description="Code INSEE (5 caractères).")
    name: str = Field(description="Nom officiel.")
    department: str = Field(description="Code du département, par exemple « 93 ».")
    postcodes: list[str] = Field(description="Codes postaux de la commune.")


class CommuneDetailOut(CommuneOut):
    kind: str = Field(description="« commune » ou « arrondissement » (arrondissement municipal).")
    parent: str | None = Field(
        description="Code INSEE de la commune de rattachement d'un arrondissement municipal."
    )
    population: int = Field(description="Population municipale (populations légales 2023).")
    epci: str | None = Field(description="SIREN de l'EPCI à fiscalité propre.")
    ept: str | None = Field(description="SIREN de l'établissement public territorial.")
    lat: float | None = Field(description="Latitude du centre (WGS84).")
    lon: float | None = Field(description="Longitude du centre (WGS84).")

    @staticmethod
    def resolve_department(obj: Commune) -> str:
        return obj.department.code

    @staticmethod
    def resolve_postcodes(obj: Commune) -> list[str]:
        return obj.postcode_list

    @staticmethod
    def resolve_parent(obj: Commune) -> str | None:
        return obj.parent.insee if obj.parent_id else None

    @staticmethod
    def resolve_epci(obj: Commune) -> str | None:
        return obj.epci.siren if obj.epci_id else None

    @staticmethod
    def resolve_ept(obj: Commune) -> str | None:
        return obj.ept.siren if obj.ept_id else None


@router.get(
    "/communes",
    response=list[CommuneOut],
    summary="Rechercher une commune",
    description=(
        f"Jusqu'à {SEARCH_LIMIT} communes ou arrondissements municipaux d'Île-de-France, "
        "les plus pertinents d'abord : code INSEE exact, puis nom exact, nom commençant par "
        "le texte, nom dont un mot commence par le texte ; à pertinence égale, les plus "
        "peuplés d'abord. Un code postal renvoie les communes qu'il dessert (l'arrondissement "
        "avant Paris). Un texte vide ou sans lettre ni chiffre renvoie une liste vide."
    ),
)
def search_communes(request: HttpRequest, filters: Query[CommuneSearchQuery]) -> HttpResponse:
    # The in-memory index (same answers as Commune.objects.search, no query), rendered once
    # and kept in the shared cache: a hit is one cache read.
    share(request)  # the same for everyone: CachedPageMiddleware may keep it whole
    return json_response(
        cached_lookup(
            "communes", filters.q, lambda: render_json(CommuneOut, _found(filters.q), many=True)
        )
    )


def _found(query: str) -> list[dict]:
    return [
        {
            "insee": entry.insee,
            "name": entry.name,
            "department": entry.department,
            "postcodes": list(entry.postcodes),
        }
        for entry in search_entries(query, SEARCH_LIMIT)
    ]


@router.get(
    "/communes/{insee}",
    response={200: CommuneDetailOut, 404: ErrorOut},
    summary="Une commune par son code INSEE",
    description="Renvoie 404 avec « Commune inconnue : <code> » si le code n'existe pas.",
)
def get_commune(request: HttpRequest, insee: str) -> Commune:
    commune = (
        Commune.objects.select_related("department", "parent", "epci", "ept")
        .filter(insee=insee.upper())
        .first()
    )
    if commune is None:
        raise HttpError(404, f"Commune inconnue : {insee}")
    return commune

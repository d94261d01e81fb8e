"""Network API (public, read-only): who facilitates a commune, the network by département.

Two routers: `router` is mounted at `/api/v1/network/`; `facilitation_router` at `/api/v1/`
so that the facilitation of a commune sits under the commune:
`/api/v1/communes/{insee}/facilitation`.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from clauses.core.apis import ErrorOut
from clauses.core.pagecache import cached_lookup, json_response, render_json, share
from clauses.network.enums import CoordinationLevel
from clauses.network.selectors import department_table, facilitation_for
from clauses.territories.models import Commune

router = Router(tags=["Réseau"])
facilitation_router = Router(tags=["Réseau"])


class FacilitationCommuneOut(Schema):
    insee: str = Field(description="Code INSEE (5 caractères).")
    name: str = Field(description="Nom officiel.")
    department: str = Field(description="Code du département, par exemple « 93 ».")
    postcodes: list[str] = Field(description="Codes postaux de la commune.")


class ChainLinkOut(Schema):
    level: str = Field(
        description="Échelon : « national », « regional », « departmental » ou « local »."
    )
    name: str = Field(description="Nom de la coordination.")
    email: str = Field(
        description="Adresse de contact (pour la coordination régionale : le guichet social)."
    )


class StructureOut(Schema):
    id: int = Field(description="Identifiant de la structure facilitatrice.")
    name: str = Field(description="Nom de la structure facilitatrice.")
    email: str = Field(description="Adresse électronique de la structure.")
    phone: str = Field(description="Téléphone de la structure.")


class FacilitatorOut(Schema):
    name: str = Field(description="Prénom et nom du facilitateur ou de la facilitatrice.")
    email: str = Field(description="Adresse électronique.")
    phone: str = Field(description="Téléphone.")
    structure: str = Field(description="Nom de sa structure facilitatrice.")


class FacilitationOut(Schema):
    commune: FacilitationCommuneOut = Field(description="La commune demandée.")
    chain: list[ChainLinkOut] = Field(
        description=(
            "Les coordinations, de la coordination nationale à la (aux) coordination(s) "
            "locale(s) qui couvrent la commune."
        )
    )
    structures: list[StructureOut] = Field(
        description="Les structures facilitatrices actives qui couvrent la commune."
    )
    facilitators: list[FacilitatorOut] = Field(
        description="Les facilitateurs et facilitatrices en poste qui suivent la commune."
    )


class DepartmentOut(Schema):
    department: str = Field(description="Code du département.")
    name: str = Field(description="Nom du département.")
    coordination: str = Field(description="Nom de la coordination départementale.")
    facilitators: int = Field(description="Nombre de facilitateurs et facilitatrices en poste.")
    structures: int = Field(description="Nombre de structures facilitatrices actives.")


@facilitation_router.get(
    "/communes/{insee}/facilitation",
    response={200: FacilitationOut, 404: ErrorOut},
    summary="Qui facilite les clauses sociales d'une commune",
    description=(
        "Chaîne des coordinations (nationale d'abord), structures facilitatrices et "
        "facilitateurs d'une commune. Un arrondissement de Paris reçoit ce qui couvre Paris "
        "(75056) et ce qui lui est propre."
    ),
    auth=None,
)
def commune_facilitation(request: HttpRequest, insee: str) -> HttpResponse:
    status, body = cached_lookup(
        "facilitation", insee.strip().upper(), lambda: _facilitation_json(insee)
    )
    share(request)  # the same for everyone: CachedPageMiddleware may keep it whole
    if status != 200:
        raise HttpError(status, body)
    return json_response(body)


def _facilitation_json(insee: str) -> tuple[int, bytes | str]:
    """The answer rendered once (cached as bytes: a hit skips the schema's validation)."""
    status, body = _facilitation(insee)
    return (status, render_json(FacilitationOut, body)) if status == 200 else (status, body)


def _facilitation(insee: str) -> tuple[int, dict | str]:
    """(200, the answer) or (404, the French message): both are cached with the network."""
    commune = (
        Commune.objects.select_related("department", "parent__department")
        .filter(insee=insee.strip().upper())
        .first()
    )
    if commune is None:
        return 404, f"Commune inconnue : aucun code INSEE « {insee} »."
    result = facilitation_for(commune)
    if not any(c.level == CoordinationLevel.REGIONAL for c in result.chain):
        return 404, f"La commune {commune.name} n'est pas dans une région couverte par Clauses."
    return 200, {
        "commune": {
            "insee": commune.insee,
            "name": commune.name,
            "department": commune.department.code,
            "postcodes": commune.postcode_list,
        },
        "chain": [
            {"level": c.level, "name": c.name, "email": c.desk_email or c.email}
            for c in result.chain
        ],
        "structures": [
            {"id": s.pk, "name": s.name, "email": s.email, "phone": s.phone}
            for s in result.structures
        ],
        "facilitators": [
            {"name": f.full_name, "email": f.email, "phone": f.phone, "structure": f.structure.name}
            for f in result.facilitators
        ],
    }


@router.get(
    "/departments",
    response=list[DepartmentOut],
    summary="Le réseau par département",
    description=(
        "Pour chaque département : sa coordination départementale, le nombre de structures "
        "facilitatrices actives et de facilitateurs en poste, comptés dans les données."
    ),
    auth=None,
)
def departments(request: HttpRequest) -> HttpResponse:
    share(request)
    return json_response(
        cached_lookup(
            "departments", "", lambda: render_json(DepartmentOut, _departments(), many=True)
        )
    )


def _departments() -> list[dict]:
    return [
        {
            "department": row.code,
            "name": row.name,
            "coordination": row.coordination,
            "facilitators": row.facilitators,
            "structures": row.structures,
        }
        for row in department_table().rows
    ]

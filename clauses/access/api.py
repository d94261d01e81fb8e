"""Protected endpoints of the API: who am I, which organisations may I see."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from clauses.access.actors import Actor
from clauses.access.api_auth import TokenAuth
from clauses.access.models import ApiToken
from clauses.access.policies import visible_organisations
from clauses.accounts.models import Organisation

router = Router(tags=["Accès"], auth=TokenAuth())


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    siret: str
    department: str | None

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_department(obj: Organisation) -> str | None:
        return obj.department.code if obj.department_id else None


class MeOut(Schema):
    organisation: OrganisationOut
    role: str
    role_label: str
    scope: str
    scope_label: str
    token_prefix: str
    expires_at: str | None


@router.get(
    "/me",
    response=MeOut,
    summary="Le jeton utilisé : organisation, rôle et droits",
    operation_id="access_me",
)
def me(request: HttpRequest) -> dict:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    token = ApiToken.objects.select_related("organisation__department").get(pk=actor.token_id)
    return {
        "organisation": token.organisation,
        "role": token.role,
        "role_label": token.get_role_display(),
        "scope": token.scope,
        "scope_label": token.get_scope_display(),
        "token_prefix": f"clauses_{token.prefix}",
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    summary="Les organisations que le jeton peut voir",
    operation_id="access_organisations",
)
@paginate
def organisations(request: HttpRequest) -> QuerySet[Organisation]:
    actor: Actor = request.auth  # type: ignore[attr-defined]
    return visible_organisations(actor).select_related("department").order_by("name", "pk")

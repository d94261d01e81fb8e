"""Admin pages read through the policies too: an administrator sees what
`visible_api_tokens` / `visible_audit_events` give them. Tokens are created on the
"Jetons d'API" page (shown once), never here; the audit journal is read-only."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clauses.access import policies
from clauses.access.actors import actor_for_request
from clauses.access.models import ApiToken
from clauses.access.tokens import revoke_token
from clauses.accounts.models import AuditEvent


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "organisation",
        "role",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["role", "scope", "is_demo"]
    search_fields = ["name", "prefix", "organisation__name"]
    list_select_related = ["organisation"]
    actions = ["revoke"]
    readonly_fields = [
        "organisation",
        "name",
        "role",
        "scope",
        "prefix",
        "is_demo",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
        "last_used_ip",
    ]
    exclude = ["token_hash"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return policies.visible_api_tokens(actor_for_request(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    @admin.action(description="Révoquer les jetons sélectionnés", permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = actor_for_request(request)
        count = 0
        for token in queryset:
            if policies.can_revoke_token(actor, token) and token.revoked_at is None:
                revoke_token(actor=actor, token=token)
                count += 1
        messages.success(request, f"{count} jeton(s) révoqué(s).")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_repr",
        "action",
        "content_type",
        "object_repr",
        "territory",
        "ip",
    ]
    list_filter = ["action", "territory"]
    search_fields = ["actor_repr", "object_repr", "actor_user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return policies.visible_audit_events(actor_for_request(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

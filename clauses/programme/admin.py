"""Administration of programmes: read only; writes belong to the services."""

from django.contrib import admin

from clauses.programme.models import Programme, ProgrammeLine


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["title", "buyer", "uploaded_at", "is_demo"]
    list_filter = ["is_demo"]
    search_fields = ["title", "buyer__name"]
    list_select_related = ["buyer"]


@admin.register(ProgrammeLine)
class ProgrammeLineAdmin(ReadOnlyAdmin):
    list_display = ["programme", "number", "title", "kind", "family", "hours", "decision"]
    list_filter = ["decision", "kind", "obligation_mandatory"]
    search_fields = ["title", "programme__title"]
    list_select_related = ["programme"]
    raw_id_fields = ["cpv", "department", "commune", "market", "desk_request"]

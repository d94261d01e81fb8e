"""Administration of history imports: read only (imports and uploads are the engine's;
profiles are edited in the wizard's profiles page, where every change is audited)."""

from django.contrib import admin

from clauses.history.models import HistoryImport, HistoryUpload, MappingProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(MappingProfile)
class MappingProfileAdmin(ReadOnlyAdmin):
    list_display = ["name", "structure", "shared_in_department", "updated_at"]
    list_filter = ["shared_in_department"]
    search_fields = ["name", "structure__name"]
    list_select_related = ["structure"]


@admin.register(HistoryUpload)
class HistoryUploadAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "structure", "row_count", "created_at", "imported_at"]
    search_fields = ["file_name", "structure__name"]
    list_select_related = ["structure"]
    exclude = ["file"]  # personal data: the file is read through the wizard only


@admin.register(HistoryImport)
class HistoryImportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "structure", "file_name", "row_count", "created_at"]
    search_fields = ["file_name", "structure__name", "sha256"]
    list_select_related = ["structure"]
    raw_id_fields = ["structure", "upload", "profile", "imported_by"]

"""Read-only admin of the reference tables: they come from the loaders, never from hand edits.

They exist so that other admins can search them (autocomplete of coverage fields).
"""

from django.contrib import admin
from django.http import HttpRequest

from clauses.territories.models import Commune, CpvCode, Department, Epci, Ept, NafCode, Region


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search only: reference rows are loaded by `load_reference`."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "prefecture_name", "population"]
    search_fields = ["code", "name"]
    exclude = ["geometry"]


@admin.register(Epci)
class EpciAdmin(ReadOnlyAdmin):
    list_display = ["name", "siren", "kind", "department_codes", "member_count"]
    list_filter = ["kind"]
    search_fields = ["name", "siren"]


@admin.register(Ept)
class EptAdmin(ReadOnlyAdmin):
    list_display = ["name", "siren", "department_codes", "population"]
    search_fields = ["name", "siren"]
    exclude = ["geometry"]


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["name", "insee", "department", "epci", "ept", "population"]
    list_filter = ["department", "kind"]
    list_select_related = ["department", "epci", "ept"]
    search_fields = ["name", "insee", "search_name", "postcodes"]
    ordering = ["insee"]


@admin.register(CpvCode)
class CpvCodeAdmin(ReadOnlyAdmin):
    list_display = ["code8", "label", "level", "market_kind"]
    list_filter = ["market_kind", "level"]
    search_fields = ["code8", "code", "label"]


@admin.register(NafCode)
class NafCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "level"]
    list_filter = ["level"]
    search_fields = ["code", "label"]

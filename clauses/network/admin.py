"""Admin of the network, in French, with the history of every change (who, when, what).

`SimpleHistoryAdmin` adds the « Historique » view; `HistoryRequestMiddleware` records the
user who made each change.
"""

from django.contrib import admin
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clauses.network.models import Coordination, Facilitator, FacilitatorStructure, Partner
from clauses.territories.models import Department


class NetworkAdmin(SimpleHistoryAdmin):
    """History view (who, when, what) and web addresses assumed https when typed bare."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class DepartmentOfStructureFilter(admin.SimpleListFilter):
    """The département of a structure: its coordination's, or the one above a local one."""

    title = "département"
    parameter_name = "departement"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(d.code, str(d)) for d in Department.objects.all()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if not self.value():
            return queryset
        prefix = "structure__" if queryset.model is Facilitator else ""
        return queryset.filter(
            Q(**{f"{prefix}coordination__department__code": self.value()})
            | Q(**{f"{prefix}coordination__parent__department__code": self.value()})
        )


@admin.register(Coordination)
class CoordinationAdmin(NetworkAdmin):
    list_display = ["name", "level", "carrier_name", "department", "parent", "is_demo"]
    list_filter = ["level", "department", "is_demo"]
    list_select_related = ["department", "parent"]
    search_fields = ["name", "carrier_name", "email"]
    autocomplete_fields = ["parent", "region", "department", "communes", "epcis", "epts"]
    history_list_display = ["level", "name"]
    fieldsets = [
        (None, {"fields": ["level", "name", "parent", "carrier_name", "carrier_siret"]}),
        ("Mission", {"fields": ["mission", "since_year", "funders", "description"]}),
        ("Territoire", {"fields": ["region", "department", "communes", "epcis", "epts"]}),
        (
            "Contact",
            {
                "fields": [
                    "email",
                    "desk_email",
                    "green_desk_email",
                    "phone",
                    "website",
                    "address",
                    "postcode",
                    "city",
                ]
            },
        ),
        ("Démonstration", {"fields": ["is_demo"]}),
    ]


class FacilitatorInline(admin.TabularInline):
    model = Facilitator
    fields = ["first_name", "last_name", "job_title", "email", "phone", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(FacilitatorStructure)
class FacilitatorStructureAdmin(NetworkAdmin):
    list_display = ["name", "carrier_kind", "coordination", "email", "is_active", "is_demo"]
    list_filter = [
        DepartmentOfStructureFilter,
        "carrier_kind",
        "is_active",
        "is_demo",
        "coordination__level",
    ]
    list_select_related = ["coordination"]
    search_fields = ["name", "siret", "email", "city"]
    autocomplete_fields = ["coordination", "communes", "epcis", "epts", "departments"]
    inlines = [FacilitatorInline]
    history_list_display = ["name", "is_active"]


@admin.register(Facilitator)
class FacilitatorAdmin(NetworkAdmin):
    list_display = ["last_name", "first_name", "structure", "email", "phone", "is_active"]
    list_filter = [DepartmentOfStructureFilter, "is_active", "is_demo"]
    list_select_related = ["structure"]
    search_fields = ["last_name", "first_name", "email", "structure__name"]
    autocomplete_fields = ["structure", "communes", "epcis", "epts"]
    history_list_display = ["structure", "is_active"]


@admin.register(Partner)
class PartnerAdmin(NetworkAdmin):
    list_display = ["name", "kind", "siret", "commune", "department", "source", "is_demo"]
    list_filter = ["kind", "department", "is_demo"]
    list_select_related = ["commune__department", "department"]
    search_fields = ["name", "siret", "city", "postcode"]
    autocomplete_fields = ["commune", "department"]

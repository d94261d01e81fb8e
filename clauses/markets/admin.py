"""Administration of markets: read mostly; writes belong to the services."""

from django.contrib import admin

from clauses.markets.models import (
    ClauseTemplate,
    HourPresetSetting,
    Lot,
    LotContractor,
    Market,
    MarketEvent,
    Meeting,
    Operation,
    SocialConsideration,
)


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    fields = ["number", "title", "cpv", "estimated_amount_ht", "awarded_amount_ht"]
    raw_id_fields = ["cpv"]


class MarketEventInline(admin.TabularInline):
    model = MarketEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_status", "to_status", "actor_repr", "details", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "buyer", "kind", "status", "following_structure"]
    list_filter = ["status", "kind", "is_demo"]
    search_fields = ["reference", "subject", "buyer__name"]
    raw_id_fields = [
        "buyer",
        "cpv",
        "operation",
        "following_structure",
        "facilitator",
        "desk_request",
        "created_by",
    ]
    filter_horizontal = ["execution_communes"]
    inlines = [LotInline, MarketEventInline]


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department", "insertion_rate"]
    filter_horizontal = ["communes"]


@admin.register(SocialConsideration)
class SocialConsiderationAdmin(admin.ModelAdmin):
    list_display = ["lot", "kind", "calculated_hours", "hours_override"]
    list_filter = ["kind", "hours_method"]
    raw_id_fields = ["lot", "overridden_by"]


@admin.register(LotContractor)
class LotContractorAdmin(admin.ModelAdmin):
    list_display = ["lot", "organisation", "role"]
    raw_id_fields = ["lot", "organisation"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["market", "kind", "date", "facilitator_invited"]
    raw_id_fields = ["market", "lot", "created_by"]


@admin.register(HourPresetSetting)
class HourPresetSettingAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "department", "region", "verified"]
    list_filter = ["verified", "sector"]


@admin.register(ClauseTemplate)
class ClauseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "department", "region", "updated_at"]
    list_filter = ["kind"]

"""Admin of the desk: reading and support only — workflows go through the services (the
inbox pages), so the request's fields are read-only here, except buyer agreements."""

from django.contrib import admin
from django.http import HttpRequest

from clauses.desk.models import (
    Assignment,
    Attachment,
    BuyerAgreement,
    Message,
    Request,
    RequestEvent,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = [
        "created_at",
        "target_level",
        "target_coordination",
        "target_structure",
        "reason",
        "by",
        "comment",
    ]


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "kind", "author", "body", "emailed_at"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["created_at", "original_name", "detected_type", "size", "sha256"]


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ["created_at", "kind", "actor_user", "actor_repr", "details"]


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "buyer_name",
        "kind",
        "status",
        "target_level",
        "created_at",
        "first_response_due",
    ]
    list_filter = ["status", "kind", "target_level", "publication_timing", "routed_automatically"]
    search_fields = ["reference", "buyer_name", "buyer_siret", "contact_email"]
    date_hierarchy = "created_at"
    inlines = [AssignmentInline, MessageInline, AttachmentInline, EventInline]
    list_select_related = ["target_structure", "target_coordination"]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in Request._meta.get_fields() if f.concrete and not f.many_to_many]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(BuyerAgreement)
class BuyerAgreementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "structure", "valid_from", "valid_until"]
    search_fields = ["buyer_siret", "buyer_organisation__name", "structure__name"]
    autocomplete_fields = ["structure"]
    raw_id_fields = ["buyer_organisation"]

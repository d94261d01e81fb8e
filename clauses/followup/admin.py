"""Administration of the follow-up.

- The eligibility criteria referential is edited here by administrators: a territory adds
  its own version of a criterion (region or département, version, dates in force).
- Participants, validations, assignments, outcomes, positions and candidates are read-only,
  and participants are for superusers only: the lists show what a coordinator may see (no
  eligibility criterion, no birth date), and every opening of a participant is written to
  the audit log (`services.log_participant_view`), as on the pages.
Writes belong to the services (`clauses.followup.services`), never to this admin.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from clauses.access.actors import actor_for_request
from clauses.followup import services
from clauses.followup.models import (
    Assignment,
    Candidate,
    EligibilityCriterion,
    EligibilityValidation,
    Outcome,
    Participant,
    Position,
)


class ReadOnlyMixin:
    """No add, no change, no delete: the services write, the admin only shows."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SuperuserOnlyMixin(ReadOnlyMixin):
    """Personal data: superusers only, even for a staff member with the model permissions."""

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


@admin.register(EligibilityCriterion)
class EligibilityCriterionAdmin(admin.ModelAdmin):
    """The referential: national rows (no territory) come from `load_eligibility_criteria`;
    a territory adds its own version (region or département) here."""

    list_display = [
        "code",
        "label",
        "group",
        "region",
        "department",
        "version",
        "valid_from",
        "valid_until",
        "reveals_sensitive_data",
    ]
    list_filter = ["group", "reveals_sensitive_data", "region", "department"]
    list_select_related = ["region", "department"]
    search_fields = ["code", "label"]
    ordering = ["group", "order", "code", "region", "department", "-version"]
    fieldsets = [
        (None, {"fields": ["code", "label", "group", "order", "source"]}),
        (
            "Territoire et version",
            {
                "fields": ["region", "department", "version", "valid_from", "valid_until"],
                "description": "Sans région ni département, le critère est national. Une "
                "nouvelle version pour un territoire remplace, sur ce territoire, le critère "
                "de même code à partir de sa date d'entrée en vigueur.",
            },
        ),
        (
            "Justificatifs et confidentialité",
            {"fields": ["proof_kinds", "proof_max_age_days", "reveals_sensitive_data"]},
        ),
    ]


class ValidationInline(ReadOnlyMixin, admin.TabularInline):
    model = EligibilityValidation
    extra = 0
    fields = [
        "validated_at",
        "structure",
        "derogation",
        "valid_from",
        "valid_until",
        "withdrawn_at",
        "withdrawal_kind",
    ]
    readonly_fields = fields
    show_change_link = False


class AssignmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["lot", "employer", "modality", "contract_type", "start_date", "end_date"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):  # noqa: ANN201
        return super().get_queryset(request).select_related("lot__market", "employer")


class OutcomeInline(ReadOnlyMixin, admin.TabularInline):
    model = Outcome
    extra = 0
    fields = ["moment", "situation", "category", "contract_months", "recorded_at"]
    readonly_fields = fields


@admin.register(Participant)
class ParticipantAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    """Read-only, superusers only; each opening is an audit event ("vue admin")."""

    list_display = ["__str__", "structure", "department", "created_at", "anonymised_at"]
    list_filter = ["department", "anonymised_at"]
    list_select_related = ["structure", "department"]
    search_fields = ["last_name"]
    show_full_result_count = False
    exclude = ["identity_key"]
    inlines = [ValidationInline, AssignmentInline, OutcomeInline]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        participant = self.get_object(request, object_id)
        if participant is not None and response.status_code == 200:
            services.log_participant_view(
                actor=actor_for_request(request),
                participant=participant,
                via="admin",
            )
        return response


@admin.register(EligibilityValidation)
class EligibilityValidationAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "structure",
        "derogation",
        "valid_until",
        "withdrawn_at",
        "withdrawal_kind",
    ]
    list_filter = ["derogation", "withdrawal_kind"]
    list_select_related = ["structure"]
    exclude = ["criteria", "prescriber_opinion", "notes", "pass_iae_number", "backdating_reason"]


@admin.register(Assignment)
class AssignmentAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "lot", "employer", "modality", "start_date", "end_date"]
    list_filter = ["modality"]
    list_select_related = ["lot__market", "employer"]


@admin.register(Outcome)
class OutcomeAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "moment", "category", "recorded_at"]
    list_filter = ["moment", "category"]


@admin.register(Position)
class PositionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["trade", "company", "lot", "status", "start_date", "openings"]
    list_filter = ["status", "is_demo"]
    list_select_related = ["company", "lot__market"]
    search_fields = ["trade", "company__name"]


@admin.register(Candidate)
class CandidateAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["pk", "position", "status", "precheck_result", "created_at"]
    list_filter = ["status", "precheck_result"]
    list_select_related = ["position"]
    exclude = ["first_name", "last_name", "birth_date", "precheck_note"]

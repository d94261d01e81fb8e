from django.contrib import admin

from clauses.hours.models import CountingSettings, GlobalisationAgreement, ImportBatch


@admin.register(CountingSettings)
class CountingSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "labour_share", "hourly_cost", "eligibility_months"]


@admin.register(GlobalisationAgreement)
class GlobalisationAgreementAdmin(admin.ModelAdmin):
    list_display = ["reference", "company", "signed_on", "ended_on"]
    filter_horizontal = ["clauses"]
    raw_id_fields = ["company"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "file_name", "rows", "created_count"]
    readonly_fields = ["file_hash"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from clauses.accounts.models import (
    EmailChangeRequest,
    Invitation,
    LoginEvent,
    Membership,
    Organisation,
    ProConnectIdentity,
    User,
)
from clauses.accounts.views import admin_login


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["organisation", "role", "is_organisation_admin", "is_confirmed", "is_active"]
    raw_id_fields = ["organisation"]
    readonly_fields = ["is_active"]
    show_change_link = True


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeFormByEmail(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeFormByEmail
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "deactivated_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "phone"]}),
        (
            "Droits",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined", "deactivated_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siret", "buyer_category", "department", "is_confirmed"]
    list_filter = ["kind", "is_confirmed", "buyer_category", "department"]
    search_fields = ["name", "siret", "siren"]
    list_select_related = ["department"]
    raw_id_fields = ["coordination", "structure", "partner", "confirmed_by"]
    readonly_fields = ["created_at", "confirmed_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "organisation",
        "role",
        "is_organisation_admin",
        "is_confirmed",
        "is_active",
        "created_at",
    ]
    list_filter = [
        "role",
        "is_organisation_admin",
        "is_confirmed",
        "is_active",
        "organisation__kind",
    ]
    search_fields = ["user__email", "user__last_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    raw_id_fields = ["user", "organisation", "facilitator", "ended_by"]
    readonly_fields = ["created_at", "ended_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "invited_by", "created_at", "expires_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by", "revoked_by", "facilitator"]
    readonly_fields = ["created_at", "accepted_at", "accepted_by", "revoked_at", "revoked_by"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # An invitation needs its email with the link: send it from the site.
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "email", "success", "reason", "ip", "actor_user"]
    list_filter = ["success", "reason"]
    search_fields = ["email", "ip"]
    list_select_related = ["actor_user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(EmailChangeRequest)
class EmailChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "new_email", "created_at", "confirmed_at"]
    search_fields = ["user__email", "new_email"]
    list_select_related = ["user"]
    exclude = ["token_hash"]
    readonly_fields = ["user", "new_email", "created_at", "expires_at", "confirmed_at"]


@admin.register(ProConnectIdentity)
class ProConnectIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "siret", "idp_id", "multi_factor", "last_login_at"]
    search_fields = ["user__email", "siret"]
    list_select_related = ["user"]
    readonly_fields = ["user", "sub", "idp_id", "uid", "siret", "multi_factor", "last_login_at"]


# One way in: /admin/login/ is the site's login form (same throttle, journal, second factor).
admin.site.login = admin_login  # type: ignore[method-assign]

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are listed and revoked here, never created: the key itself is shown only to its owner.

    The digest is never shown either; ``prefix`` is enough to tell keys apart.
    """

    list_display = [
        "name",
        "prefix",
        "member",
        "team",
        "created_at",
        "last_used_at",
        "expires_at",
        "status_display",
    ]
    list_filter = ["membership__team"]
    search_fields = ["name", "prefix", "membership__user__email", "membership__team__name"]
    list_select_related = ["membership__user", "membership__team"]
    fields = [
        "name",
        "prefix",
        "membership",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="Member", ordering="membership__user__email")
    def member(self, api_key: ApiKey) -> str:
        return api_key.membership.user.email

    @admin.display(description="Team", ordering="membership__team__name")
    def team(self, api_key: ApiKey) -> str:
        return api_key.membership.team.name

    @admin.display(description="Status")
    def status_display(self, api_key: ApiKey) -> str:
        return api_key.get_status_display()

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            services.api_key_revoke(api_key=api_key)
            count += 1
        self.message_user(request, f"{count} API key(s) revoked.", messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

"""The audit log in Django admin: read-only for everyone, filterable and searchable."""

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "team", "action", "actor_email", "subject_email", "summary"]
    list_filter = ["action", "created_at"]
    search_fields = ["team__name", "actor_email", "subject_email", "summary"]
    list_select_related = ["team"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "team",
        "action",
        "actor",
        "actor_email",
        "subject_email",
        "summary",
        "details",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

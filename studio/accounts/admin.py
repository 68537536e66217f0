"""Users in Django admin: Django's user admin, adapted to email login."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.db.models import Count

from studio.admin_extensions import ExtensibleAdminMixin
from studio.teams.models import Membership

from .models import User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address exists already.")
        return email


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ["team", "role", "created_at"]
    readonly_fields = ["team", "role", "created_at"]
    extra = 0
    can_delete = False
    verbose_name_plural = "teams (change memberships on the team's page)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(ExtensibleAdminMixin, DjangoUserAdmin):
    """Apps above accounts add to this page with ``UserAdmin.extend()`` (usage: quotas)."""

    add_form = UserCreationForm
    list_display = [
        "email",
        "name",
        "team_count",
        "is_active",
        "is_staff",
        "last_login",
        "date_joined",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "date_joined", "last_login"]
    search_fields = ["email", "name", "memberships__team__name"]
    ordering = ["email"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["name", "first_name", "last_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "name", "usable_password", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(team_total=Count("memberships"))

    @admin.display(description="Teams", ordering="team_total")
    def team_count(self, user: User) -> int:
        return user.team_total

"""Django admin for the portal's operators: teams with their members, and invitations.

No admin page shows a Krea token: the token columns are left out of every form,
and the admin shows only whether one is set and its last four characters.
Membership changes made here keep the one-owner rule and are written to the
team's audit log like any other.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from studio.admin_extensions import ExtensibleAdminMixin
from studio.audit.models import AuditEntry
from studio.audit.services import audit_record

from . import services
from .models import Invitation, Membership, Role, Team


class MembershipFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if kept and not any(data.get("role") == Role.OWNER for data in kept):
            raise ValidationError(
                "A team must keep at least one owner. Make someone else an owner first."
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Team)
class TeamAdmin(ExtensibleAdminMixin, admin.ModelAdmin):
    """Apps above teams add to this page with ``TeamAdmin.extend()`` (usage: quotas)."""

    list_display = [
        "name",
        "member_count",
        "owner_emails",
        "krea_token",
        "time_zone",
        "concurrency_limit",
        "created_at",
    ]
    list_filter = [("krea_token_last4", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["name", "memberships__user__email"]
    # The token columns are `editable=False`, so no form includes them; only the hint shows.
    fields = ["name", "time_zone", "concurrency_limit", "krea_token", "created_by", "created_at"]
    readonly_fields = ["krea_token", "created_by", "created_at"]
    inlines = [MembershipInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships", distinct=True),
            )
            .prefetch_related("memberships__user")
        )

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, team: Team) -> int:
        return team.member_total

    @admin.display(description="Owners")
    def owner_emails(self, team: Team) -> str:
        return ", ".join(m.user.email for m in team.memberships.all() if m.role == Role.OWNER)

    @admin.display(description="Krea token", ordering="krea_token_last4")
    def krea_token(self, team: Team) -> str:
        return team.krea_token_hint

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Audit entries protect their team: its history outlives any clean-up, so operators
        # remove members and the token instead of deleting the team.
        return False

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        team = form.instance
        before = {m.pk: m.role for m in Membership.objects.filter(team=team)}
        super().save_formset(request, form, formset, change)
        operator = request.user
        for membership in formset.new_objects:
            audit_record(
                team=team,
                action=AuditEntry.Action.MEMBER_JOINED,
                actor=operator,
                subject_email=membership.user.email,
                summary=f"An operator ({operator}) added {membership.user} as "
                f"{membership.get_role_display().lower()}.",
                details={"role": membership.role, "by_operator": True},
            )
        for membership, _changed in formset.changed_objects:
            if before.get(membership.pk) != membership.role:
                audit_record(
                    team=team,
                    action=AuditEntry.Action.MEMBER_ROLE_CHANGED,
                    actor=operator,
                    subject_email=membership.user.email,
                    summary=f"An operator ({operator}) changed {membership.user}'s role to "
                    f"{membership.get_role_display().lower()}.",
                    details={
                        "from": before.get(membership.pk),
                        "to": membership.role,
                        "by_operator": True,
                    },
                )
        for membership in formset.deleted_objects:
            audit_record(
                team=team,
                action=AuditEntry.Action.MEMBER_REMOVED,
                actor=operator,
                subject_email=membership.user.email,
                summary=f"An operator ({operator}) removed {membership.user}.",
                details={"role": before.get(membership.pk), "by_operator": True},
            )


class InvitationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Invitation.Status.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == Invitation.Status.PENDING:
            return queryset.pending()
        if value == Invitation.Status.ACCEPTED:
            return queryset.filter(accepted_at__isnull=False)
        if value == Invitation.Status.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        if value == Invitation.Status.EXPIRED:
            return queryset.filter(
                Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
            )
        return queryset


def _base_url(request: HttpRequest) -> str:
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "team",
        "role",
        "status_display",
        "invited_by",
        "sent_at",
        "expires_at",
    ]
    list_filter = [InvitationStatusFilter, "role", "created_at"]
    search_fields = ["email", "team__name", "invited_by__email"]
    list_select_related = ["team", "invited_by"]
    # The link's secret is never stored; its digest is not shown either.
    fields = [
        "team",
        "email",
        "role",
        "status_display",
        "invited_by",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["resend", "revoke"]
    date_hierarchy = "created_at"

    @admin.display(description="Status")
    def status_display(self, invitation: Invitation) -> str:
        return invitation.get_status_display()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invitations are sent from the team's members page

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Resend selected invitations (new link, new expiry)")
    def resend(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self._each(
            request,
            queryset,
            lambda inv: services.invitation_resend(
                invitation=inv, actor=request.user, base_url=_base_url(request)
            ),
            "resent",
        )

    @admin.action(description="Revoke selected invitations")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        self._each(
            request,
            queryset,
            lambda inv: services.invitation_withdraw(invitation=inv, actor=request.user),
            "revoked",
        )

    def _each(self, request, queryset, action, verb: str) -> None:
        done = 0
        for invitation in queryset:
            try:
                action(invitation)
            except services.TeamRuleError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} invitation(s) {verb}.", messages.SUCCESS)

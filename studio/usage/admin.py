"""Django admin for usage: quotas (inline on teams, and on users where a user admin exists),
the read-only ledger with admin adjustments, and the portal's prices for unpriced models.

Every write goes through ``studio.usage.services`` so quota changes reach the
audit log. The team and user admins belong to apps below usage: this module
extends them (``studio.admin_extensions``) with the quota inlines and the team's
usage this period in the team list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from krea_integration import catalogue
from studio.accounts.admin import UserAdmin
from studio.admin_extensions import AdminExtension
from studio.teams.admin import TeamAdmin
from studio.teams.models import Team

from . import services
from .models import EntryKind, ModelPrice, Quota, UsageEntry, format_cu
from .pricing import TRAINING_PREFIX
from .selectors import job_reservation, quota_status, team_period_usage

# Quotas -------------------------------------------------------------------------------


def _status(quota: Quota):
    return quota_status(quota, time_zone=quota.team.time_zone)


class QuotaForm(forms.ModelForm):
    reset_now = forms.BooleanField(
        label="Reset now",
        required=False,
        help_text="Start the period now: use so far stops counting (the ledger keeps it).",
    )

    class Meta:
        model = Quota
        fields = ["team", "user", "limit_cu", "period"]


class _QuotaDisplay:
    """Read-only columns shared by the quota admin and its inlines."""

    @admin.display(description="Used this period")
    def used_now(self, quota: Quota) -> str:
        if not quota.pk:
            return "-"
        status = _status(quota)
        return f"{format_cu(status.used)} CU, {format_cu(status.left)} CU left"

    @admin.display(description="Resets")
    def resets(self, quota: Quota) -> str:
        return _status(quota).describe_reset() if quota.pk else "-"


class _QuotaInline(_QuotaDisplay, admin.TabularInline):
    model = Quota
    form = QuotaForm
    extra = 0
    readonly_fields = ["used_now", "resets", "reset_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quota]:
        return super().get_queryset(request).select_related("team")


class TeamQuotaInline(_QuotaInline):
    """The team's own quota (one at most), shared by all its members."""

    verbose_name = "team quota"
    verbose_name_plural = "team quota (counts every member's use)"
    fields = ["limit_cu", "period", "used_now", "resets", "reset_at", "reset_now"]
    max_num = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quota]:
        return super().get_queryset(request).filter(user__isnull=True)


class MemberQuotaInline(_QuotaInline):
    """One quota per member; their use also counts against the team quota."""

    verbose_name = "member quota"
    verbose_name_plural = "member quotas"
    fields = ["user", "limit_cu", "period", "used_now", "resets", "reset_at", "reset_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quota]:
        return super().get_queryset(request).filter(user__isnull=False).select_related("user")

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        users = get_user_model().objects.filter(memberships__team=obj) if obj else None
        field = formset.form.base_fields["user"]
        field.queryset = users if users is not None else field.queryset.none()
        field.required = True
        field.help_text = "A member of this team."
        return formset


class UserQuotaInline(_QuotaInline):
    """The user's quotas, one per team they belong to."""

    fk_name = "user"
    verbose_name = "quota"
    verbose_name_plural = "quotas (one per team)"
    fields = ["team", "limit_cu", "period", "used_now", "resets", "reset_at", "reset_now"]

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["team"]
        field.queryset = Team.objects.filter(memberships__user=obj) if obj else Team.objects.none()
        return formset


def _save_quota_formset(request: HttpRequest, formset, *, team=None, user=None) -> None:
    """Apply a quota inline through the services (audit log), not by saving its rows.

    ``team`` is fixed on the team admin, ``user`` on the user admin; the other
    comes from each row.
    """
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.deleted_forms:
        if form.instance.pk:
            services.quota_remove(quota=form.instance, actor=request.user)
            formset.deleted_objects.append(form.instance)
    for form in formset.forms:
        if form in formset.deleted_forms or not form.has_changed() or not form.cleaned_data:
            continue
        data = form.cleaned_data
        row_team = team or data["team"]
        row_user = user if user is not None else data.get("user")
        before = form.instance if form.instance.pk else None
        moved = before is not None and (
            before.team_id != row_team.pk or before.user_id != getattr(row_user, "pk", None)
        )
        if moved:
            services.quota_remove(quota=Quota.objects.get(pk=before.pk), actor=request.user)
        quota = services.quota_set(
            team=row_team,
            user=row_user,
            limit_cu=data["limit_cu"],
            period=data["period"],
            actor=request.user,
        )
        if data.get("reset_now"):
            quota = services.quota_reset(quota=quota, actor=request.user)
        form.instance = quota
        if before is None or moved:
            formset.new_objects.append(quota)
        else:
            formset.changed_objects.append((quota, form.changed_data))


@admin.register(Quota)
class QuotaAdmin(_QuotaDisplay, admin.ModelAdmin):
    form = QuotaForm
    list_display = ["team", "member", "limit", "period", "used_now", "resets", "updated_at"]
    list_filter = ["period", ("team", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["team", "user"]
    search_fields = ["team__name", "user__email"]
    ordering = ["team__name", "user__email"]
    actions = ["reset_selected"]

    def get_fields(self, request: HttpRequest, obj=None):
        base = ["team", "user", "limit_cu", "period"]
        return [*base, "used_now", "resets", "reset_at", "reset_now"] if obj else base

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return []
        return ["team", "user", "used_now", "resets", "reset_at"]

    @admin.display(description="Member", ordering="user__email")
    def member(self, quota: Quota) -> str:
        return str(quota.user) if quota.user_id else "(the whole team)"

    @admin.display(description="Limit", ordering="limit_cu")
    def limit(self, quota: Quota) -> str:
        return f"{format_cu(quota.limit_cu)} CU"

    def save_model(self, request: HttpRequest, obj: Quota, form, change: bool) -> None:
        data = form.cleaned_data
        team = obj.team if change else data["team"]
        user = obj.user if change else data.get("user")
        quota = services.quota_set(
            team=team,
            user=user,
            limit_cu=data["limit_cu"],
            period=data["period"],
            actor=request.user,
        )
        if data.get("reset_now"):
            quota = services.quota_reset(quota=quota, actor=request.user)
        obj.pk, obj._state.adding = quota.pk, False

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class CheckedQuotaForm(form):
            def clean(self):
                cleaned = super().clean()
                team, user = cleaned.get("team"), cleaned.get("user")
                if obj is None and team and user and not team.memberships.filter(user=user):
                    self.add_error("user", f"{user} is not a member of {team}.")
                return cleaned

        return CheckedQuotaForm

    def delete_model(self, request: HttpRequest, obj: Quota) -> None:
        services.quota_remove(quota=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Quota]) -> None:
        for quota in queryset:
            services.quota_remove(quota=quota, actor=request.user)

    @admin.action(description="Reset the selected quotas (start their period now)")
    def reset_selected(self, request: HttpRequest, queryset: QuerySet[Quota]) -> None:
        for quota in queryset:
            services.quota_reset(quota=quota, actor=request.user)
        self.message_user(request, f"{queryset.count()} quota(s) reset.", messages.SUCCESS)


# The ledger ---------------------------------------------------------------------------


class AdjustmentForm(forms.ModelForm):
    """An admin's correction: the only entry that can be added by hand."""

    class Meta:
        model = UsageEntry
        fields = ["team", "user", "job_uuid", "cu", "reason"]
        labels = {"cu": "CU (positive adds use, negative gives CU back)", "user": "Member"}
        help_texts = {"job_uuid": "Optional: the id of the job this corrects (its page's URL)."}

    def clean(self):
        cleaned = super().clean()
        team, user, job_uuid = cleaned.get("team"), cleaned.get("user"), cleaned.get("job_uuid")
        if not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why: an adjustment needs a reason.")
        if cleaned.get("cu") == 0:
            self.add_error("cu", "An adjustment of 0 CU changes nothing.")
        reservation = job_reservation(job_uuid=job_uuid) if job_uuid else None
        if job_uuid and reservation is None:
            self.add_error("job_uuid", "No job with that id has used CU.")
        elif team and reservation and reservation.team_id != team.pk:
            self.add_error("job_uuid", "That job belongs to another team.")
        if (
            team
            and user
            and not team.memberships.filter(user=user).exists()
            and not (reservation and reservation.user_id == user.pk)
        ):
            self.add_error("user", f"{user} is not a member of {team}.")
        return cleaned


@admin.register(UsageEntry)
class UsageEntryAdmin(admin.ModelAdmin):
    """The ledger, read-only. "Add" records an adjustment with a reason; nothing is edited."""

    list_display = [
        "created_at",
        "team",
        "user",
        "kind",
        "cu_display",
        "job_display",
        "model_id",
        "reason",
        "created_by",
    ]
    list_filter = [
        ("team", admin.RelatedOnlyFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
        "kind",
        "created_at",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["team", "user", "created_by"]
    search_fields = ["user__email", "team__name", "model_id", "reason", "=job_uuid"]
    raw_id_fields = ["user"]
    readonly_fields = [
        "team",
        "user",
        "job_display",
        "kind",
        "cu",
        "model_id",
        "reason",
        "created_by",
        "created_at",
        "period_at",
    ]

    @admin.display(description="CU", ordering="cu")
    def cu_display(self, entry: UsageEntry) -> str:
        return format_cu(entry.cu)

    @admin.display(description="Job")
    def job_display(self, entry: UsageEntry) -> str:
        if entry.job_uuid is None:
            return "-"
        return format_html(
            '<a href="{}">{} {}</a>',
            reverse("job_detail", args=[entry.job_uuid]),
            entry.model_name,
            str(entry.job_uuid)[:8],
        )

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = AdjustmentForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        return AdjustmentForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: UsageEntry, form, change: bool) -> None:
        data = form.cleaned_data
        entry = services.usage_adjust(
            team=data["team"],
            user=data.get("user"),
            job_uuid=data.get("job_uuid"),
            cu=data["cu"],
            reason=data["reason"],
            actor=request.user,
        )
        obj.pk, obj.kind, obj._state.adding = entry.pk, EntryKind.ADJUST, False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# Prices ---------------------------------------------------------------------------------


def _price_choices() -> list[tuple[str, str]]:
    """Unpriced models first: those are the ones that need a price here."""
    models = sorted(catalogue.load(), key=lambda model: (model.price is not None, model.id))
    choices = [
        (model.id, f"{model.id} ({'no published price' if model.price is None else 'priced'})")
        for model in models
    ]
    training = catalogue.load().training
    for name in training.models if training else []:
        published = name in training.step_prices
        label = "per step, " + ("priced" if published else "no published price")
        choices.append((f"{TRAINING_PREFIX}{name}", f"{TRAINING_PREFIX}{name} ({label})"))
    for source in _PRICE_CHOICE_SOURCES:
        choices += source()
    return choices


# Apps above usage that price things of their own (node apps, per run) add them here.
_PRICE_CHOICE_SOURCES: list[Callable[[], Iterable[tuple[str, str]]]] = []


def add_price_choices(source: Callable[[], Iterable[tuple[str, str]]]) -> None:
    """Offer ``source()``'s ``(model id, label)`` pairs in the price form's model list."""
    if source not in _PRICE_CHOICE_SOURCES:
        _PRICE_CHOICE_SOURCES.append(source)


class ModelPriceForm(forms.ModelForm):
    model_id = forms.ChoiceField(label="Model", choices=_price_choices)

    class Meta:
        model = ModelPrice
        fields = ["model_id", "cu", "note"]


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    """Prices for models Krea publishes none for; estimates marked as the portal's own."""

    form = ModelPriceForm
    list_display = ["model_id", "cu", "note", "updated_at", "updated_by"]
    search_fields = ["model_id", "note"]

    def save_model(self, request: HttpRequest, obj: ModelPrice, form, change: bool) -> None:
        obj.updated_by, obj.updated_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


# Teams and users: their admins belong to lower apps and take extensions -------------------


@admin.display(description="Used this period")
def usage_this_period(team: Team) -> str:
    return team_period_usage(team).describe()


TeamAdmin.extend(
    AdminExtension(
        inlines=(TeamQuotaInline, MemberQuotaInline),
        columns=(usage_this_period,),
        save_formset=lambda request, team, formset: _save_quota_formset(
            request, formset, team=team
        ),
    )
)
UserAdmin.extend(
    AdminExtension(
        inlines=(UserQuotaInline,),
        save_formset=lambda request, user, formset: _save_quota_formset(
            request, formset, user=user
        ),
    )
)

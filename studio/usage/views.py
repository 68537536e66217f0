"""Usage pages: a member's own usage, the team's usage with charts and CSV, the quota page."""

from __future__ import annotations

import csv
import zoneinfo
from collections.abc import Iterator
from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from studio.teams.models import Membership, Role, Team
from studio.teams.scoping import get_team_object_or_404, team_required
from studio.teams.selectors import team_memberships

from . import selectors, services
from .charts import stacked_daily_chart
from .forms import QuotaForm, RangeForm
from .models import Period, Quota, format_cu
from .periods import calendar_window


def _today(team: Team) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(team.time_zone)).date()


@team_required()
@require_GET
def my_usage(request: HttpRequest) -> HttpResponse:
    """What you used and have left in this period, and your recent charges with their jobs."""
    membership, team = request.membership, request.team
    month = calendar_window(Period.MONTH, time_zone=team.time_zone)
    with timezone.override(team.time_zone):  # times shown in the zone quotas follow
        return render(
            request,
            "usage/my_usage.html",
            {
                "membership": membership,
                "allowance": selectors.allowance_for(membership=membership),
                "used_this_month": selectors.cu_used(
                    team=team, user=request.user, since=month.start
                ),
                "entries": selectors.member_recent_entries(team=team, user=request.user),
                "holds": selectors.member_holds(team=team, user=request.user),
            },
        )


@team_required(role=Role.ADMIN)
@require_GET
def team_usage(request: HttpRequest) -> HttpResponse:
    """Charts of CU per day by member and by model over a range, top lists, quotas now."""
    team = request.team
    form = RangeForm(request.GET or None, today=_today(team))
    first, last = form.days()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    charts = []
    for by, title in (("user", "CU per day by member"), ("model_id", "CU per day by model")):
        values = selectors.daily_usage(team=team, first=first, last=last, by=by)
        labels = selectors.series_labels(team=team, keys={key for _, key in values}, by=by)
        charts.append(stacked_daily_chart(title=title, days=days, values=values, labels=labels))
    statuses = selectors.member_quota_statuses(team=team)
    members = [(m, statuses.get(m.user_id)) for m in team_memberships(team)]
    top_members = selectors.usage_totals(team=team, first=first, last=last, by="user")
    top_models = selectors.usage_totals(team=team, first=first, last=last, by="model_id")
    context = {
        "form": form,
        "first": first,
        "last": last,
        "range_total": sum((t.cu for t in top_members), selectors.ZERO),
        "charts": charts,
        "top_members": top_members[:10],
        "top_models": top_models[:10],
        "team_period": selectors.team_period_usage(team),
        "members": members,
        "export_query": f"start={first.isoformat()}&end={last.isoformat()}",
        "membership": request.membership,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "usage/team_usage.html#results" if partial else "usage/team_usage.html"
    return render(request, template, context)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: keep text as text.
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@team_required(role=Role.ADMIN)
@require_GET
def usage_export(request: HttpRequest) -> HttpResponse:
    """The team's ledger for a range of days, as CSV (one row per entry)."""
    team = request.team
    form = RangeForm(request.GET or None, today=_today(team))
    if form.is_bound and not form.is_valid():
        errors = "; ".join(e for field in form.errors.values() for e in field)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    first, last = form.days()
    tz = zoneinfo.ZoneInfo(team.time_zone)
    entries = selectors.ledger_for_export(team=team, first=first, last=last)

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(
            [
                "recorded_at",
                "counts_on",
                "kind",
                "cu",
                "member_email",
                "member_name",
                "job",
                "model",
                "reason",
                "recorded_by",
            ]
        )
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    entry.created_at.astimezone(tz).isoformat(),
                    entry.period_at.astimezone(tz).date().isoformat(),
                    entry.kind,
                    str(entry.cu),  # numbers stay numbers, negative ones included
                    _cell(entry.user.email if entry.user else ""),
                    _cell(entry.user.name if entry.user else ""),
                    str(entry.job_uuid or ""),
                    _cell(entry.model_id),
                    _cell(entry.reason),
                    _cell(entry.created_by.email if entry.created_by else ""),
                ]
            )

    name = f"usage-{slugify(team.name) or team.pk}-{first.isoformat()}-{last.isoformat()}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Quotas, for the team's owners ------------------------------------------------------------


def _quota_forms(team: Team, *, bound: tuple[str, QuotaForm] | None = None):
    """The team's quota form and one per member, prefilled; ``bound`` replaces one with errors."""
    team_quota = Quota.objects.filter(team=team, user__isnull=True).first()
    member_quotas = {q.user_id: q for q in Quota.objects.filter(team=team, user__isnull=False)}

    def form_for(prefix: str, quota: Quota | None, who: str) -> QuotaForm:
        if bound and bound[0] == prefix:
            return bound[1]
        initial = (
            {"limit_cu": format_cu(quota.limit_cu).replace(",", ""), "period": quota.period}
            if quota
            else None
        )
        return QuotaForm(prefix=prefix, initial=initial, label_suffix_for=who)

    team_row = {
        "quota": team_quota,
        "status": selectors.quota_status(team_quota, time_zone=team.time_zone)
        if team_quota
        else None,
        "form": form_for("team", team_quota, "the team"),
    }
    rows = []
    for membership in team_memberships(team):
        quota = member_quotas.get(membership.user_id)
        rows.append(
            {
                "membership": membership,
                "quota": quota,
                "status": selectors.quota_status(quota, time_zone=team.time_zone)
                if quota
                else None,
                "form": form_for(f"m{membership.pk}", quota, membership.user.display_name),
            }
        )
    return team_row, rows


def _quotas_page(request: HttpRequest, *, bound=None, status: int = 200) -> HttpResponse:
    team_row, rows = _quota_forms(request.team, bound=bound)
    return render(
        request,
        "usage/quotas.html",
        {"team_row": team_row, "rows": rows, "membership": request.membership},
        status=status,
    )


@team_required(role=Role.OWNER)
@require_GET
def quotas(request: HttpRequest) -> HttpResponse:
    """Set, change, reset and remove the team's quota and each member's."""
    return _quotas_page(request)


@team_required(role=Role.OWNER)
@require_POST
def quota_save(request: HttpRequest, membership_id: int | None = None) -> HttpResponse:
    target = (
        get_team_object_or_404(request, Membership.objects.select_related("user"), pk=membership_id)
        if membership_id is not None
        else None
    )
    prefix = f"m{target.pk}" if target else "team"
    who = target.user.display_name if target else "the team"
    form = QuotaForm(request.POST, prefix=prefix, label_suffix_for=who)
    if not form.is_valid():
        return _quotas_page(request, bound=(prefix, form), status=400)
    quota = services.quota_set(
        team=request.team,
        user=target.user if target else None,
        limit_cu=form.cleaned_data["limit_cu"],
        period=form.cleaned_data["period"],
        actor=request.user,
    )
    messages.success(
        request,
        f"The quota for {who} is {quota.describe_limit()}.",
    )
    return redirect("usage_quotas")


@team_required(role=Role.OWNER)
@require_POST
def quota_reset(request: HttpRequest, quota_id: int) -> HttpResponse:
    quota = get_team_object_or_404(request, Quota.objects.select_related("user"), pk=quota_id)
    services.quota_reset(quota=quota, actor=request.user)
    who = quota.user.display_name if quota.user else "the team"
    messages.success(request, f"The quota for {who} is reset: its period starts now.")
    return redirect("usage_quotas")


@team_required(role=Role.OWNER)
@require_POST
def quota_remove(request: HttpRequest, quota_id: int) -> HttpResponse:
    quota = get_team_object_or_404(request, Quota.objects.select_related("user"), pk=quota_id)
    services.quota_remove(quota=quota, actor=request.user)
    who = quota.user.display_name if quota.user else "the team"
    messages.success(request, f"The quota for {who} is removed: no limit at that level.")
    return redirect("usage_quotas")

"""Reading a team's audit log, with the filters of the audit page."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry


def audit_entries(
    *,
    team,
    action: str = "",
    person: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """``team``'s entries, newest first. ``person`` matches who acted or whom it was about."""
    qs = AuditEntry.objects.filter(team=team).select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if person:
        qs = qs.filter(Q(actor_email__icontains=person) | Q(subject_email__icontains=person))
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(created_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return qs.order_by("-created_at", "-pk")

"""Template filters of the generation pages: CU figures, durations, state badges."""

import json
from datetime import timedelta

from django import template
from django.utils.safestring import mark_safe

from studio.generation.live import job_followed, job_live_state, live_token
from studio.generation.models import TERMINAL, JobStatus
from studio.generation.selectors import job_card, job_parameters, model_price_label

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """``0:07``, ``2:05``, ``1:02:03``: minutes and seconds, hours when there are any."""
    if value is None:
        return ""
    seconds = max(int(value.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@register.filter
def status_tone(status: str) -> str:
    """The badge modifier for a job state: ok, danger, or busy while it runs."""
    if status == JobStatus.COMPLETED:
        return "ok"
    if status in (JobStatus.FAILED, JobStatus.CANCELLED):
        return "danger" if status == JobStatus.FAILED else ""
    return "" if status in TERMINAL else "busy"


@register.filter
def live_attrs(job) -> str:
    """The attributes that make an element showing ``job`` follow it live (``live.js``)."""
    attrs = f'data-live-job="{job.uuid}" data-live-state="{job_live_state(job)}"'
    if job_followed(job):
        attrs += " data-live-follow"
    if not job.is_terminal:
        attrs += " data-live-active"  # running at Krea: refreshed while on screen
    return mark_safe(attrs)  # noqa: S308  (a uuid and a state built from enums and counts)


@register.filter
def live_state(job) -> str:
    """What a page shows of ``job``, as the string live.js compares (``job_live_state``)."""
    return job_live_state(job)


@register.simple_tag(takes_context=True)
def page_live_token(context) -> str:
    """The live token of the member's page: its polls are answered without the session."""
    request = context["request"]
    return live_token(team_id=request.team.pk, user_id=request.user.pk)


@register.filter
def price_label(model) -> str:
    """A catalogue model's price for the picker: "3 CU", "from 458 CU", "price not published"."""
    return model_price_label(model)


@register.filter
def param_value(value) -> str:
    """A request parameter as sent: JSON for lists and objects, else as it reads."""
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@register.simple_tag
def card_for(job):
    """``{% card_for job as card %}``: what the job's live card shows (``selectors.job_card``)."""
    return job_card(job)


@register.simple_tag
def parameters_of(job):
    """``{% parameters_of job as params %}``: its parameters in words, as on the job page."""
    return job_parameters(job)

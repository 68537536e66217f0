"""Template tags other apps' templates use to show styles (generation imports nothing from here)."""

from django import template

from studio.styles import selectors

register = template.Library()


@register.simple_tag
def job_styles(job):
    """The styles a job asked for, with the team's own style when it is one."""
    return selectors.job_styles(job)


@register.simple_tag
def picked_styles(field, team):
    """The styles a generate form's ``styles`` field holds, with their names."""
    rows = field.field.widget.format_value(field.value())
    return selectors.picked_styles(team=team, rows=rows)


@register.simple_tag
def strength_range(field):
    """The strength slider's ``min``, ``max`` and ``step`` from the schema (Krea's -2..2)."""
    part = next((p for p in field.field.parts if p.name == "strength"), None)
    low = part.spec.minimum if part and part.spec.minimum is not None else 0
    high = part.spec.maximum if part and part.spec.maximum is not None else 2
    return {"min": low, "max": high, "step": 0.05}

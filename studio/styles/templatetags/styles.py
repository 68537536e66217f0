"""Template tags other apps' templates use to show styles (generation imports nothing from here)."""

from django import template

from studio.styles import selectors

register = template.Library()


@register.simple_tag
def job_styles(job):
    """The styles a job asked for, with the team's own style when it is one."""
    return selectors.job_styles(job)

"""Template tags of the teams app, for the header's team switcher."""

from django import template

from studio.teams.selectors import memberships_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def user_memberships(context) -> list:
    """The logged-in user's memberships (with their teams), or an empty list."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return list(memberships_for_user(user))

"""The main navigation, as a context processor: one list, in one place."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, URL name). An app adds its page here when it lands.
MAIN_NAVIGATION: list[tuple[str, str]] = [
    ("Dashboard", "dashboard"),
    ("Generate", "generate"),
    ("Models", "model_browser"),
    ("Jobs", "jobs"),
    ("Gallery", "gallery"),
    ("Assets", "asset_library"),
    ("Styles", "styles"),
    ("Node apps", "node_apps"),
    ("Usage", "usage"),
    ("Team", "team_home"),
    ("API keys", "api_keys"),
    ("Webhooks", "webhooks:list"),
]
# Pages only the team's owners and admins may open: not offered to members.
MANAGERS_ONLY = {"webhooks:list"}


def nav_items(request: HttpRequest) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    items = []
    membership = getattr(request, "membership", None)
    manager = membership is not None and membership.can_manage
    for label, name in MAIN_NAVIGATION:
        if name in MANAGERS_ONLY and not manager:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app that is not installed in this deployment
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}

"""The main navigation, as a context processor: one list, in one place."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, URL name). An app adds its page here when it lands.
MAIN_NAVIGATION: list[tuple[str, str]] = [
    ("Dashboard", "dashboard"),
    ("Generate", "generate"),
    ("Jobs", "jobs"),
    ("Gallery", "gallery"),
    ("Assets", "asset_library"),
    ("Styles", "styles"),
    ("Node apps", "node_apps"),
    ("Usage", "usage"),
    ("Team", "team_home"),
    ("API keys", "api_keys"),
]
# Pages reached from another page, not the header (it must fit one row at 1280 px): the
# model browser from Generate, webhooks from API keys. Layout and CSP tests walk these too.
LINKED_PAGES: list[tuple[str, str]] = [
    ("Models", "model_browser"),
    ("Webhooks", "webhooks:list"),
]


def nav_items(request: HttpRequest) -> dict:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name in MAIN_NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:  # an app that is not installed in this deployment
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}

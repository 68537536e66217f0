"""Django admin: node apps the teams saved can be given a price per run (usage's form)."""

from __future__ import annotations

from collections.abc import Iterator

from studio.generation.runs import NODE_APP_PREFIX
from studio.usage.admin import add_price_choices

from .models import NodeApp


def node_app_price_choices() -> Iterator[tuple[str, str]]:
    pairs = NodeApp.objects.order_by("name").values_list("version_id", "name").distinct()
    for version_id, name in pairs:
        model_id = f"{NODE_APP_PREFIX}{version_id}"
        yield model_id, f"{model_id} (node app {name}, per run)"


add_price_choices(node_app_price_choices)

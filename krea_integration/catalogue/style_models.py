"""Which generation models take styles trained on which base model: the portal's own data.

A style's ``models`` are training base models (``flux_dev``, ``wan``...); a
generation model's schema says only that it takes ``styles``. This map joins
the two. ``refresh_krea_catalogue`` reports models that take ``styles`` and are
missing here, so a new one is added by hand after checking which LoRAs it loads.
"""

from __future__ import annotations

from collections.abc import Iterable

from .entries import Catalogue, Model

# Generation model id -> the training base models whose styles it loads.
STYLE_BASES: dict[str, tuple[str, ...]] = {
    "image/bfl/flux-1-dev": ("flux_dev", "flux_schnell"),
    "image/qwen/2512": ("qwen",),
    "image/z-image/z-image": ("z-image",),
    "video/alibaba/wan-2.1": ("wan",),
    "video/alibaba/wan-2.2": ("wan22",),
}


def takes_styles(model: Model) -> bool:
    """Whether the model's request schema has a ``styles`` list."""
    return "styles" in (model.request_schema.get("properties") or {})


def style_bases(model_id: str) -> tuple[str, ...]:
    """The base models whose styles ``model_id`` loads (empty: none known)."""
    return STYLE_BASES.get(model_id, ())


def style_generation_models(bases: Iterable[str]) -> list[str]:
    """Generation models that load styles of any of ``bases``, in the map's order."""
    wanted = set(bases)
    return [model_id for model_id, taken in STYLE_BASES.items() if wanted & set(taken)]


def unmapped_style_models(catalogue: Catalogue) -> list[str]:
    """Models that take ``styles`` but are missing from ``STYLE_BASES`` (none offered)."""
    return [m.id for m in catalogue.models if takes_styles(m) and m.id not in STYLE_BASES]

"""Styles (LoRAs): who sees which, and what ``GET /styles`` filters mean here.

A token sees its own styles, styles shared with its workspace, and public styles
(Krea's official ones, with ``owner: null``, and public community styles). The
filters of ``GET /styles`` pick among those:

``all`` every visible style; ``user`` the token's own; ``community`` and ``gallery``
public styles made by users; ``krea`` and ``editor`` Krea's official styles;
``shared`` styles shared with the token's workspace; ``public`` every public style;
``unapproved`` nothing (the simulator reviews nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clock import isoformat
from .jobs import OutputFile

__all__ = ["BUILTIN_STYLES", "STYLE_FILTERS", "BuiltinStyle", "Identity", "StyleRecord"]

STYLE_FILTERS = (
    "all",
    "user",
    "community",
    "krea",
    "shared",
    "unapproved",
    "editor",
    "gallery",
    "public",
)


@dataclass(frozen=True)
class Identity:
    """The Krea API user behind a token, and its workspace."""

    id: str
    name: str
    workspace_id: str
    workspace_name: str | None

    def owner_json(self) -> dict[str, Any]:
        """The ``owner`` object of a style this identity made."""
        return {"id": self.id, "name": self.name, "avatar_url": None}


@dataclass
class StyleRecord:
    """One style: trained by a token, or one of Krea's own (``owner is None``)."""

    id: str
    title: str | None
    prompt: str
    models: list[str]
    created_at: datetime
    owner_token: str | None
    owner: Identity | None
    previews: list[OutputFile] = field(default_factory=list)
    urls: list[str] | None = None
    cover_url: str | None = None
    public: bool = False
    like_count: int = 0
    base_url: str | None = None
    shared_workspaces: set[str] = field(default_factory=set)
    share_code: str | None = None

    def to_json(self, request_base_url: str) -> dict[str, Any]:
        """The style as Krea shows it."""
        base = self.base_url or request_base_url
        preview_urls = [f.url(base) for f in self.previews]
        urls = self.urls if self.urls is not None else preview_urls
        cover = self.cover_url
        if cover is None and preview_urls:
            cover = preview_urls[0]
        return {
            "id": self.id,
            "title": self.title,
            "urls": list(urls),
            "public": self.public,
            "cover_url": cover,
            "prompt": self.prompt,
            "models": list(self.models),
            "owner": self.owner.owner_json() if self.owner else None,
            "like_count": self.like_count,
            "created_at": isoformat(self.created_at),
        }

    def visible_to(self, token: str, identity: Identity) -> bool:
        """Whether ``token`` may see this style at all."""
        return (
            self.public
            or self.owner_token == token
            or identity.workspace_id in self.shared_workspaces
        )

    def matches_filter(self, name: str, token: str, identity: Identity) -> bool:
        """Whether this (visible) style belongs in ``GET /styles?filter=name``."""
        if name == "all":
            return True
        if name == "user":
            return self.owner_token == token
        if name in ("community", "gallery"):
            return self.public and self.owner is not None
        if name in ("krea", "editor"):
            return self.owner is None
        if name == "shared":
            return identity.workspace_id in self.shared_workspaces
        if name == "public":
            return self.public
        return False


@dataclass(frozen=True)
class BuiltinStyle:
    """One of Krea's official styles that every token sees."""

    id: str
    title: str
    prompt: str
    models: tuple[str, ...]
    like_count: int


BUILTIN_STYLES = (
    BuiltinStyle(
        "5a1b7c1e-2f0d-4c59-9a55-0d7b3c7a9e01",
        "Watercolor Wash",
        "soft watercolor wash, bleeding pigments, paper texture",
        ("flux_dev", "flux_schnell"),
        412,
    ),
    BuiltinStyle(
        "5a1b7c1e-2f0d-4c59-9a55-0d7b3c7a9e02",
        "Neon Noir",
        "neon noir, rain-slicked streets, magenta and cyan rim light",
        ("flux_dev",),
        1290,
    ),
    BuiltinStyle(
        "5a1b7c1e-2f0d-4c59-9a55-0d7b3c7a9e03",
        "Claymation",
        "handmade claymation, fingerprints in plasticine, stop-motion set",
        ("flux_dev", "wan"),
        733,
    ),
)

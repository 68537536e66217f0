"""Krea's cursor paging: newest first, ``cursor`` = items created before that time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from .clock import isoformat, parse_time
from .state import ApiError

__all__ = ["DEFAULT_PAGE", "MAX_PAGE", "page_of", "parse_cursor", "parse_limit"]

MAX_PAGE = 1000
DEFAULT_PAGE = 100

T = TypeVar("T")


def parse_cursor(cursor: str | None) -> datetime | None:
    """The time a ``cursor`` query value names (none when absent or empty)."""
    if cursor is None or cursor == "":
        return None
    try:
        return parse_time(cursor)
    except ValueError:
        raise ApiError(400, "cursor must be an ISO 8601 timestamp.") from None


def parse_limit(limit: str | None) -> int:
    """The page size a ``limit`` query value asks for (100 when absent)."""
    if limit is None or limit == "":
        return DEFAULT_PAGE
    try:
        size = int(limit)
    except ValueError:
        raise ApiError(400, "limit must be a whole number from 1 to 1000.") from None
    if not 1 <= size <= MAX_PAGE:
        raise ApiError(400, "limit must be a whole number from 1 to 1000.")
    return size


def page_of(
    items: Sequence[T],
    created: Callable[[T], datetime],
    show: Callable[[T], dict[str, Any]],
    *,
    cursor: str | None,
    limit: str | None,
) -> dict[str, Any]:
    """One page of ``items`` (already newest first): ``{"items": [...], "next_cursor"}``."""
    before = parse_cursor(cursor)
    size = parse_limit(limit)
    if before is not None:
        items = [i for i in items if created(i) < before]
    page = items[:size]
    next_cursor = isoformat(created(page[-1])) if len(items) > size else None
    return {"items": [show(i) for i in page], "next_cursor": next_cursor}

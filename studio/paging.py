"""Keyset pages of anything listed newest first: the Jobs page, the Gallery, the asset library.

The cost of a page does not depend on how far down it is, and items added while
someone reads do not shift the next page.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

PAGE_SIZE = 24


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def _encode_cursor(created_at: datetime, pk: int) -> str:
    raw = f"{created_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        moment = datetime.fromisoformat(stamp)
        if timezone.is_naive(moment):
            return None
        return moment, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def keyset_page(queryset: QuerySet, *, cursor: str = "", size: int = PAGE_SIZE) -> Page:
    """One page of a queryset ordered newest first by ``(created_at, id)``.

    ``cursor`` is the position after the previous page's last item (an unreadable
    one starts from the top). The cost of a page does not depend on how far down
    it is.
    """
    position = _decode_cursor(cursor) if cursor else None
    if position:
        moment, pk = position
        queryset = queryset.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=pk))
    items = list(queryset.order_by("-created_at", "-id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    next_cursor = _encode_cursor(items[-1].created_at, items[-1].pk) if more else None
    return Page(items=items, next_cursor=next_cursor)

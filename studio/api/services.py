"""Writes for API keys: create (the only time the key is seen), revoke, record use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from studio.teams.models import Membership

from .models import KEY_PREFIX, ApiKey, api_key_digest

# Characters of the key kept in clear so people can tell their keys apart.
VISIBLE_LENGTH = len(KEY_PREFIX) + 4
# Writing last_used_at on every request would make each API call a write.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    key: str
    """The full key: shown to its owner once, never stored."""


def api_key_create(
    *, membership: Membership, name: str, expires_at: datetime | None = None
) -> CreatedApiKey:
    """Make a key that acts as ``membership``'s member in its team.

    Returns the key in clear alongside its row; only its digest and prefix are stored.
    """
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        membership=membership,
        name=name.strip(),
        prefix=key[:VISIBLE_LENGTH],
        digest=api_key_digest(key),
        expires_at=expires_at,
    )
    return CreatedApiKey(api_key=api_key, key=key)


def api_key_revoke(*, api_key: ApiKey) -> None:
    """Stop a key from working, for good. Revoking twice keeps the first time."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=api_key.revoked_at
        )


def api_key_record_use(*, api_key: ApiKey) -> None:
    """Remember when the key was last used, to the minute (one write a minute at most)."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_PRECISION:
        return
    api_key.last_used_at = now
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)

"""Writes for API keys: create (the only time the key is seen), revoke, record use; and the
Idempotency-Key records that make a retried POST answer without running twice."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from studio.teams.models import Membership

from .models import KEY_PREFIX, ApiKey, IdempotencyKey, api_key_digest

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


# Idempotency-Key ----------------------------------------------------------------------

# How long a key's first answer is kept and replayed.
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)
# A first request that has not answered after this long died with its process: its key
# may be used again (no request of the API runs anywhere near this long).
IDEMPOTENCY_ABANDONED_AFTER = timedelta(minutes=5)


class IdempotencyOutcome(enum.Enum):
    NEW = "new"  # run the request, then ``idempotency_key_finish``
    REPLAY = "replay"  # answer with the stored response
    IN_PROGRESS = "in_progress"  # the first request with this key is still running
    CONFLICT = "conflict"  # the key was first used for another request


@dataclass(frozen=True)
class IdempotencyClaim:
    outcome: IdempotencyOutcome
    record: IdempotencyKey


def idempotency_key_claim(
    *, api_key: ApiKey, key: str, method: str, path: str, request_digest: str
) -> IdempotencyClaim:
    """Claim ``key`` for this request, or say what its earlier use answered.

    The unique (api key, key) row is the lock: of concurrent first requests exactly one
    inserts it (the others wait for that insert's commit, then see it), so one runs.
    """
    now = timezone.now()
    fresh = IdempotencyKey(
        api_key=api_key,
        key=key,
        method=method,
        path=path,
        request_digest=request_digest,
        created_at=now,
    )
    try:
        with transaction.atomic():
            fresh.save(force_insert=True)
        return IdempotencyClaim(IdempotencyOutcome.NEW, fresh)
    except IntegrityError:
        pass
    record = IdempotencyKey.objects.get(api_key=api_key, key=key)
    stale = now - record.created_at >= IDEMPOTENCY_KEY_LIFETIME or (
        not record.is_finished and now - record.created_at >= IDEMPOTENCY_ABANDONED_AFTER
    )
    if stale:
        # Expired, or its request died: take the key over, if no other retry did first.
        taken = IdempotencyKey.objects.filter(pk=record.pk, created_at=record.created_at).update(
            method=method,
            path=path,
            request_digest=request_digest,
            created_at=now,
            response_status=None,
            response_headers={},
            response_body=b"",
        )
        if taken:
            record.refresh_from_db()
            return IdempotencyClaim(IdempotencyOutcome.NEW, record)
        record.refresh_from_db()
    if (record.method, record.path, record.request_digest) != (method, path, request_digest):
        return IdempotencyClaim(IdempotencyOutcome.CONFLICT, record)
    if not record.is_finished:
        return IdempotencyClaim(IdempotencyOutcome.IN_PROGRESS, record)
    return IdempotencyClaim(IdempotencyOutcome.REPLAY, record)


def idempotency_key_finish(
    *, record: IdempotencyKey, status: int, headers: dict[str, str], body: bytes
) -> None:
    """Keep the first request's answer, to replay it to retries."""
    IdempotencyKey.objects.filter(pk=record.pk, created_at=record.created_at).update(
        response_status=status, response_headers=headers, response_body=body
    )


def idempotency_key_release(*, record: IdempotencyKey) -> None:
    """Forget a key whose request failed without an answer worth keeping (a 5xx): retry runs."""
    IdempotencyKey.objects.filter(pk=record.pk, created_at=record.created_at).delete()


def idempotency_keys_expire(*, now: datetime | None = None) -> int:
    """Delete keys older than their lifetime; returns how many."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_KEY_LIFETIME
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted

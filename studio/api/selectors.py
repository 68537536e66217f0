"""Reads for API keys."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import KEY_PREFIX, ApiKey, api_key_digest


def api_key_for_secret(key: str) -> ApiKey | None:
    """The working key matching ``key`` (with its member and team), or None.

    Unknown, revoked and expired keys all answer None.
    """
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    # One lookup by the unique digest, and the key's own status decides whether it works
    # (``ApiKey.status``, the one rule): filtering on revocation and expiry in SQL too
    # cost every API request about a millisecond of ORM work for no fewer rows.
    try:
        api_key = ApiKey.objects.select_related("membership__team", "membership__user").get(
            digest=api_key_digest(key)
        )
    except ApiKey.DoesNotExist:
        return None
    return api_key if api_key.is_active else None


def api_keys_for_user(user) -> QuerySet[ApiKey]:
    """Every key the user made, in any of their teams, newest first."""
    return ApiKey.objects.filter(membership__user=user).select_related("membership__team")

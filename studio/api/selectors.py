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
    # get(), not first(): the digest is unique, and first() would sort by the keys'
    # ordering, which every API request paid for.
    try:
        return (
            ApiKey.objects.active()
            .select_related("membership__team", "membership__user")
            .get(digest=api_key_digest(key))
        )
    except ApiKey.DoesNotExist:
        return None


def api_keys_for_user(user) -> QuerySet[ApiKey]:
    """Every key the user made, in any of their teams, newest first."""
    return ApiKey.objects.filter(membership__user=user).select_related("membership__team")

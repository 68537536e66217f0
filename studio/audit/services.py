"""Writing the audit log. Every team service that changes something calls ``audit_record``."""

from __future__ import annotations

from typing import Any

from .models import AuditEntry

# Keys that would tempt someone to log a secret. An entry naming one is a bug.
_SECRET_KEYS = ("token", "password", "secret", "key", "authorization", "ciphertext")


def _check_no_secrets(details: dict[str, Any]) -> None:
    for name in details:
        lowered = name.lower()
        if any(word in lowered for word in _SECRET_KEYS) and lowered not in _ALLOWED_KEYS:
            raise ValueError(f"Audit details must never carry secrets (key {name!r}).")


# Keys that contain a secret-sounding word but hold only harmless facts.
_ALLOWED_KEYS = frozenset({"token_last4", "token_test_outcome"})


def audit_record(
    *,
    team,
    action: str,
    summary: str,
    actor=None,
    subject_email: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to ``team``'s audit log.

    ``actor`` is the user who acted (None for the system). ``summary`` is a
    sentence for people; ``details`` holds structured facts (roles, outcomes,
    the token's last four characters), never a secret.
    """
    details = details or {}
    _check_no_secrets(details)
    return AuditEntry.objects.create(
        team=team,
        action=AuditEntry.Action(action),
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        subject_email=subject_email,
        summary=summary[:300],
        details=details,
    )

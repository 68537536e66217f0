"""Tokens and the Krea identities behind them."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

from .styles import Identity
from .webhooks import WebhookPolicy

__all__ = ["CANCEL_MODES", "Account", "identity_for", "token_hash"]

#: What ``DELETE /jobs/{id}`` does to a live job (Krea does not document it):
#: ``cancel`` stops it (``cancelled``, not billed); ``finish-late`` lets a job already
#: ``sampling`` or later run on to ``completed`` and be billed (earlier ones stop);
#: ``delete`` removes the job, which answers 404 from then on (not billed).
CANCEL_MODES = ("cancel", "finish-late", "delete")


def token_hash(token: str) -> str:
    """A short, stable fingerprint of a token for logs (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def identity_for(token: str, workspace_name: str | None) -> Identity:
    """The API user behind ``token``: stable across runs; tokens naming the same
    workspace share it."""
    digest = token_hash(token)
    workspace_key = f"name:{workspace_name}" if workspace_name else f"token:{digest}"
    return Identity(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"krea-simulator:user:{digest}")),
        name=f"api-user-{digest[:8]}",
        workspace_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"krea-simulator:{workspace_key}")),
        workspace_name=workspace_name or f"Workspace {digest[:6]}",
    )


@dataclass
class Account:
    """One token's Krea identity: its balance, limits and knobs."""

    token: str
    identity: Identity
    credits: Decimal
    concurrency_limit: int
    backlog_cap: int
    webhook_policy: WebhookPolicy | None = None
    cancel_mode: str = "cancel"

    @property
    def token_hash(self) -> str:
        """The token's fingerprint."""
        return token_hash(self.token)

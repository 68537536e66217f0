"""Accounts: which tokens are identities, and each one's balance, limits and knobs."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..accounts import CANCEL_MODES, Account, identity_for
from ..lifecycle import JobLifecycle
from ..state import SimulatorState
from ..webhooks import WebhookPolicy

__all__ = ["AccountsHandler"]


class AccountsHandler:
    """Reads and changes accounts (the control API's ``/accounts``)."""

    def __init__(self, state: SimulatorState, lifecycle: JobLifecycle) -> None:
        self.state = state
        self.lifecycle = lifecycle

    def token_allowed(self, token: str) -> bool:
        """Whether ``token`` is an identity here (given at start, or registered since)."""
        with self.state.lock:
            return token in self.state.tokens

    def configure(
        self,
        token: str,
        *,
        credits: Decimal | int | str | None = None,
        concurrency_limit: int | None = None,
        backlog_cap: int | None = None,
        workspace: str | None = None,
        webhook_policy: WebhookPolicy | None = None,
        cancel_mode: str | None = None,
    ) -> Account:
        """Register ``token`` as an identity, and change its balance, limits, workspace,
        webhook knobs or cancel mode.

        Raising the concurrency limit starts backlogged jobs at once.
        """
        if not token:
            raise ValueError("token is required")
        if cancel_mode is not None and cancel_mode not in CANCEL_MODES:
            raise ValueError(f"cancel_mode must be one of {', '.join(CANCEL_MODES)}")
        if concurrency_limit is not None and concurrency_limit < 1:
            raise ValueError("concurrency_limit must be at least 1")
        if backlog_cap is not None and backlog_cap < 0:
            raise ValueError("backlog_cap cannot be negative")
        state = self.state
        with state.lock:
            state.tokens.add(token)
            account = self.lifecycle.account(token)
            if credits is not None:
                account.credits = Decimal(credits)
            if concurrency_limit is not None:
                account.concurrency_limit = concurrency_limit
            if backlog_cap is not None:
                account.backlog_cap = backlog_cap
            if workspace is not None:
                state.workspace_names[token] = workspace
                account.identity = identity_for(token, workspace)
            if webhook_policy is not None:
                account.webhook_policy = webhook_policy
            if cancel_mode is not None:
                account.cancel_mode = cancel_mode
            now = state.clock.now()
            self.lifecycle.settle(now)
            self.lifecycle.promote(token, now)
            return account

    def credits(self, token: str) -> Decimal:
        """A token's CU balance (completed jobs are debited)."""
        with self.state.lock:
            self.lifecycle.settle(self.state.clock.now())
            return self.lifecycle.account(token).credits

    def set_webhook_policy(
        self, policy: WebhookPolicy | None = None, *, token: str | None = None, **knobs: Any
    ) -> WebhookPolicy:
        """Set webhook knobs for one token, or the default for all when ``token`` is None."""
        policy = replace(policy or WebhookPolicy(), **knobs)
        with self.state.lock:
            if token is None:
                self.state.default_webhook_policy = policy
            else:
                self.lifecycle.account(token).webhook_policy = policy
        return policy

    def to_json(self, account: Account) -> dict[str, Any]:
        """An account as the control API shows it (never the token)."""
        state = self.state
        with state.lock:
            self.lifecycle.settle(state.clock.now())
            active = [j for j in state.active.values() if j.token == account.token]
            return {
                "token_hash": account.token_hash,
                "identity": {"id": account.identity.id, "name": account.identity.name},
                "workspace": {
                    "id": account.identity.workspace_id,
                    "name": account.identity.workspace_name,
                },
                "credits": str(account.credits),
                "reserved": str(sum((j.cost for j in active), Decimal(0))),
                "concurrency_limit": account.concurrency_limit,
                "backlog_cap": account.backlog_cap,
                "running": sum(1 for j in active if j.is_running),
                "backlogged": sum(1 for j in active if not j.is_running),
                "webhook_policy": (
                    account.webhook_policy or state.default_webhook_policy
                ).to_json(),
                "cancel_mode": account.cancel_mode,
            }

    def all(self) -> list[Account]:
        """Every account seen so far."""
        with self.state.lock:
            return list(self.state.accounts.values())

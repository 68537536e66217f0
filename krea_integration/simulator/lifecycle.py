"""How jobs move: admission (402/429), slots, the clock, terminal states and webhooks.

Every kind of job (generation, training, node app) goes through :class:`JobLifecycle`:
a handler builds a :class:`~.jobs.JobRecord`, asks :meth:`JobLifecycle.admit` whether
the account can take it, and :meth:`JobLifecycle.add` starts it or leaves it
backlogged. From then on the clock decides: :meth:`JobLifecycle.settle` applies every
end that fell due (debiting completed jobs, scheduling webhooks) and starts backlogged
jobs in the slots that freed. Callers hold ``state.lock``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from .accounts import Account, identity_for
from .faults import FaultPlan
from .jobs import JobRecord
from .state import ApiError, SimulatorState
from .webhooks import WebhookDelivery, webhook_headers

__all__ = ["CompletionHook", "JobLifecycle"]

CompletionHook = Callable[[JobRecord, datetime], None]
"""Called (under the lock) when a job completes, e.g. to create a trained style."""


class JobLifecycle:
    """Accounts' slots and balances, and the clock-driven way of every job."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state
        self.completion_hooks: list[CompletionHook] = []

    # -- accounts -------------------------------------------------------------------

    def account(self, token: str) -> Account:
        """The account of ``token``, created with the defaults on first use."""
        state = self.state
        with state.lock:
            account = state.accounts.get(token)
            if account is None:
                account = Account(
                    token=token,
                    identity=identity_for(token, state.workspace_names.get(token)),
                    credits=state.default_credits,
                    concurrency_limit=state.default_concurrency_limit,
                    backlog_cap=state.default_backlog_cap,
                )
                state.accounts[token] = account
            return account

    # -- admission ------------------------------------------------------------------

    def admit(self, token: str, costs: list[Decimal]) -> list[bool]:
        """Check credits and capacity for new jobs; which of them start at once.

        Raises:
            ApiError: 402 when the balance cannot cover them on top of the running
                jobs, 429 when they would overflow the backlog.
        """
        account = self.account(token)
        mine = [j for j in self.state.active.values() if j.token == token]
        reserved = sum((j.cost for j in mine), Decimal(0))
        needed = sum(costs, Decimal(0))
        if account.credits - reserved < needed:
            raise ApiError(
                402,
                f"You have run out of credits: this request needs {needed} CU and "
                f"{max(account.credits - reserved, Decimal(0))} CU are available.",
            )
        running = sum(1 for j in mine if j.is_running)
        waiting = len(mine) - running
        starts: list[bool] = []
        for _ in costs:
            if running < account.concurrency_limit and waiting == 0:
                running += 1
                starts.append(True)
            elif waiting < account.backlog_cap:
                waiting += 1
                starts.append(False)
            else:
                raise ApiError(
                    429,
                    "You have reached the maximum number of concurrent jobs "
                    f"({account.concurrency_limit} running, {waiting} waiting).",
                )
        return starts

    def add(self, job: JobRecord, start: bool, now: datetime) -> None:
        """Record an admitted job, running at once when ``start``."""
        if start:
            job.started_at = now
        self.state.jobs[job.id] = job
        self.state.active[job.id] = job

    def apply_faults(self, job: JobRecord, faults: FaultPlan | None) -> None:
        """Give a new job the failure and webhook knobs its request asked for."""
        if faults is None:
            return
        if faults.fail_at:
            job.fail_at = faults.fail_at
            job.failure_message = f"Simulated failure while {faults.fail_at}."
        if faults.webhook_duplicate or faults.webhook_delay is not None or faults.webhook_drop:
            base = self.account(job.token).webhook_policy or self.state.default_webhook_policy
            job.webhook_policy = faults.webhook_policy(base)

    @staticmethod
    def fail_with(job: JobRecord, message: str) -> None:
        """Make a new job fail while processing with ``message`` (unless a fault already
        decides how it fails)."""
        if job.fail_at is None:
            job.fail_at = "processing"
            job.failure_message = message

    # -- time -----------------------------------------------------------------------

    def settle(self, now: datetime) -> None:
        """Apply, in time order, every job end due by ``now`` and the starts they allow."""
        while True:
            earliest: tuple[datetime, str, JobRecord] | None = None
            for job in self.state.active.values():
                due = job.due_end()
                if due is not None and due[0] <= now and (earliest is None or due[0] < earliest[0]):
                    earliest = (due[0], due[1], job)
            if earliest is None:
                return
            at, status, job = earliest
            self.finish(job, status, at)
            self.promote(job.token, at)

    def promote(self, token: str, at: datetime) -> None:
        """Start backlogged jobs of ``token`` while it has free slots."""
        account = self.account(token)
        mine = [j for j in self.state.active.values() if j.token == token]
        running = sum(1 for j in mine if j.is_running)
        waiting = sorted((j for j in mine if not j.is_running), key=lambda j: j.created_at)
        for job in waiting:
            if running >= account.concurrency_limit:
                break
            job.started_at = at
            running += 1

    def finish(self, job: JobRecord, status: str, at: datetime, *, notify: bool = True) -> None:
        """End ``job`` as ``status`` at ``at``: debit a completed job, schedule its webhooks
        (unless ``notify`` is false)."""
        job.final_status = status
        # Creation times are made unique by pushing them a few milliseconds forward, so
        # a job ending in the same instant could otherwise end before it was created.
        job.ended_at = max(at, job.created_at)
        self.state.active.pop(job.id, None)
        account = self.account(job.token)
        if status == "completed":
            account.credits -= job.cost
            for hook in self.completion_hooks:
                hook(job, job.ended_at)
        elif status == "failed":
            job.error = job.failure_message or f"Simulated failure while {job.fail_at}."
        if job.webhook_url and notify:
            self._schedule_webhooks(job, account, job.ended_at)

    def _schedule_webhooks(self, job: JobRecord, account: Account, at: datetime) -> None:
        state = self.state
        policy = job.webhook_policy or account.webhook_policy or state.default_webhook_policy
        payload = job.to_json(at)
        for copy in range(1, policy.duplicate + 1):
            delivery = WebhookDelivery(
                id=state.next_id(),
                job_id=job.id,
                url=job.webhook_url or "",
                payload=payload,
                copy=copy,
                due_at=at + timedelta(seconds=policy.delay),
                token_hash=account.token_hash,
                reorder=policy.reorder,
                dropped=policy.drop,
                headers=webhook_headers(),
            )
            state.pending_webhooks.append(delivery)
            state.deliveries.append(delivery)

    def tick(self) -> list[WebhookDelivery]:
        """Apply every transition due by now and send the webhooks that fell due.

        Webhooks are sent outside the lock (a receiver may call the simulator back).
        Returns the deliveries processed by this tick, in the order they were handled.
        """
        state = self.state
        with state.lock:
            now = state.clock.now()
            self.settle(now)
            due = [d for d in state.pending_webhooks if d.due_at <= now]
            state.pending_webhooks = [d for d in state.pending_webhooks if d.due_at > now]
            due.sort(key=lambda d: (d.due_at, d.id))
            if any(d.reorder for d in due):
                due.reverse()
        for delivery in due:
            if delivery.dropped:
                continue
            try:
                delivery.status_code = state.webhook_sender(
                    delivery.url, delivery.body, delivery.headers
                )
            except Exception as exc:  # any failure of the receiver is recorded, not raised
                delivery.error = f"{type(exc).__name__}: {exc}"
            delivery.delivered_at = state.clock.now()
        return due

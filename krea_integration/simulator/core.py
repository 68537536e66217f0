"""The simulator's rules, assembled: one shared state, one handler per Krea resource.

:class:`SimulatorCore` builds a :class:`~.state.SimulatorState` and the handlers in
:mod:`.resources` over it (jobs, assets, styles, node apps, accounts, files), and
offers what tests and the control API steer it with: time (:meth:`~SimulatorCore.advance`,
:meth:`~SimulatorCore.tick`), accounts, queued faults and the logs. The HTTP face is
:class:`~.app.Simulator`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ..catalogue import Catalogue
from .accounts import Account
from .clock import Clock
from .faults import FaultPlan, QueuedFault
from .inputs import InputChecker
from .jobs import JobRecord
from .lifecycle import JobLifecycle
from .requestlog import RequestRecord
from .resources.accounts import AccountsHandler
from .resources.assets import AssetsHandler
from .resources.files import FilesHandler
from .resources.jobs import JobsHandler
from .resources.nodeapps import NodeAppsHandler
from .resources.styles import StylesHandler
from .state import (
    DEFAULT_BACKLOG_CAP,
    DEFAULT_CACHE_BYTES,
    DEFAULT_CONCURRENCY_LIMIT,
    DEFAULT_COST,
    DEFAULT_CREDITS,
    DEFAULT_LOG_SIZE,
    DEFAULT_TRAINING_STEPS,
    Fetcher,
    SimulatorState,
)
from .webhooks import WebhookDelivery, WebhookPolicy, WebhookSender

__all__ = ["SimulatorCore"]


class SimulatorCore:
    """State and rules of the simulator; :class:`~.Simulator` adds the HTTP app.

    Args:
        catalogue: The models to serve (default: the checked-in catalogue).
        clock: Real time by default; ``Clock.manual()`` for step-by-step tests.
        job_seconds: How long jobs take from start to completion: ``None`` for the
            defaults (image 6 s, enhance 4, video 15, training 20, node app 8), one
            number for every kind (``0`` = instant), or a mapping of kind to seconds.
        credits: Starting CU balance of every token.
        concurrency_limit: Jobs a token runs at once; more wait ``backlogged``.
        backlog_cap: Backlogged jobs a token may have; past it, 429.
        tokens: The tokens accepted from the start; others get Krea's 401 until
            registered (:meth:`register_token`, or the control API's ``/accounts``).
        public_base_url: Base of the output URLs (default: the request's host).
        input_origins: URL prefixes inputs may be fetched from even on a private
            address (the portal's own public output URLs); otherwise only public
            addresses are fetched (see :mod:`.fetch`).
        webhook_sender: ``(url, body, headers) -> status``; default real HTTP POST.
        webhook_policy: Default webhook knobs for every token.
        default_cost: CU of a request whose price Krea does not publish.
        training_steps: Steps assumed for a training without ``max_train_steps``.
        fetcher: ``url -> bytes`` in place of the network, for input URLs that are not
            the simulator's own files (tests' stand-in for the internet).
        cache_bytes: Byte budget of rendered files kept in memory.
        log_size: Requests and webhook deliveries kept in the logs.
        workspaces: Token -> workspace name; tokens with the same name share one.
    """

    def __init__(
        self,
        *,
        catalogue: Catalogue | None = None,
        clock: Clock | None = None,
        job_seconds: float | Mapping[str, float] | None = None,
        credits: Decimal | int | str = DEFAULT_CREDITS,
        concurrency_limit: int = DEFAULT_CONCURRENCY_LIMIT,
        backlog_cap: int = DEFAULT_BACKLOG_CAP,
        tokens: Iterable[str] = (),
        public_base_url: str | None = None,
        input_origins: Iterable[str] = (),
        webhook_sender: WebhookSender | None = None,
        webhook_policy: WebhookPolicy | None = None,
        default_cost: Decimal | int | str = DEFAULT_COST,
        training_steps: int = DEFAULT_TRAINING_STEPS,
        fetcher: Fetcher | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        log_size: int = DEFAULT_LOG_SIZE,
        workspaces: Mapping[str, str] | None = None,
    ) -> None:
        self.state = state = SimulatorState(
            catalogue=catalogue,
            clock=clock,
            job_seconds=job_seconds,
            credits=credits,
            concurrency_limit=concurrency_limit,
            backlog_cap=backlog_cap,
            tokens=tokens,
            public_base_url=public_base_url,
            input_origins=input_origins,
            webhook_sender=webhook_sender,
            webhook_policy=webhook_policy,
            default_cost=default_cost,
            training_steps=training_steps,
            fetcher=fetcher,
            cache_bytes=cache_bytes,
            log_size=log_size,
            workspaces=workspaces,
        )
        self.lifecycle = JobLifecycle(state)
        self.files = FilesHandler(state, self.lifecycle)
        checker = InputChecker(self.files.read_url)
        self.accounts_handler = AccountsHandler(state, self.lifecycle)
        self.jobs = JobsHandler(state, self.lifecycle, checker)
        self.assets = AssetsHandler(state)
        self.styles = StylesHandler(state, self.lifecycle, checker)
        self.node_apps = NodeAppsHandler(state, self.lifecycle, checker)
        self.styles.add_builtin_styles()

    # -- settings -------------------------------------------------------------------

    @property
    def catalogue(self) -> Catalogue:
        """The models served."""
        return self.state.catalogue

    @property
    def clock(self) -> Clock:
        """The simulator's clock."""
        return self.state.clock

    @property
    def durations(self) -> dict[str, float]:
        """Seconds a job of each kind takes."""
        return self.state.durations

    @property
    def default_credits(self) -> Decimal:
        """The balance a token starts with."""
        return self.state.default_credits

    @property
    def default_webhook_policy(self) -> WebhookPolicy:
        """Webhook knobs of tokens without their own."""
        return self.state.default_webhook_policy

    @property
    def public_base_url(self) -> str | None:
        """Base of output URLs, when configured."""
        return self.state.public_base_url

    @property
    def webhook_sender(self) -> WebhookSender:
        """What sends webhooks (tests may swap it)."""
        return self.state.webhook_sender

    @webhook_sender.setter
    def webhook_sender(self, sender: WebhookSender) -> None:
        self.state.webhook_sender = sender

    def reset(self) -> None:
        """Forget every account, job, asset, trained style, fault and log entry.

        Configuration (clock, durations, defaults, sender) is kept.
        """
        with self.state.lock:
            self.state.clear()
            self.styles.add_builtin_styles()

    def now(self):
        """The simulator's current time."""
        return self.state.clock.now()

    # -- accounts -------------------------------------------------------------------

    def token_allowed(self, token: str) -> bool:
        """Whether ``token`` is an identity here."""
        return self.accounts_handler.token_allowed(token)

    def register_token(self, *tokens: str) -> None:
        """Accept these tokens as Krea identities from now on."""
        for token in tokens:
            self.configure_account(token)

    def account(self, token: str) -> Account:
        """The account of ``token``, created with the defaults on first use."""
        return self.lifecycle.account(token)

    def configure_account(self, token: str, **changes: Any) -> Account:
        """Change one token's settings (see :meth:`.AccountsHandler.configure`)."""
        return self.accounts_handler.configure(token, **changes)

    def set_credits(self, token: str, cu: Decimal | int | str) -> None:
        """Set a token's CU balance."""
        self.configure_account(token, credits=cu)

    def credits(self, token: str) -> Decimal:
        """A token's CU balance (completed jobs are debited)."""
        return self.accounts_handler.credits(token)

    def set_concurrency(self, token: str, limit: int, backlog_cap: int | None = None) -> None:
        """Set how many jobs a token runs at once (and optionally its backlog cap)."""
        self.configure_account(token, concurrency_limit=limit, backlog_cap=backlog_cap)

    def set_backlog_cap(self, token: str, cap: int) -> None:
        """Set how many jobs a token may have waiting before 429."""
        self.configure_account(token, backlog_cap=cap)

    def set_workspace(self, token: str, name: str) -> None:
        """Put a token in the workspace called ``name`` (shared by tokens with that name)."""
        self.configure_account(token, workspace=name)

    def set_webhook_policy(
        self, policy: WebhookPolicy | None = None, *, token: str | None = None, **knobs: Any
    ) -> WebhookPolicy:
        """Set webhook knobs for one token, or the default for all when ``token`` is None.

        Pass a :class:`WebhookPolicy` or its fields (``duplicate=2, delay=5``...).
        """
        return self.accounts_handler.set_webhook_policy(policy, token=token, **knobs)

    def account_json(self, account: Account) -> dict[str, Any]:
        """An account as the control API shows it (never the token)."""
        return self.accounts_handler.to_json(account)

    def accounts(self) -> list[Account]:
        """Every account seen so far."""
        return self.accounts_handler.all()

    # -- faults and logs ------------------------------------------------------------

    def queue_fault(
        self,
        fault: str | FaultPlan,
        *,
        token: str | None = None,
        times: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> QueuedFault:
        """Make the next ``times`` matching requests (of ``token``, or anyone's) fail.

        ``fault`` uses the ``X-Simulator-Fault`` syntax; ``path`` is a path prefix.

        Raises:
            InvalidFault: ``fault`` cannot be understood.
        """
        return self.state.faults.add(fault, token=token, times=times, method=method, path=path)

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        self.state.faults.clear()

    def queued_faults(self) -> list[QueuedFault]:
        """Faults still waiting for a request."""
        return self.state.faults.waiting()

    def take_fault(self, token: str, method: str, path: str) -> FaultPlan | None:
        """Consume the first queued fault matching a request, if any."""
        return self.state.faults.take(token, method, path)

    def record_request(self, record: RequestRecord) -> None:
        """Append to the request log."""
        self.state.request_log.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """The requests answered so far, oldest first (bounded by ``log_size``)."""
        return self.state.request_log.records()

    @property
    def webhooks(self) -> list[WebhookDelivery]:
        """Every webhook delivery scheduled so far (pending, sent, failed or dropped)."""
        with self.state.lock:
            return list(self.state.deliveries)

    # -- time -----------------------------------------------------------------------

    def tick(self) -> list[WebhookDelivery]:
        """Apply every transition due by now and send the webhooks that fell due."""
        return self.lifecycle.tick()

    def advance(self, seconds: float) -> list[WebhookDelivery]:
        """Move the clock forward by ``seconds``, then :meth:`tick`."""
        self.state.clock.advance(seconds)
        return self.tick()

    # -- Krea's operations, as a token calls them (for tests; the HTTP app calls the
    # handlers directly) -------------------------------------------------------------

    def generate(self, token: str, model_path: str, body: Any, **options: Any) -> dict[str, Any]:
        """``POST /generate/...`` (``base_url``, ``webhook_url``, ``faults``)."""
        return self.jobs.generate(token, model_path, body, **options)

    def get_job(self, token: str, job_id: str) -> dict[str, Any]:
        """``GET /jobs/{id}``."""
        return self.jobs.get(token, job_id)

    def list_jobs(self, token: str, **query: str | None) -> dict[str, Any]:
        """``GET /jobs`` (``cursor``, ``limit``, ``types``, ``status``)."""
        return self.jobs.list(token, **query)

    def cancel_job(self, token: str, job_id: str, **options: Any) -> dict[str, Any]:
        """``DELETE /jobs/{id}`` (``faults``)."""
        return self.jobs.cancel(token, job_id, **options)

    def create_asset(self, token: str, data: bytes, **options: Any) -> dict[str, Any]:
        """``POST /assets`` (``description``, ``base_url``)."""
        return self.assets.create(token, data, **options)

    def list_assets(self, token: str, **query: str | None) -> dict[str, Any]:
        """``GET /assets`` (``cursor``, ``limit``)."""
        return self.assets.list(token, **query)

    def get_asset(self, token: str, asset_id: str) -> dict[str, Any]:
        """``GET /assets/{id}``."""
        return self.assets.get(token, asset_id)

    def delete_asset(self, token: str, asset_id: str) -> dict[str, Any]:
        """``DELETE /assets/{id}``."""
        return self.assets.delete(token, asset_id)

    def train_style(self, token: str, body: Any, **options: Any) -> dict[str, Any]:
        """``POST /styles/train`` (``base_url``, ``webhook_url``, ``faults``)."""
        return self.styles.train(token, body, **options)

    def list_styles(self, token: str, query: Any, *, base_url: str) -> dict[str, Any]:
        """``GET /styles`` with Krea's query parameters."""
        return self.styles.list(token, query, base_url=base_url)

    def get_style(self, token: str, style_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /styles/{id}``."""
        return self.styles.get(token, style_id, base_url=base_url)

    def update_style(self, token: str, style_id: str, body: Any, *, base_url: str) -> dict:
        """``PATCH /styles/{id}``."""
        return self.styles.update(token, style_id, body, base_url=base_url)

    def style_share_link(self, token: str, style_id: str, *, base_url: str) -> tuple[dict, bool]:
        """``GET /styles/{id}/share/link``, and whether the link is new."""
        return self.styles.share_link(token, style_id, base_url=base_url)

    def share_style(self, token: str, style_id: str) -> dict[str, Any]:
        """``POST /styles/{id}/share/workspace``."""
        return self.styles.share(token, style_id)

    def unshare_style(self, token: str, style_id: str) -> dict[str, Any]:
        """``DELETE /styles/{id}/share/workspace``."""
        return self.styles.unshare(token, style_id)

    def get_node_app(self, app_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /node-apps/{id}``."""
        return self.node_apps.get(app_id, base_url=base_url)

    def execute_node_app(self, token: str, app_id: str, body: Any, **options: Any) -> list[dict]:
        """``POST /node-apps/{id}/execute`` (``base_url``, ``faults``)."""
        return self.node_apps.execute(token, app_id, body, **options)

    # -- reading state --------------------------------------------------------------

    def job_record(self, job_id: str) -> JobRecord | None:
        """The internal record of a job (any token's), for tests and the control API."""
        return self.jobs.record(job_id)

    def file_bytes(self, file_id: str, ext: str | None = None) -> tuple[bytes, str] | None:
        """The content and MIME type of a served file, or ``None`` if it is not available."""
        return self.files.file_bytes(file_id, ext)

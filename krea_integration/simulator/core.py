"""The simulator's state and rules: accounts, jobs, assets, styles, webhooks.

:class:`Simulator` is the stateful stand-in for api.krea.ai. Its ``app`` (see
:mod:`.app`) speaks Krea's HTTP API; this module holds what that API acts on, under
one lock, so the threaded server, its ticker thread and in-process tests can share
it. Each API operation is a method that returns Krea's JSON body or raises
:class:`ApiError` with Krea's status and message.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from .. import pricing
from ..catalogue import (
    Catalogue,
    InvalidParams,
    Model,
    ParamError,
    UnknownModel,
    load,
    normalise_params,
    validate_against,
    validate_params,
)
from . import media
from .clock import Clock, isoformat, parse_time
from .faults import FaultPlan, parse_faults
from .jobs import JOB_STATUSES, JobRecord, OutputFile, job_durations
from .nodeapps import NodeAppSample, find_node_app
from .outputs import (
    FileCache,
    Recipe,
    fetch_url,
    image_format,
    image_size,
    output_count,
    render,
    video_duration,
    video_size,
)
from .styles import BUILTIN_STYLES, STYLE_FILTERS, Identity, StyleRecord
from .webhooks import (
    WebhookDelivery,
    WebhookPolicy,
    WebhookSender,
    post_webhook,
    webhook_headers,
)

__all__ = [
    "DEFAULT_BACKLOG_CAP",
    "DEFAULT_CONCURRENCY_LIMIT",
    "DEFAULT_CREDITS",
    "Account",
    "ApiError",
    "AssetRecord",
    "QueuedFault",
    "RequestRecord",
    "SimulatorCore",
    "token_hash",
]

DEFAULT_CREDITS = Decimal(1_000_000)
DEFAULT_CONCURRENCY_LIMIT = 4
DEFAULT_BACKLOG_CAP = 20
DEFAULT_COST = Decimal(5)
DEFAULT_TRAINING_STEPS = 1000
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
DEFAULT_LOG_SIZE = 2000
MAX_PAGE = 1000
DEFAULT_PAGE = 100
STYLE_PREVIEW_SIZE = (768, 1024)
PREVIEW_SIDE = 256
_FILE_PATH = re.compile(r"/files/([0-9a-f-]{36})\.[a-z0-9]+$")
_ENHANCEABLE = {"image/png", "image/jpeg", "image/webp"}
_BUILTIN_CREATED = datetime.fromisoformat("2025-11-03T10:00:00+00:00")

Fetcher = Callable[[str], bytes]


class ApiError(Exception):
    """An answer in Krea's error shape: ``status`` and ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def token_hash(token: str) -> str:
    """A short, stable fingerprint of a token for logs (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _errors_text(errors: Iterable[ParamError]) -> str:
    return " ".join(e.message for e in errors)


def _floor_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@dataclass
class Account:
    """One token's Krea identity: its balance, limits and knobs."""

    token: str
    identity: Identity
    credits: Decimal
    concurrency_limit: int
    backlog_cap: int
    webhook_policy: WebhookPolicy | None = None

    @property
    def token_hash(self) -> str:
        """The token's fingerprint."""
        return token_hash(self.token)


@dataclass
class AssetRecord:
    """An uploaded file and what inspection found out about it."""

    id: str
    token: str
    data: bytes
    info: media.MediaInfo
    description: str | None
    uploaded_at: datetime
    file_id: str
    base_url: str

    @property
    def url(self) -> str:
        """The asset's ``image_url``."""
        return f"{self.base_url}/files/{self.file_id}.{self.info.extension}"

    def to_json(self) -> dict[str, Any]:
        """The asset as Krea shows it."""
        body: dict[str, Any] = {
            "id": self.id,
            "image_url": self.url,
            "uploaded_at": isoformat(self.uploaded_at),
            "width": self.info.width,
            "height": self.info.height,
            "size_bytes": self.info.size,
            "mime_type": self.info.mime_type,
        }
        if self.description is not None:
            body["description"] = self.description
        body["metadata"] = {"extension": self.info.extension}
        return body


@dataclass
class QueuedFault:
    """A fault waiting for a token's next matching requests (set through the control API)."""

    id: int
    plan: FaultPlan
    remaining: int
    token: str | None = None
    method: str | None = None
    path_prefix: str | None = None

    def matches(self, token: str, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        return (
            self.remaining > 0
            and (self.token is None or self.token == token)
            and (self.method is None or self.method.upper() == method.upper())
            and (self.path_prefix is None or path.startswith(self.path_prefix))
        )

    def to_json(self) -> dict[str, Any]:
        """This fault as the control API shows it."""
        return {
            "id": self.id,
            "fault": self.plan.source,
            "remaining": self.remaining,
            "token_hash": token_hash(self.token) if self.token else None,
            "method": self.method,
            "path": self.path_prefix,
        }


@dataclass
class RequestRecord:
    """One request the simulator answered (or swallowed), for the request log."""

    at: datetime
    method: str
    path: str
    query: str
    token_hash: str | None
    body: Any
    status: int | None
    fault: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """This record as the control API shows it."""
        return {
            "at": isoformat(self.at),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "token_hash": self.token_hash,
            "body": self.body,
            "status": self.status,
            "fault": self.fault,
            "headers": self.headers,
        }


@dataclass
class _Source:
    """Where an enhance/upscale input comes from, and whether it could be read."""

    url: str
    error: str | None = None
    ext: str = "png"


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
        tokens: When given, only these tokens are accepted (others get 401).
        public_base_url: Base of the output URLs (default: the request's host).
        webhook_sender: ``(url, body, headers) -> status``; default real HTTP POST.
        webhook_policy: Default webhook knobs for every token.
        default_cost: CU of a request whose price Krea does not publish.
        training_steps: Steps assumed for a training without ``max_train_steps``.
        fetcher: ``url -> bytes`` for enhance inputs outside the simulator.
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
        tokens: Iterable[str] | None = None,
        public_base_url: str | None = None,
        webhook_sender: WebhookSender | None = None,
        webhook_policy: WebhookPolicy | None = None,
        default_cost: Decimal | int | str = DEFAULT_COST,
        training_steps: int = DEFAULT_TRAINING_STEPS,
        fetcher: Fetcher | None = None,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        log_size: int = DEFAULT_LOG_SIZE,
        workspaces: Mapping[str, str] | None = None,
    ) -> None:
        if concurrency_limit < 1 or backlog_cap < 0:
            raise ValueError("concurrency_limit must be >= 1 and backlog_cap >= 0")
        self.catalogue = catalogue if catalogue is not None else load()
        self.clock = clock or Clock.real()
        self.durations = job_durations(job_seconds)
        self.default_credits = Decimal(credits)
        self.default_concurrency_limit = concurrency_limit
        self.default_backlog_cap = backlog_cap
        self.allowed_tokens = frozenset(tokens) if tokens is not None else None
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.webhook_sender: WebhookSender = webhook_sender or post_webhook
        self.default_webhook_policy = webhook_policy or WebhookPolicy()
        self.default_cost = Decimal(default_cost)
        self.training_steps = training_steps
        self.fetcher: Fetcher = fetcher or (
            lambda url: fetch_url(url, max_bytes=media.MAX_ASSET_BYTES)
        )
        self.log_size = log_size
        self._workspace_names = dict(workspaces or {})
        self._lock = threading.RLock()
        self._cache = FileCache(cache_bytes)
        self._init_state()

    # -- state ----------------------------------------------------------------------

    def _init_state(self) -> None:
        self._accounts: dict[str, Account] = {}
        self._jobs: dict[str, JobRecord] = {}
        self._active: dict[str, JobRecord] = {}
        self._assets: dict[str, AssetRecord] = {}
        self._styles: dict[str, StyleRecord] = {}
        self._files: dict[str, tuple[str, str, OutputFile | None]] = {}
        self._pending_webhooks: list[WebhookDelivery] = []
        self._deliveries: deque[WebhookDelivery] = deque(maxlen=self.log_size)
        self._requests: deque[RequestRecord] = deque(maxlen=self.log_size)
        self._faults: list[QueuedFault] = []
        self._last_stamp: datetime | None = None
        self._counter = 0
        self._cache.clear()
        for index, builtin in enumerate(BUILTIN_STYLES):
            style = StyleRecord(
                id=builtin.id,
                title=builtin.title,
                prompt=builtin.prompt,
                models=list(builtin.models),
                # Distinct times: the list's cursor is a creation time.
                created_at=_BUILTIN_CREATED + timedelta(days=index),
                owner_token=None,
                owner=None,
                public=True,
                like_count=builtin.like_count,
            )
            style.previews = [self._new_file("style", style.id, self._style_preview(style))]
            self._styles[style.id] = style

    def reset(self) -> None:
        """Forget every account, job, asset, trained style, fault and log entry.

        Configuration (clock, durations, defaults, sender) is kept.
        """
        with self._lock:
            self._init_state()

    def _next_id(self) -> int:
        self._counter += 1
        return self._counter

    def _stamp(self, now: datetime) -> datetime:
        """A creation time at ``now``, unique to the millisecond (cursors rely on it)."""
        stamp = _floor_ms(now)
        if self._last_stamp is not None and stamp <= self._last_stamp:
            stamp = self._last_stamp + timedelta(milliseconds=1)
        self._last_stamp = stamp
        return stamp

    def now(self) -> datetime:
        """The simulator's current time."""
        return self.clock.now()

    # -- accounts -------------------------------------------------------------------

    def token_allowed(self, token: str) -> bool:
        """Whether ``token`` is an identity here (any non-empty token, unless restricted)."""
        return bool(token) and (self.allowed_tokens is None or token in self.allowed_tokens)

    def _identity(self, token: str) -> Identity:
        digest = token_hash(token)
        name = self._workspace_names.get(token)
        workspace_key = f"name:{name}" if name else f"token:{digest}"
        return Identity(
            id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"krea-simulator:user:{digest}")),
            name=f"api-user-{digest[:8]}",
            workspace_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"krea-simulator:{workspace_key}")),
            workspace_name=name or f"Workspace {digest[:6]}",
        )

    def account(self, token: str) -> Account:
        """The account of ``token``, created with the defaults on first use."""
        with self._lock:
            account = self._accounts.get(token)
            if account is None:
                account = Account(
                    token=token,
                    identity=self._identity(token),
                    credits=self.default_credits,
                    concurrency_limit=self.default_concurrency_limit,
                    backlog_cap=self.default_backlog_cap,
                )
                self._accounts[token] = account
            return account

    def configure_account(
        self,
        token: str,
        *,
        credits: Decimal | int | str | None = None,
        concurrency_limit: int | None = None,
        backlog_cap: int | None = None,
        workspace: str | None = None,
        webhook_policy: WebhookPolicy | None = None,
    ) -> Account:
        """Change one token's balance, limits, workspace or webhook knobs.

        Raising the concurrency limit starts backlogged jobs at once.
        """
        if concurrency_limit is not None and concurrency_limit < 1:
            raise ValueError("concurrency_limit must be at least 1")
        if backlog_cap is not None and backlog_cap < 0:
            raise ValueError("backlog_cap cannot be negative")
        with self._lock:
            account = self.account(token)
            if credits is not None:
                account.credits = Decimal(credits)
            if concurrency_limit is not None:
                account.concurrency_limit = concurrency_limit
            if backlog_cap is not None:
                account.backlog_cap = backlog_cap
            if workspace is not None:
                self._workspace_names[token] = workspace
                account.identity = self._identity(token)
            if webhook_policy is not None:
                account.webhook_policy = webhook_policy
            now = self.clock.now()
            self._settle(now)
            self._promote(token, now)
            return account

    def set_credits(self, token: str, cu: Decimal | int | str) -> None:
        """Set a token's CU balance."""
        self.configure_account(token, credits=cu)

    def credits(self, token: str) -> Decimal:
        """A token's CU balance (completed jobs are debited)."""
        with self._lock:
            self._settle(self.clock.now())
            return self.account(token).credits

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
        policy = replace(policy or WebhookPolicy(), **knobs)
        with self._lock:
            if token is None:
                self.default_webhook_policy = policy
            else:
                self.account(token).webhook_policy = policy
        return policy

    def account_json(self, account: Account) -> dict[str, Any]:
        """An account as the control API shows it (never the token)."""
        with self._lock:
            self._settle(self.clock.now())
            active = [j for j in self._active.values() if j.token == account.token]
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
                "webhook_policy": (account.webhook_policy or self.default_webhook_policy).to_json(),
            }

    def accounts(self) -> list[Account]:
        """Every account seen so far."""
        with self._lock:
            return list(self._accounts.values())

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
        plan = fault if isinstance(fault, FaultPlan) else parse_faults(fault)
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            queued = QueuedFault(self._next_id(), plan, times, token, method, path)
            self._faults.append(queued)
            return queued

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._faults.clear()

    def queued_faults(self) -> list[QueuedFault]:
        """Faults still waiting for a request."""
        with self._lock:
            return [f for f in self._faults if f.remaining > 0]

    def take_fault(self, token: str, method: str, path: str) -> FaultPlan | None:
        """Consume the first queued fault matching a request, if any."""
        with self._lock:
            for queued in self._faults:
                if queued.matches(token, method, path):
                    queued.remaining -= 1
                    if queued.remaining == 0:
                        self._faults.remove(queued)
                    return queued.plan
            return None

    def record_request(self, record: RequestRecord) -> None:
        """Append to the request log."""
        with self._lock:
            self._requests.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """The requests answered so far, oldest first (bounded by ``log_size``)."""
        with self._lock:
            return list(self._requests)

    @property
    def webhooks(self) -> list[WebhookDelivery]:
        """Every webhook delivery scheduled so far (pending, sent, failed or dropped)."""
        with self._lock:
            return list(self._deliveries)

    # -- time -----------------------------------------------------------------------

    def tick(self) -> list[WebhookDelivery]:
        """Apply every transition due by now and send the webhooks that fell due.

        Webhooks are sent outside the lock (a receiver may call the simulator back).
        Returns the deliveries processed by this tick, in the order they were handled.
        """
        with self._lock:
            now = self.clock.now()
            self._settle(now)
            due = [d for d in self._pending_webhooks if d.due_at <= now]
            self._pending_webhooks = [d for d in self._pending_webhooks if d.due_at > now]
            due.sort(key=lambda d: (d.due_at, d.id))
            if any(d.reorder for d in due):
                due.reverse()
        for delivery in due:
            if delivery.dropped:
                continue
            try:
                delivery.status_code = self.webhook_sender(
                    delivery.url, delivery.body, delivery.headers
                )
            except Exception as exc:  # any failure of the receiver is recorded, not raised
                delivery.error = f"{type(exc).__name__}: {exc}"
            delivery.delivered_at = self.clock.now()
        return due

    def advance(self, seconds: float) -> list[WebhookDelivery]:
        """Move the clock forward by ``seconds``, then :meth:`tick`."""
        self.clock.advance(seconds)
        return self.tick()

    def _settle(self, now: datetime) -> None:
        """Apply, in time order, every job end due by ``now`` and the starts they allow."""
        while True:
            earliest: tuple[datetime, str, JobRecord] | None = None
            for job in self._active.values():
                due = job.due_end()
                if due is not None and due[0] <= now and (earliest is None or due[0] < earliest[0]):
                    earliest = (due[0], due[1], job)
            if earliest is None:
                return
            at, status, job = earliest
            self._finish(job, status, at)
            self._promote(job.token, at)

    def _promote(self, token: str, at: datetime) -> None:
        """Start backlogged jobs of ``token`` while it has free slots."""
        account = self.account(token)
        mine = [j for j in self._active.values() if j.token == token]
        running = sum(1 for j in mine if j.is_running)
        waiting = sorted((j for j in mine if not j.is_running), key=lambda j: j.created_at)
        for job in waiting:
            if running >= account.concurrency_limit:
                break
            job.started_at = at
            running += 1

    def _finish(self, job: JobRecord, status: str, at: datetime) -> None:
        job.final_status = status
        job.ended_at = at
        self._active.pop(job.id, None)
        account = self.account(job.token)
        if status == "completed":
            account.credits -= job.cost
            if job.style_id is not None:
                self._create_trained_style(job, at)
        elif status == "failed":
            job.error = job.failure_message or f"Simulated failure while {job.fail_at}."
        if job.webhook_url:
            self._schedule_webhooks(job, account, at)

    def _schedule_webhooks(self, job: JobRecord, account: Account, at: datetime) -> None:
        policy = job.webhook_policy or account.webhook_policy or self.default_webhook_policy
        payload = job.to_json(at)
        for copy in range(1, policy.duplicate + 1):
            delivery = WebhookDelivery(
                id=self._next_id(),
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
            self._pending_webhooks.append(delivery)
            self._deliveries.append(delivery)

    # -- jobs -----------------------------------------------------------------------

    def _job_for(self, token: str, job_id: str) -> JobRecord:
        job = self._jobs.get(job_id)
        if job is None or job.token != token:
            raise ApiError(404, "Job not found")
        return job

    def _new_file(
        self, owner_kind: str, owner_id: str, recipe: Recipe, *, preview: bool = False
    ) -> OutputFile:
        output = OutputFile(id=str(uuid.uuid4()), recipe=recipe, preview=preview)
        self._files[output.id] = (owner_kind, owner_id, output)
        return output

    def _admit(self, token: str, costs: list[Decimal]) -> list[bool]:
        """Check credits and capacity for new jobs; which of them start at once.

        Raises:
            ApiError: 402 when the balance cannot cover them on top of the running
                jobs, 429 when they would overflow the backlog.
        """
        account = self.account(token)
        mine = [j for j in self._active.values() if j.token == token]
        reserved = sum((j.cost for j in mine), Decimal(0))
        if account.credits - reserved < sum(costs, Decimal(0)):
            raise ApiError(
                402,
                "You have run out of credits: this request needs "
                f"{sum(costs, Decimal(0))} CU and {max(account.credits - reserved, Decimal(0))} "
                "CU are available.",
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

    def _add_job(self, job: JobRecord, start: bool, now: datetime) -> None:
        if start:
            job.started_at = now
        self._jobs[job.id] = job
        self._active[job.id] = job

    def _estimate(self, model: Model, params: Mapping[str, Any]) -> Decimal:
        try:
            return pricing.estimate(model, params, catalogue=self.catalogue)
        except (pricing.PriceUnknown, InvalidParams):
            return self.default_cost

    def _seed(self, params: Mapping[str, Any], job_id: str) -> int:
        seed = params.get("seed")
        if isinstance(seed, int | float) and not isinstance(seed, bool):
            return int(seed)
        return int(job_id.replace("-", "")[:8], 16)

    def _resolve_source(self, url: str) -> _Source:
        """Check an enhance input now, so that a bad one fails the job (not the request).

        Runs outside the lock: it may fetch over HTTP.
        """
        if not isinstance(url, str) or not url:
            return _Source(url="", error="No input image was given.")
        try:
            data = self._source_bytes(url)
            info = media.inspect(data)
        except (httpx.HTTPError, OSError, ValueError, LookupError) as exc:
            return _Source(url=url, error=f"Could not read the input image at {url}: {exc}")
        if info.mime_type not in _ENHANCEABLE:
            return _Source(
                url=url, error=f"The input at {url} is {info.mime_type}, not a PNG, JPEG or WebP."
            )
        return _Source(url=url, ext=info.extension)

    def _local_file_id(self, url: str) -> str | None:
        match = _FILE_PATH.search(urlsplit(url).path)
        if match and match.group(1) in self._files:
            return match.group(1)
        return None

    def _source_bytes(self, url: str) -> bytes:
        """The bytes behind ``url``: one of our files from memory, or fetched (cached)."""
        with self._lock:
            local = self._local_file_id(url)
        if local is not None:
            found = self.file_bytes(local)
            if found is None:
                raise LookupError("the simulator has no such file (yet)")
            return found[0]
        key = f"url:{url}"
        data = self._cache.get(key)
        if data is None:
            data = self.fetcher(url)
            self._cache.put(key, data)
        return data

    def _check_webhook_url(self, webhook_url: str | None) -> None:
        if webhook_url is None:
            return
        parts = urlsplit(webhook_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ApiError(400, "X-Webhook-URL must be an absolute http(s) URL.")

    def _job_type(self, model: Model) -> str:
        if model.group == "enhance":
            return "enhance"
        if model.group == "video":
            return "externalVideo"
        if model.id.startswith("image/bfl/flux-1-"):
            return "flux"
        if model.id.startswith("image/krea/"):
            return "k1"
        return "externalImage"

    def generate(
        self,
        token: str,
        model_path: str,
        body: Any,
        *,
        base_url: str,
        webhook_url: str | None = None,
        faults: FaultPlan | None = None,
    ) -> dict[str, Any]:
        """``POST /generate/...``: validate, charge-check, queue a job; Krea's answer."""
        try:
            model = self.catalogue.get(model_path)
        except UnknownModel:
            raise ApiError(404, f"Unknown model: /generate/{model_path}") from None
        errors = validate_params(model, body, today=self.clock.now().date())
        if errors:
            raise ApiError(400, _errors_text(errors))
        self._check_webhook_url(webhook_url)
        params = model.defaults()
        params.update({k: v for k, v in normalise_params(model, body).items() if v is not None})
        job_id = str(uuid.uuid4())
        source = None
        if model.group == "enhance":
            source = self._resolve_source(params.get("image_url", ""))
        cost = self._estimate(model, body)
        with self._lock:
            now = self.clock.now()
            self._settle(now)
            (start,) = self._admit(token, [cost])
            job = JobRecord(
                id=job_id,
                token=token,
                kind=model.group,
                job_type=self._job_type(model),
                model_id=model.id,
                params=params,
                cost=cost,
                created_at=self._stamp(now),
                # A group a future catalogue adds runs like an image job.
                duration=self.durations.get(model.group, self.durations["image"]),
                base_url=base_url,
            )
            self._apply_faults(job, faults)
            self._plan_outputs(job, model, params, source)
            self._add_job(job, start, now)
            job.webhook_url = webhook_url
            return job.to_json(now, as_created=True)

    def _apply_faults(self, job: JobRecord, faults: FaultPlan | None) -> None:
        if faults is None:
            return
        if faults.fail_at:
            job.fail_at = faults.fail_at
            job.failure_message = f"Simulated failure while {faults.fail_at}."
        base = self.account(job.token).webhook_policy or self.default_webhook_policy
        if faults.webhook_duplicate or faults.webhook_delay is not None or faults.webhook_drop:
            job.webhook_policy = faults.webhook_policy(base)

    def _fail_with(self, job: JobRecord, message: str) -> None:
        if job.fail_at is None:
            job.fail_at = "processing"
            job.failure_message = message

    def _plan_outputs(
        self, job: JobRecord, model: Model, params: Mapping[str, Any], source: _Source | None
    ) -> None:
        prompt = str(params.get("prompt") or "")
        seed = self._seed(params, job.id)
        if model.group == "enhance":
            assert source is not None
            if source.error:
                self._fail_with(job, source.error)
            width, height = image_size(params)
            ext = image_format(params, default="png")
            recipe = Recipe("upscale", ext, width=width, height=height, source_url=source.url)
            job.outputs = [self._new_file("job", job.id, recipe)]
            return
        if model.group == "video":
            width, height = video_size(params)
            recipe = Recipe(
                "video",
                "mp4",
                prompt=prompt,
                seed=seed,
                width=width,
                height=height,
                duration=video_duration(params),
            )
            job.outputs = [self._new_file("job", job.id, recipe)]
            job.previews = [self._new_file("job", job.id, self._preview(recipe), preview=True)]
            return
        width, height = image_size(params)
        ext = image_format(params)
        for index in range(output_count(params)):
            recipe = Recipe(
                "image", ext, prompt=prompt, seed=seed + index, width=width, height=height
            )
            job.outputs.append(self._new_file("job", job.id, recipe))
            job.previews.append(self._new_file("job", job.id, self._preview(recipe), preview=True))

    @staticmethod
    def _preview(recipe: Recipe) -> Recipe:
        scale = min(1.0, PREVIEW_SIDE / max(recipe.width, recipe.height))
        return Recipe(
            "image",
            "png",
            prompt=recipe.prompt,
            seed=recipe.seed,
            width=max(16, round(recipe.width * scale)),
            height=max(16, round(recipe.height * scale)),
        )

    def get_job(self, token: str, job_id: str) -> dict[str, Any]:
        """``GET /jobs/{id}``."""
        with self._lock:
            now = self.clock.now()
            self._settle(now)
            return self._job_for(token, job_id).to_json(now)

    def cancel_job(self, token: str, job_id: str) -> dict[str, Any]:
        """``DELETE /jobs/{id}``: cancel a job that is not terminal yet.

        A terminal job is left as it is; the answer is 200 either way (the spec
        documents only 200 and 404).
        """
        with self._lock:
            now = self.clock.now()
            self._settle(now)
            job = self._job_for(token, job_id)
            if not job.is_terminal:
                self._finish(job, "cancelled", now)
                self._promote(token, now)
            return job.to_json(now)

    def list_jobs(
        self,
        token: str,
        *,
        cursor: str | None = None,
        limit: str | None = None,
        types: str | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        """``GET /jobs``: newest first; ``cursor`` = jobs created before that time."""
        before = _parse_cursor(cursor)
        size = _parse_limit(limit)
        if status is not None and status not in JOB_STATUSES:
            raise ApiError(400, f"status must be one of {', '.join(JOB_STATUSES)}.")
        wanted = {t.strip() for t in (types or "").split(",") if t.strip()}
        with self._lock:
            now = self.clock.now()
            self._settle(now)
            jobs = sorted(
                (j for j in self._jobs.values() if j.token == token),
                key=lambda j: j.created_at,
                reverse=True,
            )
            if before is not None:
                jobs = [j for j in jobs if j.created_at < before]
            if wanted:
                jobs = [j for j in jobs if wanted & {j.job_type, j.kind, j.model_id or ""}]
            if status is not None:
                jobs = [j for j in jobs if j.status_at(now) == status]
            page = jobs[:size]
            next_cursor = isoformat(page[-1].created_at) if len(jobs) > size else None
            return {"items": [j.to_json(now) for j in page], "next_cursor": next_cursor}

    def job_record(self, job_id: str) -> JobRecord | None:
        """The internal record of a job (any token's), for tests and the control API."""
        with self._lock:
            self._settle(self.clock.now())
            return self._jobs.get(job_id)

    # -- assets ---------------------------------------------------------------------

    def create_asset(
        self, token: str, data: bytes, *, description: str | None, base_url: str
    ) -> dict[str, Any]:
        """``POST /assets`` once the upload is read: check the content, store it."""
        try:
            info = media.inspect(data, max_bytes=media.MAX_ASSET_BYTES)
        except media.AssetTooLarge:
            raise ApiError(400, _too_large_message()) from None
        except media.UnsupportedMedia as exc:
            raise ApiError(400, f"Invalid file type: {exc}") from None
        with self._lock:
            now = self.clock.now()
            asset = AssetRecord(
                id=str(uuid.uuid4()),
                token=token,
                data=data,
                info=info,
                description=description,
                uploaded_at=self._stamp(now),
                file_id=str(uuid.uuid4()),
                base_url=base_url,
            )
            self._assets[asset.id] = asset
            self._files[asset.file_id] = ("asset", asset.id, None)
            return asset.to_json()

    def _asset_for(self, token: str, asset_id: str) -> AssetRecord:
        asset = self._assets.get(asset_id)
        if asset is None or asset.token != token:
            raise ApiError(404, "Asset not found")
        return asset

    def get_asset(self, token: str, asset_id: str) -> dict[str, Any]:
        """``GET /assets/{id}``."""
        with self._lock:
            return self._asset_for(token, asset_id).to_json()

    def delete_asset(self, token: str, asset_id: str) -> dict[str, Any]:
        """``DELETE /assets/{id}``: the file stops being served."""
        with self._lock:
            asset = self._asset_for(token, asset_id)
            del self._assets[asset.id]
            self._files.pop(asset.file_id, None)
            return {"success": True, "message": "Asset deleted successfully"}

    def list_assets(
        self, token: str, *, cursor: str | None = None, limit: str | None = None
    ) -> dict[str, Any]:
        """``GET /assets``: newest first; ``cursor`` = assets uploaded before that time."""
        before = _parse_cursor(cursor)
        size = _parse_limit(limit)
        with self._lock:
            assets = sorted(
                (a for a in self._assets.values() if a.token == token),
                key=lambda a: a.uploaded_at,
                reverse=True,
            )
            if before is not None:
                assets = [a for a in assets if a.uploaded_at < before]
            page = assets[:size]
            next_cursor = isoformat(page[-1].uploaded_at) if len(assets) > size else None
            return {"items": [a.to_json() for a in page], "next_cursor": next_cursor}

    # -- styles ---------------------------------------------------------------------

    def _style_preview(self, style: StyleRecord) -> Recipe:
        width, height = STYLE_PREVIEW_SIZE
        seed = int(style.id.replace("-", "")[:8], 16)
        prompt = f"{style.title or 'Style'}: {style.prompt}".strip(": ")
        return Recipe("image", "png", prompt=prompt, seed=seed, width=width, height=height)

    def train_style(
        self,
        token: str,
        body: Any,
        *,
        base_url: str,
        webhook_url: str | None = None,
        faults: FaultPlan | None = None,
    ) -> dict[str, Any]:
        """``POST /styles/train``: validate the body shape, start a training job."""
        training = self.catalogue.training
        if training is None:
            raise ApiError(404, "Style training is not available")
        if not isinstance(body, Mapping):
            raise ApiError(400, "The request body must be a JSON object.")
        model = body.get("model", "flux_dev")
        try:
            schema = training.schema_for(model) if isinstance(model, str) else None
        except UnknownModel:
            schema = None
        errors = validate_against(schema or training.request_schema, body)
        if errors:
            raise ApiError(400, _errors_text(errors))
        self._check_webhook_url(webhook_url)
        params = {
            name: prop["default"]
            for name, prop in (schema or {}).get("properties", {}).items()
            if isinstance(prop, Mapping) and "default" in prop
        }
        params.update(body)
        params["model"] = model
        steps = int(params.get("max_train_steps") or self.training_steps)
        try:
            cost = pricing.training_estimate(model, steps, catalogue=self.catalogue)
        except (pricing.PriceUnknown, UnknownModel, ValueError):
            cost = self.default_cost
        with self._lock:
            now = self.clock.now()
            self._settle(now)
            (start,) = self._admit(token, [cost])
            job = JobRecord(
                id=str(uuid.uuid4()),
                token=token,
                kind="training",
                job_type="loraTraining",
                model_id=str(model),
                params=params,
                cost=cost,
                created_at=self._stamp(now),
                duration=self.durations["training"],
                base_url=base_url,
                style_id=str(uuid.uuid4()),
            )
            preview = Recipe(
                "image",
                "png",
                prompt=f"{params.get('name', '')} {params.get('trigger_word', '')}".strip(),
                seed=self._seed({}, job.id),
                width=STYLE_PREVIEW_SIZE[0] // 4,
                height=STYLE_PREVIEW_SIZE[1] // 4,
            )
            job.previews = [self._new_file("job", job.id, preview, preview=True)]
            self._apply_faults(job, faults)
            self._add_job(job, start, now)
            job.webhook_url = webhook_url
            return job.to_json(now, as_created=True)

    def _create_trained_style(self, job: JobRecord, at: datetime) -> None:
        account = self.account(job.token)
        params = job.params
        style = StyleRecord(
            id=job.style_id or str(uuid.uuid4()),
            title=str(params.get("name") or "") or None,
            prompt=str(params.get("trigger_word") or ""),
            models=[str(params.get("model"))],
            created_at=self._stamp(at),
            owner_token=job.token,
            owner=account.identity,
            base_url=job.base_url,
        )
        style.previews = [self._new_file("style", style.id, self._style_preview(style))]
        self._styles[style.id] = style

    def _visible_style(self, token: str, style_id: str) -> StyleRecord:
        style = self._styles.get(style_id)
        if style is None or not style.visible_to(token, self.account(token).identity):
            raise ApiError(404, "Style not found")
        return style

    def _owned_style(self, token: str, style_id: str) -> StyleRecord:
        style = self._styles.get(style_id)
        if style is None or style.owner_token != token:
            raise ApiError(404, "Style not found or you are not the owner")
        return style

    def list_styles(self, token: str, query: Mapping[str, str], *, base_url: str) -> dict[str, Any]:
        """``GET /styles`` with Krea's filters (see :mod:`.styles` for their meaning)."""
        name = query.get("filter") or "all"
        if name not in STYLE_FILTERS:
            raise ApiError(400, f"filter must be one of {', '.join(STYLE_FILTERS)}.")
        liked_text = (query.get("liked") or "false").lower()
        if liked_text not in ("true", "false"):
            raise ApiError(400, "liked must be true or false.")
        size = _parse_limit(query.get("limit"))
        before = _parse_cursor(query.get("cursor"))
        ids = {i.strip() for i in (query.get("ids") or "").split(",") if i.strip()}
        with self._lock:
            self._settle(self.clock.now())
            identity = self.account(token).identity
            styles = [
                s
                for s in self._styles.values()
                if s.visible_to(token, identity) and s.matches_filter(name, token, identity)
            ]
            if liked_text == "true":
                styles = []  # nobody likes anything in the simulator
            if ids:
                styles = [s for s in styles if s.id in ids]
            if query.get("user"):
                styles = [s for s in styles if s.owner and s.owner.id == query["user"]]
            if query.get("model"):
                styles = [s for s in styles if query["model"] in s.models]
            styles.sort(key=lambda s: (s.created_at, s.id), reverse=True)
            if before is not None:
                styles = [s for s in styles if s.created_at < before]
            page = styles[:size]
            next_cursor = isoformat(page[-1].created_at) if len(styles) > size else None
            return {"items": [s.to_json(base_url) for s in page], "next_cursor": next_cursor}

    def get_style(self, token: str, style_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /styles/{id}``: public styles, own styles, styles shared with the workspace."""
        with self._lock:
            self._settle(self.clock.now())
            return self._visible_style(token, style_id).to_json(base_url)

    def update_style(
        self, token: str, style_id: str, body: Any, *, base_url: str
    ) -> dict[str, Any]:
        """``PATCH /styles/{id}``: ``public``, ``title``, ``urls``, ``cover_url``."""
        errors = validate_against(_STYLE_UPDATE_SCHEMA, body)
        if errors:
            raise ApiError(400, _errors_text(errors))
        changes = {k: v for k, v in body.items() if k in _STYLE_UPDATE_FIELDS and v is not None}
        with self._lock:
            self._settle(self.clock.now())
            style = self._owned_style(token, style_id)
            if not changes:
                raise ApiError(400, "No valid fields to update")
            if "public" in changes:
                style.public = changes["public"]
            if "title" in changes:
                style.title = changes["title"]
            if "urls" in changes:
                style.urls = list(changes["urls"])
            if "cover_url" in changes:
                style.cover_url = changes["cover_url"]
            return style.to_json(base_url)

    def style_share_link(
        self, token: str, style_id: str, *, base_url: str
    ) -> tuple[dict[str, Any], bool]:
        """``GET /styles/{id}/share/link``: the link, and whether it was made now (201)."""
        with self._lock:
            style = self._owned_style(token, style_id)
            created = style.share_code is None
            if created:
                style.share_code = uuid.uuid4().hex[:12]
            link = f"{style.base_url or base_url}/share/styles/{style.share_code}"
            return {"share_link": link, "is_new": created}, created

    def _shareable_style(self, token: str, style_id: str) -> StyleRecord:
        style = self._visible_style(token, style_id)
        if style.owner_token != token:
            raise ApiError(403, "You do not own this style")
        return style

    def share_style(self, token: str, style_id: str) -> dict[str, Any]:
        """``POST /styles/{id}/share/workspace``."""
        with self._lock:
            style = self._shareable_style(token, style_id)
            identity = self.account(token).identity
            style.shared_workspaces.add(identity.workspace_id)
            return {
                "success": True,
                "style_id": style.id,
                "workspace": {
                    "id": identity.workspace_id,
                    "name": identity.workspace_name,
                    "is_default": True,
                },
            }

    def unshare_style(self, token: str, style_id: str) -> dict[str, Any]:
        """``DELETE /styles/{id}/share/workspace``."""
        with self._lock:
            style = self._shareable_style(token, style_id)
            identity = self.account(token).identity
            if identity.workspace_id not in style.shared_workspaces:
                raise ApiError(404, "Style not shared with this workspace")
            style.shared_workspaces.discard(identity.workspace_id)
            return {"success": True}

    # -- node apps ------------------------------------------------------------------

    def get_node_app(self, app_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /node-apps/{id}``."""
        app = find_node_app(app_id)
        if app is None:
            raise ApiError(404, "Node app not found")
        return app.to_json(base_url)

    def execute_node_app(
        self,
        token: str,
        app_id: str,
        body: Any,
        *,
        base_url: str,
        faults: FaultPlan | None = None,
    ) -> list[dict[str, Any]]:
        """``POST /node-apps/{id}/execute``: validate inputs, start the app's jobs."""
        app = find_node_app(app_id)
        if app is None:
            raise ApiError(404, "Node app version not found")
        errors = validate_against(app.input_schema, body)
        if errors:
            raise ApiError(400, _errors_text(errors))
        inputs = {
            name: prop["default"]
            for name, prop in app.input_schema["properties"].items()
            if "default" in prop
        }
        inputs.update(body)
        source = self._resolve_source(inputs["image_url"]) if app.mode == "upscale" else None
        count = 1 if app.mode == "upscale" else int(inputs.get("variations", 1))
        costs = [self.default_cost] * count
        with self._lock:
            now = self.clock.now()
            self._settle(now)
            starts = self._admit(token, costs)
            jobs = []
            for index, start in enumerate(starts):
                job = JobRecord(
                    id=str(uuid.uuid4()),
                    token=token,
                    kind="node-app",
                    job_type="nodeApp",
                    model_id=app.slug,
                    params=dict(inputs),
                    cost=costs[index],
                    created_at=self._stamp(now),
                    duration=self.durations["node-app"],
                    base_url=base_url,
                )
                self._plan_node_app_outputs(job, app, inputs, source, index)
                self._apply_faults(job, faults)
                self._add_job(job, start, now)
                jobs.append(job)
            return [job.to_json(now) for job in jobs]

    def _plan_node_app_outputs(
        self,
        job: JobRecord,
        app: NodeAppSample,
        inputs: Mapping[str, Any],
        source: _Source | None,
        index: int,
    ) -> None:
        if source is not None:
            if source.error:
                self._fail_with(job, source.error)
            recipe = Recipe(
                "upscale", source.ext, source_url=source.url, factor=float(inputs["scale"])
            )
            job.outputs = [self._new_file("job", job.id, recipe)]
            return
        width, height = image_size({"aspect_ratio": inputs.get("aspect_ratio", "1:1")})
        recipe = Recipe(
            "image",
            "png",
            prompt=f"{inputs['prompt']} ({inputs.get('background', 'studio')} background)",
            seed=self._seed({}, job.id) + index,
            width=width,
            height=height,
        )
        job.outputs = [self._new_file("job", job.id, recipe)]
        job.previews = [self._new_file("job", job.id, self._preview(recipe), preview=True)]

    # -- files ----------------------------------------------------------------------

    def file_bytes(self, file_id: str, ext: str | None = None) -> tuple[bytes, str] | None:
        """The content and MIME type of a served file, or ``None`` if it is not available.

        Job outputs appear once the job is completed (previews from
        intermediate-complete on); they are rendered on first download and cached.
        """
        with self._lock:
            now = self.clock.now()
            self._settle(now)
            entry = self._files.get(file_id)
            if entry is None:
                return None
            owner_kind, owner_id, output = entry
            if owner_kind == "asset":
                asset = self._assets[owner_id]
                if ext is not None and ext != asset.info.extension:
                    return None
                return asset.data, asset.info.mime_type
            assert output is not None
            if owner_kind == "job" and not self._jobs[owner_id].file_visible(output, now):
                return None
            recipe = output.recipe
        if ext is not None and ext != recipe.ext:
            return None
        data = self._cache.get(file_id)
        if data is None:
            data = render(recipe, self._source_bytes)
            self._cache.put(file_id, data)
        return data, recipe.content_type


_STYLE_UPDATE_FIELDS = ("public", "urls", "title", "cover_url")
_STYLE_UPDATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "public": {"type": ["boolean", "null"]},
        "urls": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "title": {"type": "string"},
        "cover_url": {"type": "string"},
    },
}


def _too_large_message() -> str:
    return f"File too large: the maximum size is {media.MAX_ASSET_BYTES // (1024 * 1024)}MB."


def _parse_cursor(cursor: str | None) -> datetime | None:
    if cursor is None or cursor == "":
        return None
    try:
        return parse_time(cursor)
    except ValueError:
        raise ApiError(400, "cursor must be an ISO 8601 timestamp.") from None


def _parse_limit(limit: str | None) -> int:
    if limit is None or limit == "":
        return DEFAULT_PAGE
    try:
        size = int(limit)
    except ValueError:
        raise ApiError(400, "limit must be a whole number from 1 to 1000.") from None
    if not 1 <= size <= MAX_PAGE:
        raise ApiError(400, "limit must be a whole number from 1 to 1000.")
    return size

"""What every resource handler of the simulator shares: configuration, stores, one lock.

:class:`SimulatorState` holds the simulator's settings and everything it knows
(accounts, jobs, assets, styles, served files, webhook deliveries), under one
re-entrant lock, so the threaded server, its ticker thread and in-process tests can
share it. The handlers in :mod:`.resources` act on it; none holds state of its own.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from ..catalogue import Catalogue, ParamError, load
from .accounts import Account
from .assets import AssetRecord
from .clock import Clock
from .faults import FaultQueue
from .jobs import JobRecord, OutputFile, job_durations
from .outputs import FileCache, Recipe
from .requestlog import RequestLog
from .styles import StyleRecord
from .webhooks import WebhookDelivery, WebhookPolicy, WebhookSender, post_webhook

__all__ = [
    "DEFAULT_BACKLOG_CAP",
    "DEFAULT_CACHE_BYTES",
    "DEFAULT_CONCURRENCY_LIMIT",
    "DEFAULT_COST",
    "DEFAULT_CREDITS",
    "DEFAULT_LOG_SIZE",
    "DEFAULT_TRAINING_STEPS",
    "ApiError",
    "Fetcher",
    "SimulatorState",
]

DEFAULT_CREDITS = Decimal(1_000_000)
DEFAULT_CONCURRENCY_LIMIT = 4
DEFAULT_BACKLOG_CAP = 20
DEFAULT_COST = Decimal(5)
DEFAULT_TRAINING_STEPS = 1000
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
DEFAULT_LOG_SIZE = 2000

Fetcher = Callable[[str], bytes]
"""``url -> bytes``: reads an input URL that is not one of the simulator's own files."""


class ApiError(Exception):
    """An answer in Krea's error shape: ``status`` and ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @classmethod
    def invalid(cls, errors: Iterable[ParamError]) -> ApiError:
        """Krea's 400 for a body that does not match its schema."""
        return cls(400, " ".join(e.message for e in errors))


def _floor_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class SimulatorState:
    """Settings and stores of one simulator (see :class:`~.core.SimulatorCore` for the
    meaning of each setting)."""

    def __init__(
        self,
        *,
        catalogue: Catalogue | None,
        clock: Clock | None,
        job_seconds: float | Mapping[str, float] | None,
        credits: Decimal | int | str,
        concurrency_limit: int,
        backlog_cap: int,
        tokens: Iterable[str],
        public_base_url: str | None,
        input_origins: Iterable[str],
        webhook_sender: WebhookSender | None,
        webhook_policy: WebhookPolicy | None,
        default_cost: Decimal | int | str,
        training_steps: int,
        fetcher: Fetcher | None,
        cache_bytes: int,
        log_size: int,
        workspaces: Mapping[str, str] | None,
    ) -> None:
        if concurrency_limit < 1 or backlog_cap < 0:
            raise ValueError("concurrency_limit must be >= 1 and backlog_cap >= 0")
        self.catalogue = catalogue if catalogue is not None else load()
        self.clock = clock or Clock.real()
        self.durations = job_durations(job_seconds)
        self.default_credits = Decimal(credits)
        self.default_concurrency_limit = concurrency_limit
        self.default_backlog_cap = backlog_cap
        self.initial_tokens = frozenset(t for t in tokens if t)
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.input_origins = tuple(input_origins)
        # Base URLs requests reached the simulator at (see resources.files).
        self.own_origins: set[str] = set()
        self.webhook_sender: WebhookSender = webhook_sender or post_webhook
        self.default_webhook_policy = webhook_policy or WebhookPolicy()
        self.default_cost = Decimal(default_cost)
        self.training_steps = training_steps
        self.fetcher = fetcher
        self.log_size = log_size
        self.workspace_names = dict(workspaces or {})
        self.lock = threading.RLock()
        self.cache = FileCache(cache_bytes)
        self.faults = FaultQueue()
        self.request_log = RequestLog(log_size)
        self.clear()

    def clear(self) -> None:
        """Forget everything the simulator learnt since it started (settings stay)."""
        with self.lock:
            # Tokens that are identities here: those given at start, and those
            # registered since (an account configured through the control API).
            self.tokens: set[str] = set(self.initial_tokens)
            self.accounts: dict[str, Account] = {}
            self.jobs: dict[str, JobRecord] = {}
            # Jobs not terminal yet: the only ones the clock can still change.
            self.active: dict[str, JobRecord] = {}
            self.assets: dict[str, AssetRecord] = {}
            self.styles: dict[str, StyleRecord] = {}
            # file id -> (owner kind "job" | "style" | "asset", owner id, the file)
            self.files: dict[str, tuple[str, str, OutputFile | None]] = {}
            self.pending_webhooks: list[WebhookDelivery] = []
            self.deliveries: deque[WebhookDelivery] = deque(maxlen=self.log_size)
            self.last_stamp: datetime | None = None
            self.counter = 0
            self.cache.clear()
            self.faults.clear()
            self.request_log.clear()

    def next_id(self) -> int:
        """A number unique within this simulator's life (webhook delivery ids)."""
        with self.lock:
            self.counter += 1
            return self.counter

    def stamp(self, now: datetime) -> datetime:
        """A creation time at ``now``, unique to the millisecond (cursors rely on it)."""
        with self.lock:
            stamp = _floor_ms(now)
            if self.last_stamp is not None and stamp <= self.last_stamp:
                stamp = self.last_stamp + timedelta(milliseconds=1)
            self.last_stamp = stamp
            return stamp

    def new_file(
        self, owner_kind: str, owner_id: str, recipe: Recipe, *, preview: bool = False
    ) -> OutputFile:
        """Register a file to serve under ``/files/<id>.<ext>`` once its owner allows."""
        output = OutputFile(id=str(uuid.uuid4()), recipe=recipe, preview=preview)
        with self.lock:
            self.files[output.id] = (owner_kind, owner_id, output)
        return output

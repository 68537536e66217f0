"""Typed, immutable views of Krea's response bodies.

Each class mirrors one response schema of Krea's OpenAPI description, keeps the
field names Krea uses, and keeps the body it was parsed from in ``raw`` so that
fields Krea adds later are not lost. ``from_json`` raises
:class:`~krea_integration.errors.InvalidResponse` when a field the spec marks
required is missing or has the wrong type; optional fields Krea leaves out
become ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from .errors import InvalidResponse

__all__ = [
    "TERMINAL_JOB_STATUSES",
    "Asset",
    "AssetPage",
    "Job",
    "JobPage",
    "JobResult",
    "JobStatus",
    "NodeApp",
    "ShareLink",
    "Style",
    "StyleOwner",
    "StylePage",
    "Workspace",
    "WorkspaceShare",
]


class JobStatus(StrEnum):
    """The states Krea documents for a job, in the order a job moves through them."""

    BACKLOGGED = "backlogged"
    QUEUED = "queued"
    SCHEDULED = "scheduled"
    PROCESSING = "processing"
    SAMPLING = "sampling"
    INTERMEDIATE_COMPLETE = "intermediate-complete"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_JOB_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


class _Reader:
    """Reads one JSON object field by field, naming the field in every error.

    ``required`` follows the spec: the key must be present. ``*_or_none`` readers
    accept null (and, unless required, a missing key) and return ``None``.
    """

    def __init__(self, data: Any, kind: str) -> None:
        if not isinstance(data, Mapping):
            raise InvalidResponse(f"Krea's {kind} is not a JSON object")
        self.data: Mapping[str, Any] = data
        self.kind = kind

    def _fail(self, key: str, problem: str) -> InvalidResponse:
        return InvalidResponse(f"Krea's {self.kind} field {key!r} {problem}")

    def _get(self, key: str, *, required: bool) -> Any:
        if key not in self.data:
            if required:
                raise InvalidResponse(f"Krea's {self.kind} has no {key!r} field")
            return None
        return self.data[key]

    def _non_null(self, key: str) -> Any:
        value = self._get(key, required=True)
        if value is None:
            raise self._fail(key, "is null")
        return value

    def text(self, key: str) -> str:
        value = self._non_null(key)
        if not isinstance(value, str):
            raise self._fail(key, "is not a string")
        return value

    def text_or_none(self, key: str, *, required: bool = False) -> str | None:
        return None if self._get(key, required=required) is None else self.text(key)

    def flag(self, key: str) -> bool:
        value = self._non_null(key)
        if not isinstance(value, bool):
            raise self._fail(key, "is not a boolean")
        return value

    def number(self, key: str) -> float:
        value = self._non_null(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "is not a number")
        # Krea types sizes and counts as JSON "number": an integral value comes back
        # as an int, so a width reads 1024 rather than 1024.0.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def number_or_none(self, key: str, *, required: bool = False) -> float | None:
        return None if self._get(key, required=required) is None else self.number(key)

    def time(self, key: str) -> datetime:
        try:
            return datetime.fromisoformat(self.text(key))
        except ValueError:
            raise self._fail(key, "is not an ISO 8601 time") from None

    def time_or_none(self, key: str, *, required: bool = False) -> datetime | None:
        return None if self._get(key, required=required) is None else self.time(key)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._non_null(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._fail(key, "is not a list of strings")
        return tuple(value)

    def texts_or_none(self, key: str, *, required: bool = False) -> tuple[str, ...] | None:
        return None if self._get(key, required=required) is None else self.texts(key)

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self._non_null(key)
        if not isinstance(value, Mapping):
            raise self._fail(key, "is not an object")
        return value

    def mapping_or_none(self, key: str, *, required: bool = False) -> Mapping[str, Any] | None:
        return None if self._get(key, required=required) is None else self.mapping(key)

    def array(self, key: str) -> list[Any]:
        value = self._non_null(key)
        if not isinstance(value, list):
            raise self._fail(key, "is not a list")
        return value


@dataclass(frozen=True)
class JobResult:
    """What a job produced: output URLs, or a trained style's id, or an error."""

    urls: tuple[str, ...]
    style_id: str | None
    error: str | None
    """Not in the spec's schema; Krea reports why a failed job failed here."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a job's ``result`` object."""
        r = _Reader(data, "job result")
        error = r.data.get("error")
        return cls(
            urls=r.texts_or_none("urls") or (),
            style_id=r.text_or_none("style_id"),
            # Tolerant on purpose: an error of another shape must not hide the job.
            error=error if isinstance(error, str) else None,
            raw=r.data,
        )


@dataclass(frozen=True)
class Job:
    """A Krea job: a generation, an enhancement, a style training or a node-app run."""

    job_id: str
    status: str
    """One of :class:`JobStatus`, kept as a plain string so that a state Krea adds
    later does not break parsing."""
    created_at: datetime
    completed_at: datetime | None
    result: JobResult | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def is_terminal(self) -> bool:
        """True once the job is completed, failed or cancelled: it will not change again."""
        return self.status in TERMINAL_JOB_STATUSES

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a job object (a generation answer, ``GET /jobs/{id}``, a webhook body)."""
        r = _Reader(data, "job")
        result = r.mapping_or_none("result")
        return cls(
            job_id=r.text("job_id"),
            status=r.text("status"),
            created_at=r.time("created_at"),
            completed_at=r.time_or_none("completed_at"),
            result=None if result is None else JobResult.from_json(result),
            raw=r.data,
        )


@dataclass(frozen=True)
class JobPage:
    """One page of ``GET /jobs``; pass ``next_cursor`` back to get the next one."""

    items: tuple[Job, ...]
    next_cursor: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    server_time: datetime | None = field(default=None, compare=False)
    """Krea's clock when it answered (its ``Date`` header, to the second), when it sent one."""

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a ``GET /jobs`` body."""
        r = _Reader(data, "job list")
        return cls(
            items=tuple(Job.from_json(item) for item in r.array("items")),
            next_cursor=r.text_or_none("next_cursor", required=True),
            raw=r.data,
        )


@dataclass(frozen=True)
class Asset:
    """A file uploaded to Krea; ``image_url`` is what generation inputs take."""

    id: str
    image_url: str
    uploaded_at: datetime
    width: float | None
    height: float | None
    size_bytes: float | None
    mime_type: str | None
    description: str | None
    metadata: Any = field(hash=False)
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse an asset object."""
        r = _Reader(data, "asset")
        return cls(
            id=r.text("id"),
            image_url=r.text("image_url"),
            uploaded_at=r.time("uploaded_at"),
            width=r.number_or_none("width", required=True),
            height=r.number_or_none("height", required=True),
            size_bytes=r.number_or_none("size_bytes", required=True),
            mime_type=r.text_or_none("mime_type", required=True),
            description=r.text_or_none("description"),
            metadata=r.data.get("metadata"),
            raw=r.data,
        )


@dataclass(frozen=True)
class AssetPage:
    """One page of ``GET /assets``."""

    items: tuple[Asset, ...]
    next_cursor: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a ``GET /assets`` body."""
        r = _Reader(data, "asset list")
        return cls(
            items=tuple(Asset.from_json(item) for item in r.array("items")),
            next_cursor=r.text_or_none("next_cursor", required=True),
            raw=r.data,
        )


@dataclass(frozen=True)
class StyleOwner:
    """Who created a style (``None`` on the style for Krea's official styles)."""

    id: str
    name: str
    avatar_url: str | None

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a style's ``owner`` object."""
        r = _Reader(data, "style owner")
        return cls(id=r.text("id"), name=r.text("name"), avatar_url=r.text_or_none("avatar_url"))


@dataclass(frozen=True)
class Style:
    """A style (LoRA): trained by this token, shared in the workspace, or public."""

    id: str
    title: str | None
    urls: tuple[str, ...]
    public: bool
    cover_url: str | None
    prompt: str
    models: tuple[str, ...]
    owner: StyleOwner | None
    like_count: float
    created_at: str
    """As Krea sends it: the spec gives this timestamp no format."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a style object."""
        r = _Reader(data, "style")
        owner = r.mapping_or_none("owner", required=True)
        return cls(
            id=r.text("id"),
            title=r.text_or_none("title", required=True),
            urls=r.texts("urls"),
            public=r.flag("public"),
            cover_url=r.text_or_none("cover_url"),
            prompt=r.text("prompt"),
            models=r.texts_or_none("models") or (),
            owner=None if owner is None else StyleOwner.from_json(owner),
            like_count=r.number("like_count"),
            created_at=r.text("created_at"),
            raw=r.data,
        )


@dataclass(frozen=True)
class StylePage:
    """One page of ``GET /styles``."""

    items: tuple[Style, ...]
    next_cursor: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a ``GET /styles`` body."""
        r = _Reader(data, "style list")
        return cls(
            items=tuple(Style.from_json(item) for item in r.array("items")),
            next_cursor=r.text_or_none("next_cursor", required=True),
            raw=r.data,
        )


@dataclass(frozen=True)
class ShareLink:
    """A link that lets people outside the workspace use a style."""

    share_link: str
    is_new: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a ``GET /styles/{id}/share/link`` body."""
        r = _Reader(data, "share link")
        return cls(share_link=r.text("share_link"), is_new=r.flag("is_new"), raw=r.data)


@dataclass(frozen=True)
class Workspace:
    """The Krea workspace a token belongs to."""

    id: str
    name: str | None
    is_default: bool

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a ``workspace`` object."""
        r = _Reader(data, "workspace")
        return cls(
            id=r.text("id"),
            name=r.text_or_none("name", required=True),
            is_default=r.flag("is_default"),
        )


@dataclass(frozen=True)
class WorkspaceShare:
    """Krea's answer to sharing a style with the token's workspace."""

    success: bool
    style_id: str
    workspace: Workspace
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a ``POST /styles/{id}/share/workspace`` body."""
        r = _Reader(data, "workspace share")
        return cls(
            success=r.flag("success"),
            style_id=r.text("style_id"),
            workspace=Workspace.from_json(r.mapping("workspace")),
            raw=r.data,
        )


@dataclass(frozen=True)
class NodeApp:
    """One version of a node app, with the JSON schemas of its inputs and outputs."""

    id: str
    author_id: str
    workspace_id: str
    name: str
    slug: str
    description: str
    scope: str
    created_at: str
    updated_at: str
    last_version_id: str
    version: float
    version_created_at: str | None
    username: str
    example_outputs: tuple[str, ...] | None
    input_schema: Mapping[str, Any] | None = field(hash=False)
    """Krea's ``input_openapi_schema``: what ``execute_node_app`` inputs must match."""
    output_schema: Mapping[str, Any] | None = field(hash=False)
    """Krea's ``output_openapi_schema``."""
    input_key_mapping: Mapping[str, Any] | None = field(hash=False)
    output_key_mapping: Mapping[str, Any] | None = field(hash=False)
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse a ``GET /node-apps/{id}`` body."""
        r = _Reader(data, "node app")
        return cls(
            id=r.text("id"),
            author_id=r.text("author_id"),
            workspace_id=r.text("workspace_id"),
            name=r.text("name"),
            slug=r.text("slug"),
            description=r.text("description"),
            scope=r.text("scope"),
            created_at=r.text("created_at"),
            updated_at=r.text("updated_at"),
            last_version_id=r.text("last_version_id"),
            version=r.number("version"),
            version_created_at=r.text_or_none("version_created_at", required=True),
            username=r.text("username"),
            example_outputs=r.texts_or_none("example_outputs", required=True),
            input_schema=r.mapping_or_none("input_openapi_schema", required=True),
            output_schema=r.mapping_or_none("output_openapi_schema", required=True),
            input_key_mapping=r.mapping_or_none("input_key_mapping", required=True),
            output_key_mapping=r.mapping_or_none("output_key_mapping", required=True),
            raw=r.data,
        )

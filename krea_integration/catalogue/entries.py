"""The catalogue's entries: Krea's models, its other operations, style training.

Each entry converts to and from catalogue.json's format (``to_data`` and
``from_data``); :mod:`.openapi` builds them from a Krea spec.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import CatalogueError, UnknownModel
from .prices import PriceTable
from .schema import schema_choices

GENERATION_PREFIX = "/generate/"
TRAINING_PATH = "/styles/train"
FORMAT_VERSION = 1
GROUPS = ("image", "video", "enhance")


@dataclass(frozen=True)
class DeprecatedAlias:
    """An old camelCase name of a request field (``imageUrl`` for ``image_url``).

    From the spec's ``x-krea-deprecated-field-aliases``: Krea accepted the old
    name until ``sunset_date`` (that day included) and refuses it after.
    """

    name: str
    field: str
    sunset_date: date | None = None
    reason: str = ""
    migration_url: str = ""

    def is_sunset(self, today: date) -> bool:
        """Whether Krea refuses this name on ``today``."""
        return self.sunset_date is not None and today > self.sunset_date

    def refusal(self) -> str:
        """Krea's 400 for this name after its sunset."""
        return self._sentence(f"{self.name} is no longer accepted since {self.sunset_date}")

    def notice(self) -> str:
        """What to tell a client that sent this name to a portal that renamed it."""
        when = (
            f"Krea stopped accepting it after {self.sunset_date}"
            if self.sunset_date
            else "Krea will stop accepting it"
        )
        return self._sentence(f"{self.name} is a deprecated name of {self.field} ({when})")

    def _sentence(self, start: str) -> str:
        words = f"{start}: send {self.field} instead."
        if self.reason:
            words += " " + (self.reason if self.reason.endswith(".") else self.reason + ".")
        if self.migration_url:
            words += f" See {self.migration_url}"
        return words

    def to_data(self) -> dict[str, Any]:
        """This alias in catalogue.json's format (``name`` is the key, not a field)."""
        data: dict[str, Any] = {"field": self.field}
        if self.sunset_date:
            data["sunset_date"] = self.sunset_date.isoformat()
        if self.reason:
            data["reason"] = self.reason
        if self.migration_url:
            data["migration_url"] = self.migration_url
        return data

    @classmethod
    def from_data(cls, name: str, data: Any) -> DeprecatedAlias:
        """The inverse of :meth:`to_data` (a bare field name: an alias without a sunset)."""
        if isinstance(data, str):
            return cls(name=name, field=data)
        sunset = data.get("sunset_date")
        return cls(
            name=name,
            field=data["field"],
            sunset_date=date.fromisoformat(sunset) if sunset else None,
            reason=data.get("reason", ""),
            migration_url=data.get("migration_url", ""),
        )


@dataclass(frozen=True)
class Model:
    """One generation endpoint of Krea (``POST /generate/<id>``)."""

    id: str
    path: str
    group: str
    provider: str
    name: str
    summary: str
    request_schema: dict[str, Any] = field(hash=False)
    deprecated_aliases: tuple[DeprecatedAlias, ...]
    price: PriceTable | None
    # Why the spec gave no usable price: "" when priced, otherwise a sentence
    # for admins (no table published, or a table this parser cannot map).
    price_note: str = ""
    # Each URL field's path (``style_images[].url``) and the kind of file it takes
    # (image, video, audio, 3d; None when the refresh could not tell): see .media.
    media_inputs: dict[str, str | None] = field(default_factory=dict, hash=False)

    def defaults(self) -> dict[str, Any]:
        """The request schema's default for every top-level field that has one."""
        return {
            name: copy.deepcopy(prop["default"])
            for name, prop in self.request_schema.get("properties", {}).items()
            if isinstance(prop, dict) and "default" in prop
        }

    @property
    def aliases(self) -> dict[str, str]:
        """Each deprecated name and the field it stands for."""
        return {a.name: a.field for a in self.deprecated_aliases}

    def alias(self, name: str) -> DeprecatedAlias | None:
        """The deprecated alias called ``name``, if there is one."""
        return next((a for a in self.deprecated_aliases if a.name == name), None)

    @property
    def required(self) -> list[str]:
        """Fields the request must carry."""
        return list(self.request_schema.get("required", []))

    def to_data(self) -> dict[str, Any]:
        """This model in catalogue.json's format (``id`` is the key, not a field)."""
        data: dict[str, Any] = {
            "aliases": {a.name: a.to_data() for a in sorted(self.deprecated_aliases, key=_name)},
            "group": self.group,
            "name": self.name,
            "price": self.price.to_data() if self.price else None,
            "provider": self.provider,
            "request_schema": self.request_schema,
            "summary": self.summary,
        }
        if self.price_note:
            data["price_note"] = self.price_note
        if self.media_inputs:
            data["media_inputs"] = self.media_inputs
        return data

    @classmethod
    def from_data(cls, model_id: str, data: Mapping[str, Any]) -> Model:
        """The inverse of :meth:`to_data`."""
        return cls(
            id=model_id,
            path=GENERATION_PREFIX + model_id,
            group=data["group"],
            provider=data["provider"],
            name=data["name"],
            summary=data["summary"],
            request_schema=data["request_schema"],
            deprecated_aliases=tuple(
                DeprecatedAlias.from_data(name, alias) for name, alias in data["aliases"].items()
            ),
            price=PriceTable.from_data(data["price"]) if data["price"] else None,
            price_note=data.get("price_note", ""),
            media_inputs=dict(data.get("media_inputs") or {}),
        )


def _name(alias: DeprecatedAlias) -> str:
    return alias.name


@dataclass(frozen=True)
class Operation:
    """A non-generation operation of Krea's API (jobs, assets, styles, node apps)."""

    method: str
    path: str
    summary: str
    tag: str = ""


@dataclass(frozen=True)
class Training:
    """``POST /styles/train``: its body shapes and its CU price per training step."""

    # The full body schema as Krea publishes it (a ``oneOf`` of the shapes).
    request_schema: dict[str, Any] = field(hash=False)
    step_prices: dict[str, Decimal] = field(hash=False)
    path: str = TRAINING_PATH

    @property
    def shapes(self) -> list[dict[str, Any]]:
        """Each alternative body shape (one per group of training models)."""
        return list(self.request_schema.get("oneOf") or [self.request_schema])

    @property
    def models(self) -> list[str]:
        """Every training model any shape accepts, in the spec's order."""
        seen: list[str] = []
        for shape in self.shapes:
            for choice in schema_choices(shape.get("properties", {}).get("model", {})) or []:
                if choice not in seen:
                    seen.append(choice)
        return seen

    def schema_for(self, train_model: str) -> dict[str, Any]:
        """The body shape that accepts ``train_model`` (its form, its defaults)."""
        for shape in self.shapes:
            if train_model in (schema_choices(shape.get("properties", {}).get("model", {})) or []):
                return shape
        raise UnknownModel(train_model)

    def to_data(self) -> dict[str, Any]:
        """This training spec in catalogue.json's format."""
        return {
            "path": self.path,
            "request_schema": self.request_schema,
            "step_prices": {k: str(v) for k, v in sorted(self.step_prices.items())},
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Training:
        """The inverse of :meth:`to_data`."""
        return cls(
            request_schema=data["request_schema"],
            step_prices={k: Decimal(v) for k, v in data["step_prices"].items()},
            path=data["path"],
        )


@dataclass(frozen=True)
class Catalogue:
    """Every model and operation of one Krea spec."""

    models: tuple[Model, ...]
    operations: tuple[Operation, ...] = ()
    training: Training | None = None
    _by_id: dict[str, Model] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {m.id: m for m in self.models})

    def get(self, model_id_or_path: str) -> Model:
        """The model with this id (``image/bfl/flux-1-dev``) or path (``/generate/...``).

        Raises:
            UnknownModel: no such model in this catalogue.
        """
        model_id = model_id_or_path.strip()
        for prefix in (GENERATION_PREFIX, GENERATION_PREFIX.lstrip("/")):
            model_id = model_id.removeprefix(prefix)
        model = self._by_id.get(model_id)
        if model is None:
            raise UnknownModel(model_id_or_path)
        return model

    def by_group(self, group: str) -> list[Model]:
        """The models of one group (``image``, ``video`` or ``enhance``), by id."""
        return [m for m in self.models if m.group == group]

    def __contains__(self, model_id_or_path: object) -> bool:
        try:
            self.get(str(model_id_or_path))
        except UnknownModel:
            return False
        return True

    def __iter__(self) -> Iterator[Model]:
        return iter(self.models)

    def __len__(self) -> int:
        return len(self.models)

    def to_data(self) -> dict[str, Any]:
        """The catalogue as catalogue.json stores it."""
        return {
            "format": FORMAT_VERSION,
            "models": {m.id: m.to_data() for m in sorted(self.models, key=lambda m: m.id)},
            "operations": [
                {"method": o.method, "path": o.path, "summary": o.summary, "tag": o.tag}
                for o in sorted(self.operations, key=lambda o: (o.path, o.method))
            ],
            "training": self.training.to_data() if self.training else None,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Catalogue:
        """Build a catalogue from catalogue.json's content.

        Raises:
            CatalogueError: the data is not in this module's format.
        """
        if not isinstance(data, Mapping) or data.get("format") != FORMAT_VERSION:
            raise CatalogueError(f"Not a Krea catalogue in format {FORMAT_VERSION}.")
        try:
            models = tuple(Model.from_data(k, v) for k, v in sorted(data["models"].items()))
            operations = tuple(Operation(**o) for o in data["operations"])
            training = Training.from_data(data["training"]) if data["training"] else None
        except (KeyError, TypeError, AttributeError, ValueError, InvalidOperation) as exc:
            raise CatalogueError(f"Malformed Krea catalogue: {exc!r}") from exc
        return cls(models=models, operations=operations, training=training)

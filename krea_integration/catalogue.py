"""Krea's models as data: paths, request schemas, defaults, aliases and prices.

The catalogue is built from a Krea OpenAPI description by :func:`from_openapi`
and checked in as ``catalogue.json`` (the project's own compact format, written
by ``manage.py refresh_krea_catalogue``). Nothing here is specific to one model:
a model Krea adds later works from its spec entry alone, including its price
when its description carries a price table in one of the shapes described at
:func:`parse_price_table`.

Request parameters are validated with JSON Schema Draft 2020-12 against the
model's own request schema, after renaming Krea's deprecated camelCase aliases
(:func:`normalise_params`), and every problem becomes one :class:`ParamError`
that names the field and reads well in a form.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

__all__ = [
    "CATALOGUE_PATH",
    "GENERATION_PREFIX",
    "Catalogue",
    "CatalogueError",
    "InvalidParams",
    "Model",
    "Operation",
    "ParamError",
    "PriceColumn",
    "PriceRow",
    "PriceTable",
    "Training",
    "UnknownModel",
    "dumps",
    "from_openapi",
    "load",
    "normalise_params",
    "parse_price_table",
    "validate_against",
    "validate_params",
]

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")
GENERATION_PREFIX = "/generate/"
TRAINING_PATH = "/styles/train"
FORMAT_VERSION = 1
GROUPS = ("image", "video", "enhance")
HTTP_METHODS = ("get", "put", "post", "delete", "patch")

Measure = Literal["value", "count", "flag"]


class CatalogueError(ValueError):
    """A spec or catalogue file that cannot be turned into a catalogue."""


class UnknownModel(LookupError):
    """No model with this id or path in the catalogue."""

    def __init__(self, model_id_or_path: str) -> None:
        super().__init__(f"Krea has no model {model_id_or_path!r} in this catalogue.")
        self.model_id = model_id_or_path


@dataclass(frozen=True)
class ParamError:
    """One problem with a request body, in words a user understands.

    ``field`` is the offending field (``style_images[0].strength`` for nested
    values), or ``""`` when the problem is the body as a whole.
    """

    field: str
    message: str


class InvalidParams(ValueError):
    """Parameters that cannot be sent to Krea; ``errors`` says why, per field."""

    def __init__(self, errors: Sequence[ParamError]) -> None:
        super().__init__(" ".join(e.message for e in errors))
        self.errors = list(errors)


# ---------------------------------------------------------------- prices


@dataclass(frozen=True)
class PriceColumn:
    """How one column of a price table reads a request parameter.

    ``measure`` is ``"value"`` (the parameter equals the cell), ``"count"`` (the
    number of items in a list parameter) or ``"flag"`` (Yes/No: a boolean
    parameter, or whether a list/object/string parameter was given at all).
    ``column`` is the header as Krea wrote it, for messages and display.
    """

    field: str
    measure: Measure
    column: str

    def read(self, params: Mapping[str, Any]) -> Any:
        """The value this column compares against, from (defaulted) params."""
        value = params.get(self.field)
        if self.measure == "count":
            return len(value) if isinstance(value, list | tuple) else 0
        if self.measure == "flag":
            return bool(value)
        return value

    def matches(self, cell: Any, params: Mapping[str, Any]) -> bool:
        """Whether a row's cell (``None`` = any value) accepts these params."""
        if cell is None:
            return True
        return _same_value(cell, self.read(params))

    def describe(self, value: Any) -> str:
        """``value`` as the table shows it (``Yes``/``No`` for flags)."""
        if self.measure == "flag":
            return "Yes" if value else "No"
        if value is None:
            return "not set"
        return _show(value)


@dataclass(frozen=True)
class PriceRow:
    """One row: its cells (aligned with the table's columns, ``None`` = any) and its CU."""

    cells: tuple[Any, ...]
    cu: Decimal
    approximate: bool = False
    typical_seconds: int | None = None


@dataclass(frozen=True)
class PriceTable:
    """A model's CU price: flat (no columns, one row) or keyed by request parameters."""

    columns: tuple[PriceColumn, ...]
    rows: tuple[PriceRow, ...]

    @property
    def is_flat(self) -> bool:
        """True when the price does not depend on any parameter."""
        return not self.columns

    def lookup(self, params: Mapping[str, Any]) -> PriceRow | None:
        """The first row matching ``params`` (already defaulted), or ``None``."""
        for row in self.rows:
            if all(
                c.matches(cell, params) for c, cell in zip(self.columns, row.cells, strict=True)
            ):
                return row
        return None

    def to_data(self) -> dict[str, Any]:
        """This table in catalogue.json's format."""
        rows = []
        for row in self.rows:
            data: dict[str, Any] = {"cu": str(row.cu)}
            when = {c.field: cell for c, cell in zip(self.columns, row.cells, strict=True)}
            if any(v is not None for v in when.values()):
                data["when"] = {k: v for k, v in when.items() if v is not None}
            if row.approximate:
                data["approx"] = True
            if row.typical_seconds is not None:
                data["seconds"] = row.typical_seconds
            rows.append(data)
        columns = [
            {"column": c.column, "field": c.field, "measure": c.measure} for c in self.columns
        ]
        return {"columns": columns, "rows": rows}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PriceTable:
        """The inverse of :meth:`to_data`."""
        columns = tuple(
            PriceColumn(field=c["field"], measure=c["measure"], column=c["column"])
            for c in data["columns"]
        )
        rows = tuple(
            PriceRow(
                cells=tuple(r.get("when", {}).get(c.field) for c in columns),
                cu=Decimal(r["cu"]),
                approximate=r.get("approx", False),
                typical_seconds=r.get("seconds"),
            )
            for r in data["rows"]
        )
        return cls(columns=columns, rows=rows)


# ---------------------------------------------------------------- catalogue


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
    aliases: dict[str, str] = field(hash=False)
    price: PriceTable | None
    # Why the spec gave no usable price: "" when priced, otherwise a sentence
    # for admins (no table published, or a table this parser cannot map).
    price_note: str = ""

    def defaults(self) -> dict[str, Any]:
        """The request schema's default for every top-level field that has one."""
        return {
            name: copy.deepcopy(prop["default"])
            for name, prop in self.request_schema.get("properties", {}).items()
            if isinstance(prop, dict) and "default" in prop
        }

    @property
    def required(self) -> list[str]:
        """Fields the request must carry."""
        return list(self.request_schema.get("required", []))

    def to_data(self) -> dict[str, Any]:
        """This model in catalogue.json's format (``id`` is the key, not a field)."""
        data: dict[str, Any] = {
            "aliases": dict(sorted(self.aliases.items())),
            "group": self.group,
            "name": self.name,
            "price": self.price.to_data() if self.price else None,
            "provider": self.provider,
            "request_schema": self.request_schema,
            "summary": self.summary,
        }
        if self.price_note:
            data["price_note"] = self.price_note
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
            aliases=dict(data["aliases"]),
            price=PriceTable.from_data(data["price"]) if data["price"] else None,
            price_note=data.get("price_note", ""),
        )


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
        except (KeyError, TypeError, InvalidOperation) as exc:
            raise CatalogueError(f"Malformed Krea catalogue: {exc!r}") from exc
        return cls(models=models, operations=operations, training=training)


@lru_cache(maxsize=8)
def load(path: Path | None = None) -> Catalogue:
    """The catalogue stored at ``path`` (default: the checked-in catalogue.json).

    Read once per path and process; ``load.cache_clear()`` forgets what was read
    (the refresh command calls it after rewriting the file).

    Raises:
        CatalogueError: the file is missing, not JSON, or not a catalogue.
    """
    path = Path(path) if path is not None else CATALOGUE_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"Cannot read the Krea catalogue at {path}: {exc}") from exc
    return Catalogue.from_data(data)


def dumps(catalogue: Catalogue) -> str:
    """The catalogue as catalogue.json text: sorted keys, one short value per line.

    Short objects and lists stay on one line (a price row, a field's schema), so
    that a price or schema change shows up as a one-line diff. The fields of a
    request schema keep Krea's order (prompt first): forms are built from it.
    """
    return _pretty(catalogue.to_data(), 0) + "\n"


def _pretty(value: Any, indent: int, ordered: bool = False, width: int = 100) -> str:
    compact = _compact(value, ordered)
    if not isinstance(value, dict | list) or not value or indent + len(compact) <= width:
        return compact
    inner = " " * (indent + 2)
    if isinstance(value, list):
        items = [inner + _pretty(v, indent + 2, width=width) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
    keys = list(value) if ordered else sorted(value)
    items = [
        inner + json.dumps(k) + ": " + _pretty(value[k], indent + 2, k == "properties", width)
        for k in keys
    ]
    return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"


def _compact(value: Any, ordered: bool = False) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = list(value) if ordered else sorted(value)
        pairs = (json.dumps(k) + ": " + _compact(value[k], k == "properties") for k in keys)
        return "{" + ", ".join(pairs) + "}"
    return json.dumps(value)


# ---------------------------------------------------------------- from the spec


def from_openapi(spec: Mapping[str, Any]) -> Catalogue:
    """Build a catalogue from a Krea OpenAPI description (the parser).

    Every ``POST /generate/<group>/<provider>/...`` operation becomes a
    :class:`Model`; ``POST /styles/train`` becomes :class:`Training`; every other
    operation an :class:`Operation`.

    Raises:
        CatalogueError: the spec has no paths, no generation endpoint, or a
            generation endpoint without a JSON request schema.
    """
    paths = spec.get("paths") if isinstance(spec, Mapping) else None
    if not isinstance(paths, Mapping) or not paths:
        raise CatalogueError("The spec has no 'paths': it is not an OpenAPI description.")
    models: list[Model] = []
    operations: list[Operation] = []
    training: Training | None = None
    for path, path_item in paths.items():
        if not isinstance(path_item, Mapping):
            continue
        for method in HTTP_METHODS:
            op = path_item.get(method)
            if not isinstance(op, Mapping):
                continue
            if method == "post" and path.startswith(GENERATION_PREFIX):
                models.append(_model_from_operation(spec, path, op))
                continue
            if method == "post" and path == TRAINING_PATH:
                training = _training_from_operation(spec, op)
            tags = op.get("tags") or [""]
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=str(op.get("summary") or "").strip(),
                    tag=str(tags[0]),
                )
            )
    if not models:
        raise CatalogueError("The spec has no generation endpoints (POST /generate/...).")
    return Catalogue(
        models=tuple(sorted(models, key=lambda m: m.id)),
        operations=tuple(sorted(operations, key=lambda o: (o.path, o.method))),
        training=training,
    )


def _model_from_operation(spec: Mapping[str, Any], path: str, op: Mapping[str, Any]) -> Model:
    model_id = path.removeprefix(GENERATION_PREFIX).strip("/")
    parts = model_id.split("/")
    if len(parts) < 3 or parts[0] not in GROUPS:
        raise CatalogueError(f"{path}: expected /generate/<{'|'.join(GROUPS)}>/<provider>/<model>.")
    schema = _json_body_schema(spec, op)
    if schema is None or schema.get("type") != "object":
        raise CatalogueError(f"{path}: no JSON object request schema.")
    # Krea rejects unknown fields; say so even if a spec entry forgets to, so
    # that the portal refuses them before paying for a round trip.
    schema.setdefault("additionalProperties", False)
    description = str(op.get("description") or "")
    price, note = parse_price_table(description, schema)
    aliases = {
        str(a["from"]): str(a["to"])
        for a in op.get("x-krea-deprecated-field-aliases") or []
        if isinstance(a, Mapping) and "from" in a and "to" in a
    }
    return Model(
        id=model_id,
        path=GENERATION_PREFIX + model_id,
        group=parts[0],
        provider=parts[1],
        name=str(op.get("summary") or "").strip() or parts[-1],
        summary=_first_line(description),
        request_schema=schema,
        aliases=aliases,
        price=price,
        price_note=note,
    )


def _training_from_operation(spec: Mapping[str, Any], op: Mapping[str, Any]) -> Training:
    schema = _json_body_schema(spec, op) or {"type": "object"}
    training = Training(request_schema=schema, step_prices={})
    # Spell each priced model as the request schema does ("Flux Dev" -> flux_dev).
    spelling = {_loose(m): m for m in training.models}
    step_prices: dict[str, Decimal] = {}
    for header, rows in _markdown_tables(str(op.get("description") or "")):
        cu_index = _cu_column(header)
        if cu_index is None or len(header) < 2:
            continue
        name_index = 0 if cu_index else 1
        for row in rows:
            cu = _parse_cu(row[cu_index])
            if cu is not None and row[name_index]:
                step_prices[spelling.get(_loose(row[name_index]), row[name_index])] = cu[0]
        break
    return Training(request_schema=schema, step_prices=step_prices)


def _loose(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _json_body_schema(spec: Mapping[str, Any], op: Mapping[str, Any]) -> dict[str, Any] | None:
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json")
    if not isinstance(media, Mapping) or not isinstance(media.get("schema"), Mapping):
        return None
    return _inline_refs(spec, media["schema"])


def _inline_refs(spec: Mapping[str, Any], schema: Any, depth: int = 0) -> Any:
    """A deep copy of ``schema`` with local ``$ref``s replaced by their targets.

    Each model's schema must stand alone in the catalogue (there is no
    ``components`` section to point into).
    """
    if depth > 32:
        raise CatalogueError("A $ref cycle in the spec's request schemas.")
    if isinstance(schema, list):
        return [_inline_refs(spec, s, depth) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                raise CatalogueError(f"Unresolvable $ref {ref!r} in the spec.")
            target = target[part]
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        return _inline_refs(spec, {**target, **siblings}, depth + 1)
    return {k: _inline_refs(spec, v, depth) for k, v in schema.items()}


def _first_line(description: str) -> str:
    for line in description.splitlines():
        line = line.strip()
        if line and not line.startswith(("|", ">", "#")):
            return line
    return ""


# ---------------------------------------------------------------- price tables

_YES = {"yes", "true", "on", "with", "enabled", "y"}
_NO = {"no", "false", "off", "without", "disabled", "none", "n"}
_ANY = {"", "-", "\u2014", "\u2013", "any", "all", "n/a"}  # dashes: "not applicable"
_NUMBER = re.compile(r"^~?\s*(\d+(?:\.\d+)?)\s*([a-z]*)$", re.IGNORECASE)
_SECONDS = re.compile(r"~?\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|mins?|minutes?)\b", re.I)
# Units a numeric parameter's cell may carry ("5s", "10 sec", "1080p" for an
# integer "height"-like parameter); anything else is not a number for us.
_NUMBER_UNITS = {"", "s", "sec", "secs", "second", "seconds", "p", "px", "x", "frames"}


def parse_price_table(
    description: str, request_schema: Mapping[str, Any]
) -> tuple[PriceTable | None, str]:
    """Read the CU price from a generation endpoint's markdown description.

    Returns ``(table, "")``, or ``(None, reason)`` when the description has no
    price table or one this parser cannot map onto the request schema. Shapes
    handled:

    - flat: ``| Compute Units |`` or ``| Compute Units | Average Completion
      Time |`` with one row (``~3``: approximately 3);
    - keyed: one column per request parameter before the CU column. A header
      is matched to the request field whose name shares most words with it
      ("Audio" -> ``generate_audio``, "Character Reference" ->
      ``character_reference_images``), and cells are read by that field's type:
      numbers with units ("5s" -> 5), enum values in the schema's spelling
      ("4k" -> "4K"), Yes/No for booleans or for whether a list/object was
      given, integers for the number of items in a list;
    - a column matching no field whose cells are all the same (imagen-3's
      ``| Model | ... | Standard |``) or all ``-`` describes the model, not a
      parameter, and is ignored.
    """
    tables = [t for t in _markdown_tables(description) if _cu_column(t[0]) is not None]
    if not tables:
        return None, "Krea publishes no price for this model."
    header, rows = tables[0]
    if not rows:
        return None, "The price table has no rows."
    cu_index = _cu_column(header)
    assert cu_index is not None
    time_index = next((i for i, h in enumerate(header) if "time" in h.lower()), None)
    properties = request_schema.get("properties") or {}

    columns: list[PriceColumn] = []
    cell_lists: list[list[Any]] = []
    for index, label in enumerate(header):
        if index in (cu_index, time_index):
            continue
        raw = [row[index] for row in rows]
        mapped = _map_column(label, raw, properties)
        if mapped is None:
            meaningful = {c.lower() for c in raw if c.lower() not in _ANY}
            if len(meaningful) <= 1:
                continue  # describes the model, not a parameter
            return None, f"The price table's column {label!r} matches no request field."
        column, cells = mapped
        columns.append(column)
        cell_lists.append(cells)

    price_rows = []
    for row_index, row in enumerate(rows):
        cu = _parse_cu(row[cu_index])
        if cu is None:
            return None, f"The price table has an unreadable price {row[cu_index]!r}."
        seconds = _parse_seconds(row[time_index]) if time_index is not None else None
        cells = tuple(cells[row_index] for cells in cell_lists)
        price_rows.append(
            PriceRow(cells=cells, cu=cu[0], approximate=cu[1], typical_seconds=seconds)
        )
    return PriceTable(columns=tuple(columns), rows=tuple(price_rows)), ""


def _markdown_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each ``| a | b |`` table in ``text`` as (header, rows), separator dropped."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    block: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("|"):
            block.append([_clean_cell(c) for c in stripped.strip("|").split("|")])
            continue
        if block:
            header, *body = block
            body = [r for r in body if not all(re.fullmatch(r":?-+:?", c) for c in r if c)]
            width = len(header)
            rows = [(r + [""] * width)[:width] for r in body]
            tables.append((header, rows))
            block = []
    return tables


def _clean_cell(cell: str) -> str:
    # Markdown emphasis and code only: underscores belong to names like flux_dev.
    return re.sub(r"(\*{1,2}|`)(.+?)\1", r"\2", cell.strip()).strip()


def _cu_column(header: Sequence[str]) -> int | None:
    for i, label in enumerate(header):
        words = label.lower()
        if "compute unit" in words or re.search(r"\b(cu|credits?)\b", words):
            return i
    return None


def _parse_cu(cell: str) -> tuple[Decimal, bool] | None:
    match = re.fullmatch(r"(~?)\s*(\d+(?:[.,]\d+)?)\s*(?:cu)?", cell.strip(), re.IGNORECASE)
    if not match:
        return None
    return Decimal(match.group(2).replace(",", ".")), bool(match.group(1))


def _parse_seconds(cell: str) -> int | None:
    match = _SECONDS.search(cell)
    if not match:
        return None
    amount = float(match.group(1))
    if match.group(2).lower().startswith("m"):
        amount *= 60
    return round(amount)


def _words(text: str) -> set[str]:
    """Singular lower-case words of a header or a field name."""
    text = re.sub(r"([a-z0-9])([A-Z][a-z])", r"\1 \2", text)  # startImage, not LoRA
    words = set()
    for word in re.split(r"[^A-Za-z0-9]+", text.lower()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word:
            words.add(word)
    return words


def _map_column(
    label: str, cells: list[str], properties: Mapping[str, Any]
) -> tuple[PriceColumn, list[Any]] | None:
    """The request field a price column is about, and its cells read for that field.

    Candidates are ranked by words shared with the header, then by how natural
    the reading is (a Yes/No column prefers a boolean field), then by fewest
    extra words; a tie at the top is ambiguous and maps to nothing rather than
    to a guess.
    """
    header_words = _words(label)
    ranked: list[tuple[tuple[int, int, int], PriceColumn, list[Any]]] = []
    for name, prop in properties.items():
        if not isinstance(prop, Mapping):
            continue
        field_words = _words(name)
        shared = len(header_words & field_words)
        if not shared:
            continue
        reading = _read_cells(cells, prop)
        if reading is None:
            continue
        measure, values, naturalness = reading
        rank = (shared, naturalness, -len(field_words - header_words))
        ranked.append((rank, PriceColumn(field=name, measure=measure, column=label), values))
    if not ranked:
        return None
    ranked.sort(key=lambda r: r[0], reverse=True)
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None
    return ranked[0][1], ranked[0][2]


def _read_cells(cells: list[str], prop: Mapping[str, Any]) -> tuple[Measure, list[Any], int] | None:
    """Read a column's cells as values of a field: (measure, values, naturalness)."""
    types = _types(prop)
    choices = schema_choices(prop)
    lowered = [c.lower() for c in cells]
    real = [c for c in lowered if c not in _ANY]
    yes_no = bool(real) and all(c in _YES | _NO for c in real)

    def each(read: Any) -> list[Any] | None:
        values = []
        for cell, low in zip(cells, lowered, strict=True):
            if low in _ANY:
                values.append(None)
                continue
            value = read(cell)
            if value is None:
                return None
            values.append(value)
        return values

    if yes_no and "boolean" in types:
        return "flag", [None if c in _ANY else c in _YES for c in lowered], 3
    if yes_no and types & {"array", "object", "string"} and not _in_choices("yes", choices):
        return "flag", [None if c in _ANY else c in _YES for c in lowered], 2
    if "array" in types:
        counts = each(lambda c: int(c) if c.isdigit() else None)
        return ("count", counts, 2) if counts is not None else None
    if types & {"number", "integer"}:
        numbers = each(_read_number)
        return ("value", numbers, 2) if numbers is not None else None
    if "string" in types:
        if choices:
            values = each(lambda c: _choice(c, choices))
            # Rows priced for values the schema does not accept (kling-2.1 still
            # lists "std") are harmless: no valid request reaches them.
            matched = values is not None and any(v in choices for v in values if v is not None)
            return ("value", values, 2) if matched else None
        return "value", [None if c in _ANY else c for c in cells], 1
    return None


def _read_number(cell: str) -> int | float | None:
    match = _NUMBER.match(cell.strip())
    if not match or match.group(2).lower() not in _NUMBER_UNITS:
        return None
    number = float(match.group(1))
    return int(number) if number.is_integer() else number


def _choice(cell: str, choices: list[Any]) -> Any:
    for choice in choices:
        if isinstance(choice, str) and choice.lower() == cell.lower():
            return choice
    return cell


def _in_choices(value: str, choices: list[Any] | None) -> bool:
    return any(isinstance(c, str) and c.lower() == value for c in choices or [])


def _types(schema: Mapping[str, Any]) -> set[str]:
    """Every JSON type a (sub)schema admits, looking through anyOf/oneOf/enum/const."""
    types: set[str] = set()
    declared = schema.get("type")
    if isinstance(declared, str):
        types.add(declared)
    elif isinstance(declared, list):
        types.update(t for t in declared if isinstance(t, str))
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or []:
            if isinstance(sub, Mapping):
                types |= _types(sub)
    if not types:
        values = list(schema.get("enum") or []) + ([schema["const"]] if "const" in schema else [])
        types.update(_json_type(v) for v in values)
    if "integer" in types:
        types.add("number")
    return types


def schema_choices(schema: Mapping[str, Any]) -> list[Any] | None:
    """The values a (sub)schema allows when it is an enum, a const or a union of those.

    ``None`` when it allows other values too. Used by forms built from schemas.
    """
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    for key in ("anyOf", "oneOf"):
        subs = schema.get(key)
        if subs:
            values: list[Any] = []
            for sub in subs:
                sub_choices = schema_choices(sub) if isinstance(sub, Mapping) else None
                if sub_choices is None:
                    return None
                values.extend(v for v in sub_choices if v not in values)
            return values
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _same_value(expected: Any, actual: Any) -> bool:
    """Table cell vs parameter: numbers by value (5 == 5.0, but never True == 1)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.casefold() == actual.casefold()
    return bool(expected == actual)


# ---------------------------------------------------------------- validation


def normalise_params(model: Model, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with Krea's deprecated aliases renamed to their fields.

    Raises:
        InvalidParams: an alias was sent together with the field it stands for.
    """
    return _normalise(model.aliases, params)[0]


def _normalise(
    aliases: Mapping[str, str], params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    result = dict(params)
    renamed: dict[str, str] = {}
    conflicts: list[ParamError] = []
    for alias, name in aliases.items():
        if alias not in result:
            continue
        if name in result:
            conflicts.append(
                ParamError(
                    name,
                    f"{name} was sent twice, also under its old name {alias}; send only {name}.",
                )
            )
            continue
        result[name] = result.pop(alias)
        renamed[name] = alias
    if conflicts:
        raise InvalidParams(conflicts)
    return result, renamed


def validate_params(model: Model, params: Any) -> list[ParamError]:
    """Every problem with ``params`` as a request to ``model`` (empty when valid).

    Deprecated aliases are accepted (sending both an alias and its field is an
    error). One message per problem, naming the field: unknown fields, wrong
    types, values out of range or not among the allowed ones, missing fields.
    """
    if not isinstance(params, Mapping):
        return [ParamError("", "The request body must be a JSON object.")]
    try:
        normalised, renamed = _normalise(model.aliases, params)
    except InvalidParams as exc:
        conflicting = {e.field for e in exc.errors}
        kept = {k: v for k, v in params.items() if model.aliases.get(k) not in conflicting}
        normalised, renamed = _normalise(model.aliases, kept)
        return exc.errors + _validate(model.request_schema, normalised, renamed)
    return _validate(model.request_schema, normalised, renamed)


def validate_against(schema: Mapping[str, Any], body: Any) -> list[ParamError]:
    """Every problem with ``body`` against a JSON schema (training bodies, node app inputs)."""
    if not isinstance(body, Mapping) and _types(schema) == {"object"}:
        return [ParamError("", "The request body must be a JSON object.")]
    return _validate(schema, body, {})


def _validate(schema: Mapping[str, Any], body: Any, renamed: Mapping[str, str]) -> list[ParamError]:
    validator = Draft202012Validator(schema)
    found: list[ParamError] = []
    for error in validator.iter_errors(body):
        for problem in _explain(error):
            top = problem.field.split("[")[0].split(".")[0]
            if top in renamed:
                problem = ParamError(problem.field, f"{problem.message} (sent as {renamed[top]})")
            if problem not in found:
                found.append(problem)
    return sorted(found, key=lambda p: (p.field, p.message))


def _field_name(path: Iterable[Any]) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _explain(error: ValidationError) -> list[ParamError]:
    """One user-readable ParamError per problem a jsonschema error reports."""
    where = _field_name(error.absolute_path)
    subject = where or "The request body"
    kind = error.validator
    value = error.validator_value
    instance = error.instance

    if kind == "additionalProperties" and isinstance(instance, Mapping):
        known = set(error.schema.get("properties") or {})
        patterns = list((error.schema.get("patternProperties") or {}).keys())
        extra = [
            k for k in instance if k not in known and not any(re.search(p, k) for p in patterns)
        ]
        return [
            ParamError(_field_name([*error.absolute_path, k]), f"Unknown field {k}.")
            for k in sorted(extra)
        ]
    if kind == "required" and isinstance(instance, Mapping):
        return [
            ParamError(
                _field_name([*error.absolute_path, k]),
                f"{_field_name([*error.absolute_path, k])} is required.",
            )
            for k in value
            if k not in instance
        ]
    if kind in ("anyOf", "oneOf"):
        return _explain_alternatives(error, where, subject)
    message = _sentence(kind, value, instance, error)
    return [ParamError(where, f"{subject} {message}")]


def _sentence(kind: str, value: Any, instance: Any, error: ValidationError) -> str:
    if kind == "type":
        return f"must be {_type_words(value)}."
    if kind == "enum":
        return f"must be one of {_or_list(value)} (got {_show(instance)})."
    if kind == "const":
        return f"must be {_show(value)} (got {_show(instance)})."
    if kind == "minimum":
        return f"must be at least {_show(value)} (got {_show(instance)})."
    if kind == "maximum":
        return f"must be at most {_show(value)} (got {_show(instance)})."
    if kind == "exclusiveMinimum":
        return f"must be more than {_show(value)} (got {_show(instance)})."
    if kind == "exclusiveMaximum":
        return f"must be less than {_show(value)} (got {_show(instance)})."
    if kind == "multipleOf":
        return f"must be a multiple of {_show(value)}."
    if kind == "minLength":
        return "must not be empty." if value == 1 else f"must be at least {value} characters long."
    if kind == "maxLength":
        return f"must be at most {value} characters long (got {len(instance)})."
    if kind == "minItems":
        return f"must have at least {value} item{'s' * (value != 1)}."
    if kind == "maxItems":
        return f"must have at most {value} item{'s' * (value != 1)} (got {len(instance)})."
    if kind == "uniqueItems":
        return "must not repeat an item."
    if kind == "pattern":
        return f"is not in the expected format ({value})."
    if kind == "format":
        return f"must be a valid {value}."
    if kind == "minProperties":
        return "must not be empty."
    return error.message + "."


def _explain_alternatives(error: ValidationError, where: str, subject: str) -> list[ParamError]:
    """anyOf/oneOf: say which values are allowed, or explain the closest alternative."""
    choices = schema_choices(error.schema)
    if choices is not None:
        return [
            ParamError(
                where,
                f"{subject} must be one of {_or_list(choices)} (got {_show(error.instance)}).",
            )
        ]
    if error.validator == "oneOf" and not error.context:
        return [
            ParamError(where, f"{subject} matches more than one allowed shape; make it specific.")
        ]
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)

    # A branch whose only complaint is the value's type is not what the user
    # meant; among the others, the one with the fewest problems is the closest.
    def wrong_type(errors: list[ValidationError]) -> bool:
        return all(e.validator == "type" and not e.relative_path for e in errors)

    meant = {i: errs for i, errs in by_branch.items() if not wrong_type(errs)}
    if not meant:
        allowed = sorted({t for sub in error.schema[error.validator] for t in _types(sub)})
        return [ParamError(where, f"{subject} must be {_type_words(allowed)}.")]
    # Every shape refuses the same field's value (a training body's "model"):
    # list what any of them would take, not just the first shape's choices.
    singles = [errs[0] for errs in meant.values() if len(errs) == 1]
    if (
        len(singles) == len(meant) > 1
        and all(e.validator in ("enum", "const") for e in singles)
        and len({tuple(e.absolute_path) for e in singles}) == 1
    ):
        allowed: list[Any] = []
        for e in singles:
            for v in schema_choices(e.schema) or []:
                if v not in allowed:
                    allowed.append(v)
        first = singles[0]
        name = _field_name(first.absolute_path) or "The request body"
        message = f"{name} must be one of {_or_list(allowed)} (got {_show(first.instance)})."
        return [ParamError(_field_name(first.absolute_path), message)]
    branch = min(meant, key=lambda i: (len(meant[i]), i))
    problems: list[ParamError] = []
    for sub in meant[branch]:
        problems.extend(_explain(sub))
    return problems


_TYPE_WORDS = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _type_words(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_WORDS.get(t, t) for t in names)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if not value or " " in value else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value) if not isinstance(value, Decimal) else str(value)


def _or_list(values: Sequence[Any]) -> str:
    shown = [_show(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]

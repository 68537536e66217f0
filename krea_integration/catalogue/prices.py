"""Prices: Krea's markdown price tables read onto request fields, and looked up.

Most generation descriptions carry a table of compute units (CU): flat, or keyed
by request parameters. :func:`parse_price_table` maps each column onto the
request field it is about (see its docstring for the shapes handled), so a model
Krea adds later is priced from its spec entry alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from .schema import json_types, schema_choices
from .words import show

Measure = Literal["value", "count", "flag"]


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
        return show(value)


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


def parse_step_prices(description: str, models: Sequence[str]) -> dict[str, Decimal]:
    """Training's CU per step by model, from the first price table of its description.

    Each row names a model as Krea writes it ("Flux Dev"); it is keyed by the
    request schema's spelling of that model (``flux_dev``) when one matches.
    """
    spelling = {_loose(m): m for m in models}
    step_prices: dict[str, Decimal] = {}
    for header, rows in _markdown_tables(description):
        cu_index = _cu_column(header)
        if cu_index is None or len(header) < 2:
            continue
        name_index = 0 if cu_index else 1
        for row in rows:
            cu = _parse_cu(row[cu_index])
            if cu is not None and row[name_index]:
                step_prices[spelling.get(_loose(row[name_index]), row[name_index])] = cu[0]
        break
    return step_prices


def _loose(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


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
    types = json_types(prop)
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


def _same_value(expected: Any, actual: Any) -> bool:
    """Table cell vs parameter: numbers by value (5 == 5.0, but never True == 1)."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected is actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.casefold() == actual.casefold()
    return bool(expected == actual)

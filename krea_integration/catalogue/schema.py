"""Reading one field of a JSON schema: its types, choices, format, limits and words.

The one reader of request schemas in the project: the price-table parser, the
validator's messages and the forms built from schemas (``studio.schemaforms``)
all ask it what a field is, so that they agree on fields written as unions
(``{"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]}`` is a
nullable URL, like ``{"type": ["string", "null"], "format": "uri"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_UNIONS = ("anyOf", "oneOf", "allOf")


def json_types(schema: Mapping[str, Any]) -> frozenset[str]:
    """Every JSON type a (sub)schema admits, looking through anyOf/oneOf/allOf/enum/const.

    ``integer`` stays itself (a form asks for a whole number); callers that treat
    any number alike test for ``{"number", "integer"}``.
    """
    types: set[str] = set()
    declared = schema.get("type")
    if isinstance(declared, str):
        types.add(declared)
    elif isinstance(declared, list):
        types.update(t for t in declared if isinstance(t, str))
    for key in _UNIONS:
        for sub in schema.get(key) or []:
            if isinstance(sub, Mapping):
                types |= json_types(sub)
    if not types:
        values = list(schema.get("enum") or []) + ([schema["const"]] if "const" in schema else [])
        types.update(_json_type(v) for v in values)
    return frozenset(types)


def schema_choices(schema: Mapping[str, Any]) -> list[Any] | None:
    """The values a (sub)schema allows when it is an enum, a const or a union of those.

    ``None`` when it allows other values too.
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


@dataclass(frozen=True)
class FieldSchema:
    """What one property of a request schema is, as forms and messages need it.

    Facts a union keeps in its one non-null alternative (a nullable URL written
    as ``anyOf``) are read from there; the property's own keywords win.
    """

    schema: Mapping[str, Any] = field(repr=False)
    types: frozenset[str]
    choices: list[Any] | None
    format: str
    minimum: int | float | None
    maximum: int | float | None
    max_length: int | None
    max_items: int | None
    has_default: bool
    default: Any
    title: str
    description: str
    items: FieldSchema | None
    properties: dict[str, FieldSchema]

    @property
    def nullable(self) -> bool:
        """Whether ``null`` is an accepted value."""
        return "null" in self.types

    @property
    def value_types(self) -> frozenset[str]:
        """The types other than ``null``."""
        return self.types - {"null"}

    @property
    def is_number(self) -> bool:
        """A number to type in (not a choice among a few numbers)."""
        return bool(self.types & {"number", "integer"}) and self.choices is None

    @property
    def is_integer(self) -> bool:
        """Whether only whole numbers are accepted."""
        return "integer" in self.types

    @property
    def is_scalar(self) -> bool:
        """One string, number or boolean, or a choice: a single input can hold it."""
        types = self.value_types
        return self.choices is not None or (
            len(types) == 1 and types <= {"string", "number", "integer", "boolean"}
        )


def read_field(schema: Mapping[str, Any]) -> FieldSchema:
    """The :class:`FieldSchema` of a property's (sub)schema."""
    facts: dict[str, Any] = {}
    alternatives = [
        sub
        for key in ("anyOf", "oneOf")
        for sub in schema.get(key) or []
        if isinstance(sub, Mapping) and json_types(sub) != {"null"}
    ]
    if len(alternatives) == 1:
        facts.update(alternatives[0])
    facts.update({k: v for k, v in schema.items() if k not in _UNIONS})
    items = facts.get("items")
    properties = facts.get("properties")
    return FieldSchema(
        schema=schema,
        types=json_types(schema),
        choices=schema_choices(schema),
        format=str(facts.get("format") or ""),
        minimum=_number(facts.get("minimum")),
        maximum=_number(facts.get("maximum")),
        max_length=_count(facts.get("maxLength")),
        max_items=_count(facts.get("maxItems")),
        has_default="default" in schema,
        default=schema.get("default"),
        title=str(facts.get("title") or "").strip(),
        description=str(facts.get("description") or "").strip(),
        items=read_field(items) if isinstance(items, Mapping) else None,
        properties={
            name: read_field(sub)
            for name, sub in (properties.items() if isinstance(properties, Mapping) else ())
            if isinstance(sub, Mapping)
        },
    )


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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

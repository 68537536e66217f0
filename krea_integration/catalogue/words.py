"""Values and types in the words of the catalogue's messages and price labels."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

_TYPE_WORDS = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def type_words(types: Any) -> str:
    """``["integer", "null"]`` as "a whole number or null"."""
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_WORDS.get(t, t) for t in names)


def show(value: Any) -> str:
    """A value as a message quotes it: bare words, quoted phrases, JSON otherwise."""
    if isinstance(value, str):
        return repr(value) if not value or " " in value else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value) if not isinstance(value, Decimal) else str(value)


def or_list(values: Sequence[Any]) -> str:
    """``[1, 2, 3]`` as "1, 2 or 3"."""
    shown = [show(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]

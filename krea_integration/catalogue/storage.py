"""catalogue.json: reading the checked-in catalogue, and writing it diff-friendly."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .entries import Catalogue
from .errors import CatalogueError

CATALOGUE_PATH = Path(__file__).parent.parent / "catalogue.json"


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

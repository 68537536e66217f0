"""What goes wrong with a catalogue or with a request to one of its models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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

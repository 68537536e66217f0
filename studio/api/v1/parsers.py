"""JSON bodies for the API: a body nested deeper than Python can parse is a 400, not a 500."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class ApiJSONParser(JSONParser):
    """DRF's strict JSON parser (no NaN or Infinity), refusing bodies that nest too deeply.

    Size is capped before parsing by Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (413, see ``studio.api.exceptions``).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body nests too deeply.") from None

"""String formats (``"format": "uri"``) checked the way Krea checks them.

jsonschema only checks a format when given a checker, and its ``uri`` checker
needs a package the project does not install, so without this module every
``image_url: "not a url"`` passed the portal and the simulator alike.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
# RFC 3986's characters after the scheme: unreserved, sub-delims, the general
# delimiters, and percent-escapes. No spaces, no bare non-ASCII.
_REST = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})+")

# How a message names each format ("image_url must be a full URL, like https://...").
FORMAT_WORDS = {
    "uri": "a full URL, like https://example.com/image.png",
    "date-time": "a date and time, like 2026-06-19T12:00:00Z",
    "date": "a date, like 2026-06-19",
    "uuid": "a UUID",
    "email": "an email address",
}


def is_uri(value: Any) -> bool:
    """Whether ``value`` is an absolute URI (RFC 3986); web URLs must name a host.

    Non-strings pass: a format says nothing about other types (``type`` does).
    """
    if not isinstance(value, str):
        return True
    scheme, colon, rest = value.partition(":")
    if not colon or not _SCHEME.fullmatch(scheme) or not _REST.fullmatch(rest):
        return False
    if scheme.lower() in ("http", "https"):
        try:
            return bool(urlsplit(value).hostname)
        except ValueError:  # a malformed [IPv6] host
            return False
    return True


def format_checker() -> FormatChecker:
    """Draft 2020-12's format checks available here, plus ``uri``."""
    checker = FormatChecker(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("uri")(is_uri)
    return checker


FORMAT_CHECKER = format_checker()

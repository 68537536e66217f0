"""Typed errors for everything that can go wrong when talking to Krea.

Every error carries Krea's own message (from its ``{"error": "..."}`` bodies)
and says two things a caller has to decide on:

- ``retryable``: whether sending the same request again later can help (a 5xx,
  a timeout, a connection failure or the concurrency limit) or not (a bad
  request, a bad token, no credits, a missing object).
- ``outcome_unknown``: whether Krea may have acted on the request even though
  we got no answer we can read (a timeout after sending, a dropped connection,
  a 5xx). For a paid POST this means "a job may exist and may be billed": the
  caller must reconcile, never blindly POST again.
"""

from __future__ import annotations

__all__ = [
    "AssetTooLarge",
    "BadRequest",
    "ConcurrencyLimit",
    "DownloadRefused",
    "Forbidden",
    "InsufficientCredits",
    "InvalidResponse",
    "KreaConnectionError",
    "KreaError",
    "KreaTimeout",
    "NotFound",
    "ServerError",
    "Unauthorized",
]


class KreaError(Exception):
    """Base class of every error the Krea client raises.

    Attributes:
        message: Krea's message (or ours when Krea sent none). Never contains the
            API token.
        status_code: The HTTP status Krea answered, or ``None`` when no response
            was received (timeouts, connection errors, refusals before sending).
        retryable: Whether repeating the request later can succeed.
        outcome_unknown: Whether Krea may have acted on the request anyway.
    """

    default_retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        retryable: bool | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.retryable = self.default_retryable if retryable is None else retryable
        self.outcome_unknown = outcome_unknown

    def __str__(self) -> str:
        if self.status_code is None:
            return self.message
        return f"{self.message} (HTTP {self.status_code})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r}, "
            f"retryable={self.retryable!r}, outcome_unknown={self.outcome_unknown!r})"
        )


class BadRequest(KreaError):
    """400: Krea rejected the parameters (unknown field, value out of range...)."""


class AssetTooLarge(BadRequest):
    """The file is over Krea's upload limit; refused before anything was sent."""


class Unauthorized(KreaError):
    """401: the team's token is missing, wrong or revoked."""


class InsufficientCredits(KreaError):
    """402: the Krea account is out of credits."""


class Forbidden(KreaError):
    """403: the token may not act on this object (e.g. sharing a style it does not own)."""


class NotFound(KreaError):
    """404: the object does not exist or belongs to another Krea identity."""


class ConcurrencyLimit(KreaError):
    """429: the account already runs its maximum number of concurrent jobs.

    Nothing was created, so submitting again once a job finishes is safe.
    """

    default_retryable = True


class ServerError(KreaError):
    """5xx: Krea failed. It may have acted on the request before failing."""

    default_retryable = True


class KreaTimeout(KreaError):
    """No answer from Krea within the client's timeout."""

    default_retryable = True


class KreaConnectionError(KreaError):
    """The connection to Krea failed (DNS, refused, reset, broken protocol)."""

    default_retryable = True


class InvalidResponse(KreaError):
    """Krea answered with a body that does not match its documented shape."""


class DownloadRefused(KreaError):
    """A result file the client will not fetch or keep.

    Its URL is not on an allowed host and port, or the file answered an error,
    is not of an expected type, or is over the size limit. Nothing is retried.
    """

"""The API's one exception handler: every error becomes JSON that names the problem.

Set as ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``. Domain errors raised by the
services and selectors (an invalid generation, a quota refusal, a job in the
wrong state, a team without a Krea token, a job of another team, a role that
may not) are turned into responses here and nowhere else, so views just call
services and selectors.

Every body has ``error`` (a sentence for people) and ``code`` (for programs);
every 400 adds ``fields`` (``{"field": ["message", ...]}``; ``request`` for the
body as a whole, e.g. JSON that does not parse) and quota refusals add ``needed``,
``left`` and ``scope``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from krea_integration import errors as krea_errors
from studio.assets import services as assets
from studio.generation.services import InvalidGeneration, JobNotCancellable, JobStillRunning
from studio.nodeapps.services import InvalidNodeAppInputs
from studio.styles.services import InvalidTraining, StyleRefused
from studio.teams.tokens import TeamHasNoToken
from studio.usage.services import QuotaExceeded
from studio.webhooks.services import InvalidEndpoint

MAX_MESSAGES_IN_SUMMARY = 3


class KreaTokenMissing(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "This team has no Krea token yet: an owner or admin adds it on the team's Krea token page."
    )
    default_code = "krea_token_missing"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def _top_level(field: str) -> str:
    """``style_images[0].strength`` -> ``style_images``; ``""`` (the body) -> ``params``."""
    return field.split("[")[0].split(".")[0] or "params"


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    """Every message in a nested DRF error detail, nested keys kept in front of the message."""
    if isinstance(detail, Mapping):
        messages = []
        for key, value in detail.items():
            messages += _flatten(value, f"{prefix}{key}: " if key != "non_field_errors" else prefix)
        return messages
    if isinstance(detail, list | tuple):
        messages = []
        for item in detail:
            messages += _flatten(item, prefix)
        return messages
    return [f"{prefix}{detail}"]


def _summary(fields: Mapping[str, list[str]]) -> str:
    problems = [
        (message if message.startswith(name) else f"{name}: {message}").rstrip(".")
        for name, messages in fields.items()
        for message in messages
    ]
    shown = "; ".join(problems[:MAX_MESSAGES_IN_SUMMARY])
    more = len(problems) - MAX_MESSAGES_IN_SUMMARY
    return f"The request is not valid: {shown}" + (f" (and {more} more)." if more > 0 else ".")


def _validation_response(fields: dict[str, list[str]], code: str) -> Response:
    set_rollback()
    return Response(
        {"error": _summary(fields), "code": code, "fields": fields},
        status=status.HTTP_400_BAD_REQUEST,
    )


# An asset refusal: (status, code, the field it concerns or None).
_ASSET_ERRORS = {
    assets.AssetTooLarge: (status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "asset_too_large", "file"),
    assets.AssetRefused: (status.HTTP_400_BAD_REQUEST, "asset_refused", "file"),
    assets.AssetUploadFailed: (status.HTTP_502_BAD_GATEWAY, "krea_upload_failed", None),
    assets.AssetKreaError: (status.HTTP_502_BAD_GATEWAY, "krea_unavailable", None),
}


def _asset_error_response(exc: Exception) -> Response:
    set_rollback()
    code_status, code, field = _ASSET_ERRORS[type(exc)]
    body: dict[str, Any] = {"error": str(exc), "code": code}
    if field:
        body["fields"] = {field: [str(exc)]}
    return Response(body, status=code_status)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Turn ``exc`` into a JSON response, or None for a real bug (a 500)."""
    if isinstance(exc, InvalidGeneration | InvalidTraining | InvalidNodeAppInputs):
        fields: dict[str, list[str]] = {}
        for problem in exc.errors:
            fields.setdefault(_top_level(problem.field), []).append(problem.message)
        code = {
            InvalidGeneration: "invalid_generation",
            InvalidTraining: "invalid_training",
            InvalidNodeAppInputs: "invalid_inputs",
        }[type(exc)]
        return _validation_response(fields, code)

    if isinstance(exc, InvalidEndpoint):
        return _validation_response({field: [msg] for field, msg in exc.errors.items()}, "invalid")

    if isinstance(exc, StyleRefused):
        set_rollback()
        return Response(
            {"error": str(exc), "code": "krea_refused", "fields": {"request": [str(exc)]}},
            status=status.HTTP_400_BAD_REQUEST,
        )

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, Mapping) else {"non_field_errors": exc.detail}
        fields = {
            ("request" if key == "non_field_errors" else str(key)): _flatten(value)
            for key, value in detail.items()
        }
        return _validation_response(fields, "invalid")

    if isinstance(exc, QuotaExceeded):
        set_rollback()
        body = {
            "error": str(exc),
            "code": "quota_exceeded",
            "needed": exc.needed,
            "left": exc.left,
            "scope": exc.scope,
            "resets_at": getattr(exc, "resets_at", None),
        }
        if getattr(exc, "field", None):
            body["fields"] = {exc.field: [str(exc)]}
        return Response(body, status=status.HTTP_403_FORBIDDEN)

    if isinstance(exc, JobNotCancellable | JobStillRunning):
        set_rollback()
        code = "job_not_cancellable" if isinstance(exc, JobNotCancellable) else "job_still_running"
        return Response({"error": str(exc), "code": code}, status=status.HTTP_409_CONFLICT)

    if isinstance(exc, assets.AssetError):
        return _asset_error_response(exc)

    if isinstance(exc, krea_errors.KreaError):
        # A view that waits on Krea and has no message of its own for its failure: 502, not 500.
        set_rollback()
        return Response(
            {
                "error": "Krea could not be reached or refused the request; try again in a moment.",
                "code": "krea_unavailable",
            },
            status=status.HTTP_502_BAD_GATEWAY,
        )

    if isinstance(exc, TeamHasNoToken):
        exc = KreaTokenMissing(str(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )
    elif isinstance(exc, Http404):
        # The same answer for a missing object and another team's: it does not exist for them.
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    codes = exc.get_codes()
    body: dict[str, Any] = {
        "error": " ".join(_flatten(exc.detail)),
        "code": codes if isinstance(codes, str) else exc.default_code,
    }
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait)
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        # Every 400 names what is wrong in ``fields`` (the schema says so): here, the body.
        body["fields"] = {"request": [body["error"]]}
    response.data = body
    return response

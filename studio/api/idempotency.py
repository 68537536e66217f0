"""``Idempotency-Key`` on every POST of the public API: a retry answers, it does not run twice.

A client that retries a POST after a network error sends the same ``Idempotency-Key``
header (any string of up to 255 printable ASCII characters; a UUID is a good choice).
With an API key, :class:`IdempotencyMiddleware` does, for every POST under /api/v1/:

- first use of the key: the request runs and its answer is kept for 24 hours;
- the same key with the same request (method, path and body; JSON compared by value,
  forms by field and file contents): the kept answer again, status and body, with
  ``Idempotent-Replayed: true``, and nothing runs;
- while the first request is still running: 409 ``idempotency_key_in_progress``,
  at once (a client retries after a moment; waiting would hold a web worker);
- the same key with another request: 422 ``idempotency_key_reused`` naming it.

Keys belong to the API key: another API key may use the same string. A first request
that ends in a server error (5xx) keeps nothing, so its retry runs again. Requests
without an API key (the browser's session) ignore the header.

It is a middleware so that every POST view, present and future, is covered once; it
runs in ``process_view``, after the asset upload limits are installed, because reading
a multipart body earlier would bypass them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from .selectors import api_key_for_secret
from .services import (
    IdempotencyOutcome,
    idempotency_key_claim,
    idempotency_key_finish,
    idempotency_key_release,
)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
API_PREFIX = "/api/v1/"
# Headers of the first answer that a replay repeats.
KEPT_HEADERS = ("Content-Type", "Location")
_CLAIM = "_idempotency_claim"


def _bearer_key(request: HttpRequest) -> str | None:
    parts = request.headers.get("Authorization", "").split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    return None


def _key_problem(key: str) -> str | None:
    if not key:
        return "Give a non-empty value, or leave the header out."
    if len(key) > MAX_KEY_LENGTH:
        return f"Use at most {MAX_KEY_LENGTH} characters."
    if not all(" " <= char <= "~" for char in key):
        return "Use printable ASCII characters only (a UUID is a good key)."
    return None


def request_digest(request: HttpRequest) -> str:
    """A fingerprint of the request's body that is the same for the same request resent.

    JSON is compared by value (key order and spacing may differ between retries), a
    multipart form by its fields and its files' names and contents (the boundary that
    separates them is random per send).
    """
    digest = hashlib.sha256()
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            digest.update(json.dumps([name, request.POST.getlist(name)]).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(json.dumps([name, upload.name]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()
    body = request.body
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        digest.update(b"json:" + canonical.encode())
    except ValueError:
        digest.update(b"raw:" + body)
    return digest.hexdigest()


def _error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, "code": code, **extra}, status=status)


def _replay(record) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.response_status)
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _keeps(response: HttpResponse) -> bool:
    """Answers a retry should get again: what the request did or why it was refused.

    Not a server error (the retry may succeed), nor 401/429 (nothing ran: no key, or
    throttled before the view).
    """
    return (
        not response.streaming
        and response.status_code < 500
        and response.status_code not in (401, 429)
    )


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        claim = getattr(request, _CLAIM, None)
        if claim is not None:
            if _keeps(response):
                idempotency_key_finish(
                    record=claim,
                    status=response.status_code,
                    headers={name: response[name] for name in KEPT_HEADERS if name in response},
                    body=response.content,
                )
            else:
                idempotency_key_release(record=claim)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return None
        secret = _bearer_key(request)
        api_key = api_key_for_secret(secret) if secret else None
        if api_key is None:
            return None  # the view answers 401, or serves the session without keys
        problem = _key_problem(key)
        if problem:
            return _error(
                400,
                "invalid",
                f"The request is not valid: {HEADER}: {problem}",
                fields={HEADER: [problem]},
            )
        try:
            digest = request_digest(request)
        except RequestDataTooBig:
            return None  # the view refuses the body (413) and nothing runs
        claim = idempotency_key_claim(
            api_key=api_key,
            key=key,
            method=request.method,
            path=request.path,
            request_digest=digest,
        )
        if claim.outcome == IdempotencyOutcome.NEW:
            setattr(request, _CLAIM, claim.record)
            return None
        if claim.outcome == IdempotencyOutcome.REPLAY:
            return _replay(claim.record)
        if claim.outcome == IdempotencyOutcome.IN_PROGRESS:
            return _error(
                409,
                "idempotency_key_in_progress",
                f"A request with this {HEADER} is still running: retry in a moment to get "
                "its answer.",
            )
        first = claim.record
        what = (
            "with a different body"
            if (first.method, first.path) == (request.method, request.path)
            else f"for {first.method} {first.path}"
        )
        return _error(
            422,
            "idempotency_key_reused",
            f"This {HEADER} was first used {what}, less than 24 hours ago: send a new key "
            "for a new request.",
        )

"""What drf-spectacular needs to describe the API: its auth scheme and which endpoints."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

API_PREFIX = "/api/v1/"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "studio.api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from the portal's “API keys” page: "
            "`Authorization: Bearer ks_live_…`. It acts as you, in the key's team.",
        }


def only_public_api(endpoints):
    """The public API only: Krea's webhook endpoint is not for API clients."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]


IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
    "description": "Makes a retry safe: the same key with the same body within 24 hours "
    "answers the first request's status and body again (with `Idempotent-Replayed: true`) "
    "and runs nothing. While the first request runs: 409 `idempotency_key_in_progress`; "
    "the same key with another body or path: 422 `idempotency_key_reused`. Keys belong to "
    "your API key. Up to 255 printable ASCII characters; a UUID is a good key.",
}
REPLAYED_HEADER = {
    "Idempotent-Replayed": {
        "description": "`true` when this is the kept answer of an earlier request with the "
        "same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}


def idempotency_on_every_post(result, generator, request, public):
    """Every POST of the API takes ``Idempotency-Key`` (``studio.api.idempotency``): say so."""
    error = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        operation = path.get("post")
        if operation is None:
            continue
        operation.setdefault("parameters", []).append(IDEMPOTENCY_HEADER)
        responses = operation.setdefault("responses", {})
        for code, response in responses.items():
            if code.startswith("2"):
                response.setdefault("headers", {}).update(REPLAYED_HEADER)
        in_progress = "The first request with this Idempotency-Key is still running."
        if "409" in responses:
            responses["409"]["description"] += f" Or: {in_progress}"
        else:
            responses["409"] = {
                "description": in_progress,
                "content": {"application/json": {"schema": error}},
            }
        responses["422"] = {
            "description": "This Idempotency-Key was first used with another request.",
            "content": {"application/json": {"schema": error}},
        }
        responses.setdefault(
            "400",
            {
                "description": "The Idempotency-Key header is not valid; see `fields`.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}
                },
            },
        )
    return result

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

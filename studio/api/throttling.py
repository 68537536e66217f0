"""Rate limits for the API: per key, so one busy script cannot starve the others."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from studio.accounts.throttling import client_ip

from .models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    """``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]`` (``API_THROTTLE_RATE``) per key.

    Requests with an API key count against that key; browser (session) requests
    against the user; anonymous ones (the schema, the docs) against the address.
    The counts live in Django's cache (``CACHE_URL``): with several web processes
    it must be a shared cache such as Redis for the limit to hold.
    """

    scope = "api"

    def get_rate(self) -> str | None:
        # Read at each request rather than at import, so a changed setting applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Request) -> str:
        """The client's address by the same rule as the login lockout (TRUSTED_PROXY_COUNT)."""
        return client_ip(request._request)

    def get_cache_key(self, request: Request, view) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

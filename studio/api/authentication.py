"""``Authorization: Bearer <API key>``: the request acts as the key's member, in its team."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from .models import ApiKey
from .selectors import api_key_for_secret
from .services import api_key_record_use


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates ``Authorization: Bearer ks_live_…``.

    Sets ``request.user`` to the key's member and ``request.auth`` to the ApiKey.
    A request without a Bearer header is left to the next authentication class
    (the browser's session); a Bearer key that is unknown, revoked or expired
    is refused with 401, whatever else the request carries.
    """

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[object, ApiKey] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the key as “Authorization: Bearer <key>”, with no spaces in the key."
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("This API key is not valid.") from None
        api_key = api_key_for_secret(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed(
                "This API key is not valid: it is unknown, revoked or expired."
            )
        user = api_key.membership.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(
                "The account this API key belongs to is disabled."
            )
        api_key_record_use(api_key=api_key)
        return user, api_key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'

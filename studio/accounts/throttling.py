"""What django-axes needs to lock the right pair: the client's address and the username.

Axes locks an (email, address) pair after AXES_FAILURE_LIMIT failures, for
AXES_COOLOFF_TIME. Locking the pair, not the address or the account alone, means
an attacker cannot lock everybody out: their failures lock only their own pair.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting exactly TRUSTED_PROXY_COUNT reverse proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the N-th entry from the right; anything
    further left was written by the client and can be forged. With no trusted
    proxy (the default) it is the socket's address and X-Forwarded-For is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        # Fewer hops than proxies: the request did not come through all of them.
        return remote
    return forwarded[-count]


def login_username(request: HttpRequest, credentials: dict | None) -> str:
    """The email being tried, lower-cased so "A@x.com" and "a@x.com" count together."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).strip().lower()


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Every login over the web passes the request (Django's login and admin views,
    DRF's authentication), so they are all throttled. A call without a request
    (a script, the test client's ``login()``) has no client address to pair with
    the email, so there is nothing to throttle; axes itself would refuse it with
    an error instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

"""The cheap answer to a live poll: "nothing changed", before the session is read."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from . import live


@cache
def _live_path() -> str:
    return reverse("live_events")


class LivePollMiddleware:
    """Answers an open page's poll with an empty 204 when its team's jobs have not changed.

    Placed before the session middleware: a valid live token (``live.live_token``,
    signed for the member's team by an answer that did check the session and
    membership) and one cache read decide it, with no query. Anything else (no token,
    an expired one, a change, a malformed list) goes on to ``views.live_events``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and request.path_info == _live_path():
            try:
                watch = live.job_ids(request.GET.get("watch", ""))
            except ValueError:
                return self.get_response(request)  # the view names the field
            if live.poll_unchanged(
                token=request.GET.get("t", ""), version=request.GET.get("v", ""), watch=watch
            ):
                return HttpResponse(status=204)
        return self.get_response(request)

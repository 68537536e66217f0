"""Cursor pagination for job lists: stable while new jobs arrive, same cost on every page."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class JobCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 100

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            # A cursor that cannot be read is a bad request, not a missing page.
            raise ValidationError(
                {self.cursor_query_param: ["This cursor is not valid; use a `next` link."]}
            ) from None

"""Cursor pagination for job lists: stable while new jobs arrive, same cost on every page."""

from __future__ import annotations

import re

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from .serializers import query_problems


class JobCursorPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        # DRF would quietly use the default for a limit it cannot read, and the maximum
        # for one above it: the client is told instead.
        names = (self.cursor_query_param, self.page_size_query_param)
        problems = query_problems(request.query_params, names)
        limit = request.query_params.get(self.page_size_query_param)
        readable = limit and re.fullmatch(r"[0-9]{1,4}", limit)
        if limit and not (readable and 1 <= int(limit) <= self.max_page_size):
            problems.setdefault(
                self.page_size_query_param, [f"A whole number from 1 to {self.max_page_size}."]
            )
        if problems:
            raise ValidationError(problems)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            else:
                parameter["schema"]["minLength"] = 1
        return parameters

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            # A cursor that cannot be read is a bad request, not a missing page.
            raise ValidationError(
                {self.cursor_query_param: ["This cursor is not valid; use a `next` link."]}
            ) from None

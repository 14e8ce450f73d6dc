"""Page-number pagination whose total count can be switched off for huge tables."""

from __future__ import annotations

from typing import Any

from django.core.paginator import InvalidPage
from django.db import models
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

MAX_OFFSET = 2**62  # beyond any table; larger offsets overflow the database's integer


class CountablePagination(PageNumberPagination):
    """``?page=N&page_size=M``; ``?count=false`` skips the COUNT(*) query (``count`` is then null
    and ``next`` is present whenever the page came back full).

    A page that is not a positive whole number is a 400 (``errors.page``); a page past the last
    one is a 404 with a count, an empty page without one."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def _page_number(self, request: Any) -> int:
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return -1
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise ValidationError({self.page_query_param: [_("Give the page as a whole number from 1.")]})
        return number

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list | None:
        from guanxi.framework.paginators import stable_order

        self.request = request
        # Pages of a non-unique order (?ordering=level) would skip and repeat rows: pk breaks ties.
        if isinstance(queryset, models.QuerySet):
            queryset = stable_order(queryset)
        self.with_count = request.query_params.get("count", "true").lower() not in ("false", "0", "no")
        size = self.get_page_size(request) or 50
        number = self._page_number(request)
        if self.with_count:
            paginator = self.django_paginator_class(queryset, size)
            try:
                self.page = paginator.page(paginator.num_pages if number == -1 else number)
            except InvalidPage:
                raise NotFound(_("There is no page %(page)s.") % {"page": number}) from None
            if paginator.num_pages > 1 and self.template is not None:
                self.display_page_controls = True
            return list(self.page)
        if number == -1:
            raise ValidationError({self.page_query_param: [_("“last” needs the total count.")]})
        offset = (number - 1) * size
        rows = list(queryset[offset : offset + size + 1]) if offset < MAX_OFFSET else []
        self.uncounted = {"number": number, "has_next": len(rows) > size}
        return rows[:size]

    def get_paginated_response(self, data: Any) -> Response:
        if self.with_count:
            assert self.page is not None  # set by paginate_queryset()
            return Response(
                {
                    "count": self.page.paginator.count,
                    "next": self.get_next_link(),
                    "previous": self.get_previous_link(),
                    "results": data,
                }
            )
        number, has_next = self.uncounted["number"], self.uncounted["has_next"]
        assert self.request is not None  # set by paginate_queryset()
        url = self.request.build_absolute_uri()
        next_link = replace_query_param(url, self.page_query_param, number + 1) if has_next else None
        prev_link = None
        if number > 1:
            prev_link = (
                remove_query_param(url, self.page_query_param)
                if number == 2
                else replace_query_param(url, self.page_query_param, number - 1)
            )
        return Response({"count": None, "next": next_link, "previous": prev_link, "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count"]["nullable"] = True
        return result

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        params = super().get_schema_operation_parameters(view)
        params.append(
            {
                "name": "count",
                "required": False,
                "in": "query",
                "description": "false: skip the total count (faster on huge tables).",
                "schema": {"type": "boolean", "default": True},
            }
        )
        return params

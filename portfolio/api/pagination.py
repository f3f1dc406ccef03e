"""Limit and offset pagination with a maximum page size; each page costs one COUNT and one page query."""

from collections.abc import Callable
from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Keeps offset + limit within a 64-bit integer, which is what the databases accept in OFFSET.
MAX_OFFSET = 10**9


class Pagination(PaginationBase):
    """`?limit=&offset=`; a limit above MAX_LIMIT is rejected with 422, not cut down."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT,
                           description=f"Items per page, 1 to {MAX_LIMIT}.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Number of items to skip.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Number of items on all pages.")
        limit: int
        offset: int

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> dict:
        offset, limit = pagination.offset, pagination.limit
        return {
            "items": queryset[offset:offset + limit],
            "count": self._items_count(queryset),
            "limit": limit,
            "offset": offset,
        }


class ConvertedPages:
    """A queryset whose rows are converted a page at a time, after the database cut the page.

    `convert` takes the rows of one page and returns the items; it may run a
    fixed number of queries for the whole page. Pagination counts with one
    COUNT on the queryset.
    """

    def __init__(self, queryset, convert: Callable[[list], list]):
        self.queryset = queryset
        self.convert = convert

    def all(self) -> "ConvertedPages":
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list:
        return self.convert(list(self.queryset[page]))

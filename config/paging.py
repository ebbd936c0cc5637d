"""Pages of a list without counting it: where a page shows no total, it need not pay for one.

`page_of(queryset, number, per_page)` reads per_page + 1 rows: the extra row only says that a
next page exists. Django's Paginator runs COUNT(*) over the whole list first, which on a large
scope costs more than the page itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def page_number(value: str | None) -> int:
    """The page asked for: anything that is not a positive number is the first page."""
    # ASCII digits only ("²".isdigit() is true but int() refuses it), and a page a list can have.
    ok = value and value.isascii() and value.isdigit() and len(value) <= 9 and int(value) > 0
    return int(value) if ok else 1


def page_of(rows, number: int, per_page: int) -> Page:
    """One page of a queryset (or list), sliced in the database, with no count."""
    start = (number - 1) * per_page
    window = list(rows[start : start + per_page + 1])
    return Page(rows=window[:per_page], number=number, has_next=len(window) > per_page)


# --- the admin's lists: a count that stops ---------------------------------------------------


class MoreThan(int):
    """A count that stopped at `bound`: it compares and pages as bound + 1 (a row after the bound
    exists) and prints as "1000+" (templates print an int through str() when thousands are not
    grouped, as here: settings.USE_THOUSAND_SEPARATOR is False)."""

    bound: int

    def __new__(cls, bound: int):
        value = super().__new__(cls, bound + 1)
        value.bound = bound
        return value

    def __str__(self) -> str:
        return f"{self.bound}+"

    __repr__ = __str__


class BoundedCountPaginator(Paginator):
    """The admin's paginator at national scale: counts at most `window` rows past the page asked
    for (SELECT COUNT(*) FROM (SELECT ... LIMIT n)), not the officer's whole scope.

    Below the bound the count is exact; above it `count` is a MoreThan, which the changelist
    shows as "1000+" and which still links the page after the bound. With window=0 it counts
    nothing: it reads the page's rows and one more (the page then needs no other query) and
    shows "100+" while a next page exists. Use with show_full_result_count = False (that counts
    the scope again, unfiltered)."""

    def __init__(self, object_list, per_page, *, page: int = 1, window: int = 1000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.page_asked = page
        self.window = window
        self.bound = max(page - 1, 0) * self.per_page + max(window, self.per_page)
        self._rows_read: list | None = None

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows)
        if not self.window:
            start = (self.page_asked - 1) * self.per_page
            self._rows_read = list(rows[start : self.bound + 1])
            counted = start + len(self._rows_read)
            self._rows_read = self._rows_read[: self.per_page]
        else:
            # values("pk"): no selected annotation is computed per counted row; order_by(): no sort.
            counted = rows.order_by().values("pk")[: self.bound + 1].count()
        return MoreThan(self.bound) if counted > self.bound else counted

    def page(self, number):
        if self._rows_read is not None and self.validate_number(number) == self.page_asked:
            return self._get_page(self._rows_read, self.page_asked, self)
        return super().page(number)


def admin_page_number(request) -> int:
    """The changelist's page (its `p` parameter, from 1), as ChangeList reads it."""
    return page_number(request.GET.get(PAGE_VAR))

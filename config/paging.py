"""Pages of a list without counting it: where a page shows no total, it need not pay for one.

`page_of(queryset, number, per_page)` reads per_page + 1 rows: the extra row only says that a
next page exists. Django's Paginator runs COUNT(*) over the whole list first, which on a large
scope costs more than the page itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


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
    return int(value) if value and value.isdigit() and int(value) > 0 else 1


def page_of(rows, number: int, per_page: int) -> Page:
    """One page of a queryset (or list), sliced in the database, with no count."""
    start = (number - 1) * per_page
    window = list(rows[start : start + per_page + 1])
    return Page(rows=window[:per_page], number=number, has_next=len(window) > per_page)

"""Every xlsx the system makes writes its cells through here (OWASP CSV/formula injection).

Text a user typed that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would
run as a formula in Excel or LibreOffice (``=HYPERLINK(...)`` leaking the sheet, ``=cmd|...``).
Such text is stored as a plain string cell with Excel's *quote prefix* set: the cell shows the
text unchanged, is never evaluated, and stays text when an officer edits it.

Use ``append_row(ws, values)`` instead of ``ws.append(values)``, or ``write_cell(ws, row, col,
value)``; in a write-only workbook (the exports built by a worker, consortia.export_jobs) make
each cell with ``text_safe_cell(ws, value)``. Numbers and dates pass through untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def as_text(cell: Cell) -> Cell:
    """Makes an already-filled cell hold its string as text, never as a formula."""
    if is_formula_like(cell.value):
        cell.data_type = "s"  # openpyxl turns a leading "=" into a formula: undo that
        cell.quotePrefix = True  # Excel's "'" prefix, without changing the value
    return cell


def write_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    return as_text(ws.cell(row=row, column=column, value=value))


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """``ws.append(values)`` where user text can never become a formula."""
    # Formula-like text goes in as a ready text cell (append takes Cell objects). Re-reading the
    # row after appending (ws[ws.max_row]) scanned every cell of the sheet for each row: the
    # export of 5,000 applications took minutes (issue 18).
    ws.append([as_text(Cell(ws, value=v)) if is_formula_like(v) else v for v in values])


def text_safe_cell(
    ws: Worksheet, value: Any, *, number_format: str | None = None, font: Font | None = None
) -> WriteOnlyCell:
    """A cell for a write-only sheet (``ws.append([...])`` of these), user text never a formula."""
    cell = as_text(WriteOnlyCell(ws, value=value))
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell

"""Bounds and checks on user input, shared by serializers, forms and services (one set of limits).

The limits sit far above any real application and far below what breaks the database or the
process: a 64-bit column, Python's recursion, a worker's memory.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MAX_KRW = 10**15  # 1,000조원: above any budget; four sources summed over 1,000 rows fit in 64 bits
MAX_COUNT = 10**15  # KPI targets (counts, or won for sales)
MAX_ID = 2**63 - 1  # a bigint primary key
MAX_YEAR = 9999  # plan years and calendar years alike
MAX_ROWS = 2_000  # budget, KPI, milestone and people rows in one request
MAX_SUMMARY_CHARS = 20_000
MAX_TEXT_CHARS = 5_000  # descriptions, reasons
MAX_JSON_DEPTH = 20
MAX_JSON_ITEMS = 50_000  # values in one JSON body
MAX_JSON_BYTES = 5 * 1024 * 1024

_ASCII_INT = re.compile(r"-?[0-9]+")


def is_ascii_digits(text: str) -> bool:
    """str.isdigit() says yes to "²" and "١٢٣"; ids and money are ASCII digits only."""
    return text.isascii() and text.isdigit()


def single_line(value: str) -> None:
    """Titles end up in email subjects: no CR, LF or other control characters."""
    if any(ord(ch) < 32 or ch in "\x7f\x85\u2028\u2029" for ch in value):
        raise ValidationError(
            _("Use one line, without line breaks or control characters."), code="single_line"
        )


class AsciiIntegerField(serializers.IntegerField):
    """An integer written in ASCII digits ("１２３" and "²" are refused, not read as numbers)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, str) and not _ASCII_INT.fullmatch(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


def krw_field(**kwargs) -> AsciiIntegerField:
    return AsciiIntegerField(min_value=0, max_value=MAX_KRW, **kwargs)


def id_field(**kwargs) -> AsciiIntegerField:
    return AsciiIntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def year_field(**kwargs) -> AsciiIntegerField:
    return AsciiIntegerField(min_value=1, max_value=MAX_YEAR, **kwargs)

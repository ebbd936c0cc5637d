"""The API's JSON parser, bounded: size, nesting, item count, and text the database can store."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from config.inputs import MAX_JSON_BYTES, MAX_JSON_DEPTH, MAX_JSON_ITEMS


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def check_json_value(data) -> None:
    """Depth, item count, NUL characters and lone surrogates, in one iterative walk.

    PostgreSQL refuses NUL in text and a lone surrogate cannot even be encoded as UTF-8: either
    would become a 500 far from here, and an error message echoing it could not be rendered.
    """
    stack = [(data, 1)]
    items = 0
    while stack:
        value, depth = stack.pop()
        items += 1
        if items > MAX_JSON_ITEMS:
            raise ParseError(_("The request holds more than %(n)d values.") % {"n": MAX_JSON_ITEMS})
        if isinstance(value, dict):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(_("The request is nested deeper than %(n)d levels.") % {"n": MAX_JSON_DEPTH})
            for key, child in value.items():
                _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(value, list):
            if depth > MAX_JSON_DEPTH:
                raise ParseError(_("The request is nested deeper than %(n)d levels.") % {"n": MAX_JSON_DEPTH})
            stack.extend((child, depth + 1) for child in value)
        elif isinstance(value, str):
            _check_text(value)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ParseError(_("Text must not contain NUL characters."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(_("Text must be valid Unicode.")) from None


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_JSON_BYTES + 1)
        if len(raw) > MAX_JSON_BYTES:
            raise ParseError(
                _("The request body is larger than %(mb)d MB.") % {"mb": MAX_JSON_BYTES // 2**20}
            )
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except RecursionError:
            raise ParseError(
                _("The request is nested deeper than %(n)d levels.") % {"n": MAX_JSON_DEPTH}
            ) from None
        except (UnicodeDecodeError, ValueError):
            raise ParseError(_("The request body is not valid JSON.")) from None
        check_json_value(data)
        return data

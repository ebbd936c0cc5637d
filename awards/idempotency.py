"""`Idempotency-Key` for money endpoints: a retried request returns the first result.

The key row is inserted in the same transaction as the write it guards. A concurrent retry
blocks on the unique (user, key) index until the first commits, then reads the stored response;
if the first failed, its key row rolled back with it and the retry runs afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from awards.exceptions import IdempotencyConflict
from awards.models import IdempotencyKey

HEADER = "Idempotency-Key"


def _fingerprint(scope: str, data) -> str:
    body = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{scope}\n{body}".encode()).hexdigest()


def run_once(
    *, user, key: str, scope: str, data, run: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Runs `run` once per (user, key); returns (status, body, replayed). Pages use it with a
    key minted when the form is shown, the API with the client's header."""
    key = (key or "").strip()
    if not key or len(key) > 100:
        raise IdempotencyConflict(
            _("Money requests need an Idempotency-Key header (1 to 100 characters)."),
            fields={"Idempotency-Key": [_("Required.")]},
        )
    fingerprint = _fingerprint(scope, data)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(user=user, key=key, scope=scope, fingerprint=fingerprint)
        except IntegrityError:
            first = IdempotencyKey.objects.get(user=user, key=key)
            if first.fingerprint != fingerprint:
                raise IdempotencyConflict(
                    _("This Idempotency-Key was used for a different request."),
                    fields={"Idempotency-Key": [_("Use a new key for a new request.")]},
                ) from None
            return first.status_code, first.response, True
        status, body = run()
        row.status_code, row.response = status, json.loads(json.dumps(body, default=str))
        row.save(update_fields=["status_code", "response"])
    return status, body, False


def idempotent(request: Request, scope: str, run: Callable[[], tuple[int, dict]]) -> Response:
    """The API's form: the key comes from the `Idempotency-Key` header."""
    status, body, replayed = run_once(
        user=request.user, key=request.headers.get(HEADER, ""), scope=scope, data=request.data, run=run
    )
    response = Response(body, status=status)
    if replayed:
        response["Idempotent-Replay"] = "true"
    return response

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


def idempotent(request: Request, scope: str, run: Callable[[], tuple[int, dict]]) -> Response:
    """Runs `run` once per (user, Idempotency-Key); stores and replays its (status, body)."""
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > 100:
        raise IdempotencyConflict(
            _("Money requests need an Idempotency-Key header (1 to 100 characters)."),
            fields={"Idempotency-Key": [_("Required.")]},
        )
    fingerprint = _fingerprint(scope, request.data)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=request.user, key=key, scope=scope, fingerprint=fingerprint
                )
        except IntegrityError:
            first = IdempotencyKey.objects.get(user=request.user, key=key)
            if first.fingerprint != fingerprint:
                raise IdempotencyConflict(
                    _("This Idempotency-Key was used for a different request."),
                    fields={"Idempotency-Key": [_("Use a new key for a new request.")]},
                ) from None
            response = Response(first.response, status=first.status_code)
            response["Idempotent-Replay"] = "true"
            return response
        status, body = run()
        row.status_code, row.response = status, json.loads(json.dumps(body, default=str))
        row.save(update_fields=["status_code", "response"])
    return Response(body, status=status)

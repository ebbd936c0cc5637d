"""`Idempotency-Key` for money endpoints: a retried request returns the first result.

The keys are the project's one store (accounts.idempotency): the key row is inserted in the
same transaction as the write it guards, a concurrent retry waits on the unique (user, key)
index and then replays the stored response, and a failed request leaves no key. Money adds
two things: the key is required, and the scope (which award, which step) is part of the
request's fingerprint, so one key cannot pay two tranches.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.idempotency import HEADER, fingerprint, run_once_or_replay
from awards.exceptions import IdempotencyConflict
from awards.rule_codes import AwardRule


def run_once(
    *, user, key: str, scope: str, data, run: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Runs `run` once per (user, key); returns (status, body, replayed). Pages use it with a
    key minted when the form is shown, the API with the client's header."""
    key = (key or "").strip()
    if not key:
        raise IdempotencyConflict(
            _("Money requests need an Idempotency-Key header (1 to 100 characters)."),
            fields={HEADER: [_("Required.")]},
            rule=AwardRule.IDEMPOTENCY_KEY_REQUIRED,
        )
    return run_once_or_replay(user=user, key=key, fingerprint=fingerprint("POST", scope, data), action=run)


def idempotent(request: Request, scope: str, run: Callable[[], tuple[int, dict]]) -> Response:
    """The API's form: the key comes from the `Idempotency-Key` header."""
    status, body, replayed = run_once(
        user=request.user, key=request.headers.get(HEADER, ""), scope=scope, data=request.data, run=run
    )
    response = Response(body, status=status)
    if replayed:
        response["Idempotent-Replay"] = "true"
    return response

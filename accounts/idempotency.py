"""Exactly one result per Idempotency-Key: double clicks and client retries of a create.

The same user, key and request (method, path, body) get the first result again, with its
status and body; the same key with a different request is a 400. The key row is inserted
inside the create's transaction (accounts.models.IdempotencyKey), so the unique index makes
concurrent duplicates wait for the first and nothing is stored when the create fails.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.exceptions import IdempotencyKeyReused
from accounts.models import IdempotencyKey

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
MAX_KEY_LENGTH = 255


def fingerprint(method: str, path: str, data: Any) -> str:
    """A digest of the request: method, path and the body with its keys sorted."""
    if isinstance(data, Mapping) and hasattr(data, "lists"):  # QueryDict: every value of a key
        data = {k: v for k, v in data.lists()}
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method}\n{path}\n{body}".encode()).hexdigest()


def _check_key(key: str, field: str) -> None:
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise IdempotencyKeyReused(
            _("The idempotency key is not valid."),
            fields={field: [_("At most %(n)d printable characters.") % {"n": MAX_KEY_LENGTH}]},
        )


def run_once(
    *, user, key: str, fingerprint: str, action: Callable[[], tuple[int, Any]], field: str = HEADER
) -> tuple[int, Any]:
    """Runs `action` (which returns status and a JSON-able body) once per (user, key).

    A success (status below 400) is stored with the key; anything else rolls the key back
    with the create, so a corrected retry may use it.
    """
    status, body, _replayed = run_once_or_replay(
        user=user, key=key, fingerprint=fingerprint, action=action, field=field
    )
    return status, body


def run_once_or_replay(
    *, user, key: str, fingerprint: str, action: Callable[[], tuple[int, Any]], field: str = HEADER
) -> tuple[int, Any, bool]:
    """`run_once`, also telling whether the result is a replay of the first request's."""
    _check_key(key, field)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            # The first request with this key has committed (we waited on the unique index).
            record = IdempotencyKey.objects.get(user=user, key=key)
            if record.fingerprint != fingerprint:
                raise IdempotencyKeyReused(
                    _("This idempotency key was already used for a different request."),
                    fields={field: [_("Use a new key for a new request.")]},
                ) from None
            return record.response_status, json.loads(record.response_body), True
        status, body = action()
        if status >= 400:
            transaction.set_rollback(True)
            return status, body, False
        record.response_status = status
        record.response_body = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)
        record.save(update_fields=["response_status", "response_body"])
        return status, body, False


def idempotent_create(method: Callable[..., Response]) -> Callable[..., Response]:
    """For a DRF view's post(): honours the Idempotency-Key header (optional)."""

    @functools.wraps(method)
    def wrapper(view, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key or not request.user.is_authenticated:
            return method(view, request, *args, **kwargs)

        def action() -> tuple[int, Any]:
            response = method(view, request, *args, **kwargs)
            return response.status_code, response.data

        status, body = run_once(
            user=request.user,
            key=key,
            fingerprint=fingerprint(request.method, request.path, request.data),
            action=action,
        )
        return Response(body, status=status)

    return wrapper


def schema_parameter():
    """The header in the OpenAPI schema of every create that honours it."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description=(
            "Any unique string (e.g. a UUID) per intended create: a retry or double click with "
            "the same key and body returns the first result; the same key with another body is a 400."
        ),
    )


# --- portal forms: a hidden token per displayed create form --------------------------------------


def once_token(request: HttpRequest) -> str:
    """The create form's hidden token (templates/consortia/_once.html): new on each display,
    kept when the form comes back with errors (nothing was created, so it is still free)."""
    posted = request.POST.get(FORM_FIELD, "").strip() if request.method == "POST" else ""
    return posted or uuid.uuid4().hex


def create_once(request: HttpRequest, create: Callable[[], str]) -> str:
    """Runs `create` (it returns where to go next) once per form token: a double click or a
    resent form waits for the first and goes where it went."""
    key = request.POST.get(FORM_FIELD, "").strip()
    if not key:
        return create()
    data = {k: v for k, v in request.POST.lists() if k not in ("csrfmiddlewaretoken", FORM_FIELD)}
    _status, body = run_once(
        user=request.user,
        key=key,
        fingerprint=fingerprint("POST", request.path, data),
        action=lambda: (303, {"location": create()}),
        field=FORM_FIELD,
    )
    return body["location"]

"""Writes to users' credentials: API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import User


@transaction.atomic
def issue_api_token(*, user: User) -> tuple[str, dt.datetime | None]:
    """Creates an expiring API token for `user`, stored only as its digest; returns the plain
    token (shown once) and its expiry. Expired tokens go, and the oldest beyond the per-user
    limit are revoked, so a script that logs in on every run cannot pile tokens up."""
    now = timezone.now()
    AuthToken.objects.filter(user=user, expiry__lt=now).delete()
    limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
    if limit:
        keep = AuthToken.objects.filter(user=user).order_by("-created").values("pk")[: limit - 1]
        AuthToken.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry

"""The outbox: emails the system owes, written with their cause and sent by a worker.

Any app creates a notice with one call, inside its own transaction::

    from consortia.notices import queue_notice

    notice = queue_notice(
        kind="reminder.milestone",
        to=[contact.email for contact in consortium.contacts.all()],
        subject_template="awards/email/milestone_subject.txt",
        body_template="awards/email/milestone.txt",
        context={"milestone": milestone, "days_left": 7},
        dedupe_key=f"reminder:milestone:{milestone.pk}:d7:{milestone.due_on.isoformat()}",
        about=milestone,
    )

- `dedupe_key` is unique: a second call with the same key (a double click, a concurrent
  request, a job that runs twice) returns the existing notice and queues nothing. Put in it
  what makes the notice "once per X" (the object, the occasion, the date).
- Subject and body are rendered at once, in Korean (`language`), from the templates and the
  context (anything a template takes: models, dates); the notice keeps the text it was owed, so
  later edits of the object do not change what is sent. A subject is one line.
- `to` is one message to every listed address (1 to 50 valid addresses); queue one notice per
  person (a key per person) when each must get their own.
- `about` (any model instance) links the notice to its object; an Application also fills the
  `application` column that officers filter by.
- Safe inside a transaction: the row is created in a savepoint and its task is queued only
  after the outermost commit, and a broker that is down fails nothing (config.celery.
  enqueue_after_commit): the notice stays owed and the beat sweep queues it again.

Delivery is at least once (see the Notice model for what that means); `resend_notices` puts
failed notices back in the queue for an administrator.
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from config.celery import enqueue_after_commit
from consortia.models import Application, Notice
from programs.permissions import is_admin

MAX_RECIPIENTS = 50


def queue_notice(
    *,
    kind: str,
    to: Sequence[str],
    subject_template: str,
    body_template: str,
    context: Mapping[str, Any],
    dedupe_key: str,
    about: models.Model | None = None,
    language: str = "ko",
) -> Notice:
    """Creates the notice owed under `dedupe_key` (or returns the existing one); queues its send."""
    if existing := Notice.objects.filter(dedupe_key=dedupe_key).first():
        return existing
    recipients = _recipients(to)
    with translation.override(language):
        subject = " ".join(render_to_string(subject_template, dict(context)).split())
        body = render_to_string(body_template, dict(context))
    fields: dict[str, Any] = {}
    if about is not None:
        fields = {"about_type": ContentType.objects.get_for_model(about), "about_id": about.pk}
        if isinstance(about, Application):
            fields["application"] = about
    try:
        # A savepoint: a concurrent twin's unique violation must not break the caller's transaction.
        with transaction.atomic():
            notice = Notice.objects.create(
                kind=kind, dedupe_key=dedupe_key, recipients=recipients, subject=subject, body=body, **fields
            )
    except IntegrityError:
        if existing := Notice.objects.filter(dedupe_key=dedupe_key).first():
            return existing
        raise
    from consortia.tasks import send_notice

    enqueue_after_commit(send_notice, notice.pk)
    return notice


def _recipients(to: Sequence[str]) -> list[str]:
    if isinstance(to, str):
        raise TypeError("`to` is a list of addresses")
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise ValueError(f"a notice goes to 1 to {MAX_RECIPIENTS} addresses, not {len(recipients)}")
    for address in recipients:
        validate_email(address)
    return recipients


# --- the worker's side ---------------------------------------------------------------------


def claim_notice(*, notice_id: int, now: dt.datetime | None = None) -> bool:
    """Owed, due and unclaimed (or its claim's lease ran out) -> claimed; counts the attempt."""
    now = now or timezone.now()
    lease_start = now - dt.timedelta(seconds=settings.NOTICE_CLAIM_LEASE_SECONDS)
    return bool(
        Notice.objects.filter(
            Q(claimed_at=None) | Q(claimed_at__lt=lease_start),
            pk=notice_id,
            status=Notice.Status.OWED,
            due_at__lte=now,
            attempts__lt=settings.NOTICE_MAX_ATTEMPTS,
        ).update(claimed_at=now, attempts=F("attempts") + 1)
    )


def deliver_notice(*, notice_id: int) -> None:
    """Sends a claimed notice and marks it sent."""
    notice = Notice.objects.get(pk=notice_id)
    message = EmailMultiAlternatives(
        subject=notice.subject,
        body=notice.body,
        to=notice.recipients,
        # The same Message-ID on every attempt lets mail systems drop a duplicate.
        headers={"Message-ID": f"<notice.{notice.pk}.{notice.created_at:%Y%m%d%H%M%S}@{_mail_domain()}>"},
    )
    message.send()
    Notice.objects.filter(pk=notice.pk).update(
        status=Notice.Status.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""
    )


def record_failure(*, notice_id: int, error: BaseException) -> Notice.Status:
    """Releases the claim after a failed attempt: due again after a backoff, or FAILED."""
    notice = Notice.objects.get(pk=notice_id)
    text = "".join(traceback.format_exception_only(type(error), error)).strip()[:2000]
    if notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
        status, due_at = Notice.Status.FAILED, notice.due_at
    else:
        status, due_at = Notice.Status.OWED, timezone.now() + retry_delay(notice.attempts)
    Notice.objects.filter(pk=notice_id, status=Notice.Status.OWED).update(
        status=status, due_at=due_at, claimed_at=None, last_error=text
    )
    return status


def retry_delay(attempts: int) -> dt.timedelta:
    seconds = settings.NOTICE_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTICE_RETRY_MAX_SECONDS))


def notices_to_requeue(*, now: dt.datetime | None = None) -> list[int]:
    """Owed notices whose task should have run by now: due past the grace period, and unclaimed
    or claimed by a worker whose lease ran out. Lost claims that used the last attempt fail."""
    now = now or timezone.now()
    lease_start = now - dt.timedelta(seconds=settings.NOTICE_CLAIM_LEASE_SECONDS)
    grace_start = now - dt.timedelta(seconds=settings.NOTICE_REQUEUE_GRACE_SECONDS)
    owed = Notice.objects.filter(status=Notice.Status.OWED)
    lost = owed.filter(claimed_at__lt=lease_start)
    lost.filter(attempts__gte=settings.NOTICE_MAX_ATTEMPTS).update(
        status=Notice.Status.FAILED, claimed_at=None, last_error=LOST_CLAIM
    )
    lost.update(claimed_at=None, last_error=LOST_CLAIM)
    return list(
        owed.filter(claimed_at=None, due_at__lte=grace_start)
        .order_by("due_at")
        .values_list("pk", flat=True)[:1000]
    )


# Stored as the notice's last error: data for administrators, not translated.
LOST_CLAIM = "the worker stopped during the attempt (its claim expired)"


# --- administrators ------------------------------------------------------------------------


def resend_notices(*, actor, notice_ids: Iterable[int]) -> int:
    """Failed (or unclaimed owed) notices -> owed with fresh attempts, due now; queues them."""
    if not is_admin(actor):
        raise PermissionDenied
    with transaction.atomic():
        ids = list(
            Notice.objects.select_for_update()
            .filter(pk__in=list(notice_ids))
            # Not one a worker holds now: resetting its claim could send it twice.
            .filter(Q(status=Notice.Status.FAILED) | Q(status=Notice.Status.OWED, claimed_at=None))
            .values_list("pk", flat=True)
        )
        Notice.objects.filter(pk__in=ids).update(
            status=Notice.Status.OWED, attempts=0, due_at=timezone.now(), claimed_at=None
        )
        from consortia.tasks import send_notice

        for pk in ids:
            enqueue_after_commit(send_notice, pk)
    return len(ids)


def _mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"

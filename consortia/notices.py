"""The outbox: emails the system owes, written with their cause and sent by a worker.

Stopgap of the `faults` branch's generic outbox, with its signature: that branch's version wins
at merge. `queue_notice` renders the Korean subject and body at once and keeps them on the row;
a second call with the same `dedupe_key` returns the existing notice and queues nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from consortia.models import Application, Notice


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
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    with translation.override(language):
        subject = " ".join(render_to_string(subject_template, dict(context)).split())
        body = render_to_string(body_template, dict(context))
    application = about if isinstance(about, Application) else None
    try:
        # A savepoint: a concurrent twin's unique violation must not break the caller's transaction.
        with transaction.atomic():
            notice = Notice.objects.create(
                kind=kind,
                dedupe_key=dedupe_key,
                recipients=recipients,
                subject=subject,
                body=body,
                application=application,
            )
    except IntegrityError:
        if existing := Notice.objects.filter(dedupe_key=dedupe_key).first():
            return existing
        raise
    from consortia.tasks import send_notice

    # After commit: a worker cannot see uncommitted rows.
    transaction.on_commit(partial(send_notice.delay, notice.pk))
    return notice


def deliver_notice(*, notice_id: int) -> None:
    """Sends one claimed notice, then marks it sent."""
    notice = Notice.objects.get(pk=notice_id)
    EmailMultiAlternatives(subject=notice.subject, body=notice.body, to=notice.recipients).send()
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())

"""Rendering and sending the emails the system owes (receipts, and any app's queued notices)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from consortia.models import Notice


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
    """Creates the notice owed under `dedupe_key` (or returns the existing one); queues its send
    after commit. (Smallest form of the generic outbox; the `faults` branch carries the full one.)"""
    if existing := Notice.objects.filter(dedupe_key=dedupe_key).first():
        return existing
    recipients = sorted({a.strip() for a in to if a and a.strip()})
    with translation.override(language):
        subject = " ".join(render_to_string(subject_template, dict(context)).split())
        body = render_to_string(body_template, dict(context))
    try:
        with transaction.atomic():  # a concurrent twin's unique violation stays in this savepoint
            notice = Notice.objects.create(
                kind=kind, dedupe_key=dedupe_key, recipients=recipients, subject=subject, body=body
            )
    except IntegrityError:
        return Notice.objects.get(dedupe_key=dedupe_key)
    from consortia.tasks import send_notice

    transaction.on_commit(partial(send_notice.delay, notice.pk))
    return notice


def deliver_notice(*, notice_id: int) -> None:
    """Renders and sends one notice, then marks it sent."""
    generic = Notice.objects.filter(pk=notice_id, dedupe_key__isnull=False).first()
    if generic is not None:
        EmailMultiAlternatives(subject=generic.subject, body=generic.body, to=generic.recipients).send()
        Notice.objects.filter(pk=generic.pk).update(sent_at=timezone.now())
        return
    notice = Notice.objects.select_related(
        "application__call", "application__track", "application__consortium"
    ).get(pk=notice_id)
    application = notice.application
    with translation.override("ko"):
        context = {
            "application": application,
            "submitted_at": timezone.localtime(application.submitted_at),
        }
        subject = render_to_string("consortia/email/receipt_subject.txt", context).strip()
        body = render_to_string("consortia/email/receipt.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[notice.to])
    message.send()
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())

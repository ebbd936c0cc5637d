"""Rendering and sending the emails the system owes (receipts)."""

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
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
) -> Notice:
    """Creates the notice owed under `dedupe_key` (or returns the existing one); queues its send
    after the commit. Minimal stand-in for the `faults` branch's outbox, same signature."""
    if existing := Notice.objects.filter(dedupe_key=dedupe_key).first():
        return existing
    with translation.override("ko"):
        subject = " ".join(render_to_string(subject_template, dict(context)).split())
        body = render_to_string(body_template, dict(context))
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                kind=kind, dedupe_key=dedupe_key, recipients=list(to), subject=subject, body=body
            )
    except IntegrityError:
        return Notice.objects.get(dedupe_key=dedupe_key)
    from consortia.tasks import send_notice

    transaction.on_commit(partial(send_notice.delay, notice.pk))
    return notice


def deliver_notice(*, notice_id: int) -> None:
    """Renders and sends one notice, then marks it sent."""
    notice = Notice.objects.select_related(
        "application__call", "application__track", "application__consortium"
    ).get(pk=notice_id)
    if notice.dedupe_key:
        EmailMultiAlternatives(subject=notice.subject, body=notice.body, to=notice.recipients).send()
        Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
        return
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

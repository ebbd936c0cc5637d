"""Rendering and sending the emails the system owes (receipts)."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from consortia.models import Notice


def deliver_notice(*, notice_id: int) -> None:
    """Renders and sends one notice, then marks it sent."""
    notice = Notice.objects.select_related(
        "application__call", "application__track", "application__consortium"
    ).get(pk=notice_id)
    application = notice.application
    with translation.override("ko"):
        context = {
            "application": application,
            "submitted_at": timezone.localtime(application.submitted_at),
        }
        # One line whatever a title holds: a CR/LF in a subject makes Django refuse the email.
        subject = " ".join(render_to_string("consortia/email/receipt_subject.txt", context).split())
        body = render_to_string("consortia/email/receipt.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[notice.to])
    message.send()
    Notice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())

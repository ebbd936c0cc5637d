"""Email backends for tests that run real workers in subprocesses."""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class StallingFileBackend(FileBackend):
    """The file backend, which stalls once (MAIL_STALL=before_send|after_send) so that a test can
    SIGKILL the worker at that point; MAIL_STALL_MARKER is created when it stalls."""

    def send_messages(self, email_messages):
        stall = os.environ.get("MAIL_STALL", "")
        marker = Path(os.environ.get("MAIL_STALL_MARKER", "/nonexistent/marker"))
        first = bool(stall) and not marker.exists()
        if first and stall == "before_send":
            marker.touch()
            time.sleep(600)
        sent = super().send_messages(email_messages)
        if first and stall == "after_send":
            marker.touch()
            time.sleep(600)
        return sent


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages):
        from smtplib import SMTPRecipientsRefused

        raise SMTPRecipientsRefused({m.to[0]: (550, b"mailbox unavailable") for m in email_messages})

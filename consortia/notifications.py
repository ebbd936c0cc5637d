"""The emails applicants get when something they care about changes, each exactly once.

All go through the notice outbox (consortia.notices.queue_notice): the row is written in the
caller's transaction and sent after commit; its dedupe_key makes a repeat a no-op.
"""

from __future__ import annotations

from django.utils import timezone

from consortia.models import Application, ApplicationEvent
from consortia.notices import queue_notice

# Applicant-facing states and the email each one sends (templates/consortia/email/).
STATE_NOTICES = {
    Application.State.SCREENING: "application.screening_started",
    Application.State.UNDER_REVIEW: "application.under_review",
    Application.State.SELECTED: "application.decision",
    Application.State.NOT_SELECTED: "application.decision",
}


def applicant_emails(application: Application) -> list[str]:
    """The consortium's contacts with an email address, in a stable order."""
    return sorted({u.email for u in application.consortium.contacts.all() if u.email})


def notify_state_change(application: Application, *, event: ApplicationEvent) -> None:
    """Queues the applicants' email for the state change `event`, if they are told of it.

    A decision taken by an evaluation panel is told by the panel's result notice (scores, rank,
    objection deadline: evaluations.notices.result_notice), not here, so it reaches them once.
    """
    kind = STATE_NOTICES.get(application.state)
    recipients = applicant_emails(application)
    if kind is None or not recipients:
        return
    decision = application.state in (Application.State.SELECTED, Application.State.NOT_SELECTED)
    if decision and application.call.panels.filter(track=application.track_id).exists():
        return
    queue_notice(
        kind=kind,
        to=recipients,
        subject_template="consortia/email/state_changed_subject.txt",
        body_template="consortia/email/state_changed.txt",
        context={"application": application, "reason": event.reason, "at": timezone.localtime(event.at)},
        # One email per state change (a review reopened after an objection is a new change).
        dedupe_key=f"application:{application.pk}:event:{event.pk}",
        about=application,
    )


def notify_deadline_extended(extension) -> int:
    """Queues one email per live application of the call about its new close time."""
    applications = (
        Application.objects.filter(call=extension.call_id)
        .exclude(state=Application.State.WITHDRAWN)
        .select_related("call", "track", "consortium")
        .prefetch_related("consortium__contacts")
    )
    queued = 0
    for application in applications:
        recipients = applicant_emails(application)
        if not recipients:
            continue
        queue_notice(
            kind="call.deadline_extended",
            to=recipients,
            subject_template="consortia/email/deadline_extended_subject.txt",
            body_template="consortia/email/deadline_extended.txt",
            context={
                "application": application,
                "old_closes_at": timezone.localtime(extension.old_closes_at),
                "new_closes_at": timezone.localtime(extension.new_closes_at),
                "reason": extension.reason,
            },
            dedupe_key=f"call:{extension.call_id}:extension:{extension.pk}:application:{application.pk}",
            about=application,
        )
        queued += 1
    return queued

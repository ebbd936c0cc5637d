"""The emails of the evaluation, each queued once through the notice outbox
(consortia.notices.queue_notice) inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from evaluations import aggregation
from evaluations.models import Assignment, Objection, Panel, Result, SelectionEntry


def _officer_emails(panel: Panel) -> list[str]:
    return sorted({u.email for u in panel.call.program.officers.all() if u.email})


def assignments_withdrawn(*, panel: Panel, assignments: list[Assignment]) -> None:
    """The program's officers are told which assignments a conflict withdrew (one notice per run)."""
    from consortia.notices import queue_notice

    to = _officer_emails(panel)
    if not to:
        return
    ids = ",".join(str(a.pk) for a in sorted(assignments, key=lambda a: a.pk))
    queue_notice(
        kind="evaluation.assignment_withdrawn",
        to=to,
        subject_template="evaluations/email/withdrawn_subject.txt",
        body_template="evaluations/email/withdrawn.txt",
        context={"panel": panel, "assignments": assignments},
        dedupe_key=f"evaluation:withdrawn:{panel.pk}:{ids}",
    )


def result_notice(
    *, result: Result, row: aggregation.ApplicationResult, entry: SelectionEntry | None
) -> None:
    """The applicant's result: scores, rank, reviewers' names where the panel discloses them."""
    from consortia.notices import queue_notice

    application = row.extra["application"]
    to = sorted({u.email for u in application.consortium.contacts.all() if u.email})
    panel = result.panel
    reviewers = []
    if panel.disclose_reviewer_names:
        reviewers = sorted(
            str(a.reviewer)
            for a in panel.assignments.filter(
                application=application, withdrawn_at__isnull=True
            ).select_related("reviewer__user")
        )
    queue_notice(
        kind="evaluation.result",
        to=to,
        subject_template="evaluations/email/result_subject.txt",
        body_template="evaluations/email/result.txt",
        context={
            "panel": panel,
            "application": application,
            "result": result,
            "score": aggregation.display(row.score),
            "final": aggregation.display(row.final),
            "bonus": aggregation.display(row.bonus),
            "rank": row.rank,
            "selected": bool(entry and entry.selected),
            "reviewers": reviewers,
            "notified_on": timezone.localdate(result.notified_at),
        },
        dedupe_key=f"evaluation:result:{panel.pk}:{application.pk}",
    )


def reviewer_reminder(*, panel: Panel, reviewer, pending: int, days_left: int) -> None:
    """Once per panel, reviewer, occasion (D-3, D-1) and closing day (a moved deadline reminds again)."""
    from consortia.notices import queue_notice

    if not reviewer.user.email:
        return
    queue_notice(
        kind="evaluation.reminder",
        to=[reviewer.user.email],
        subject_template="evaluations/email/reminder_subject.txt",
        body_template="evaluations/email/reminder.txt",
        context={
            "panel": panel,
            "reviewer": reviewer,
            "pending": pending,
            "days_left": days_left,
            "closes_at": timezone.localtime(panel.closes_at),
        },
        dedupe_key=(
            f"evaluation:reminder:{panel.pk}:{reviewer.pk}:d{days_left}:"
            f"{timezone.localdate(panel.closes_at).isoformat()}"
        ),
    )


def objection_answer_reminder(*, objection: Objection, kind: str, day: dt.date, today: dt.date) -> bool:
    """The program's officers: an objection's answer is due (D-7, D-1) or overdue; once per
    objection, occasion and day. False when nobody can be told."""
    from consortia.notices import queue_notice

    panel = objection.result.panel
    to = _officer_emails(panel)
    if not to:
        return False
    queue_notice(
        kind=f"evaluation.objection_answer_{kind}",
        to=to[:50],
        subject_template="evaluations/email/objection_answer_subject.txt",
        body_template="evaluations/email/objection_answer.txt",
        context={
            "objection": objection,
            "panel": panel,
            "application": objection.result.application,
            "kind": kind,
            "days_left": (objection.answer_due - today).days,
        },
        dedupe_key=f"evaluation:objection-answer:{objection.pk}:{kind}:{day.isoformat()}",
        about=objection,
    )
    return True


def agreement_reminder(*, result: Result, kind: str, day: dt.date, today: dt.date) -> bool:
    """A selected application's contacts: the agreement is due within 30 days of the notification
    (D-7, D-1); once per result, occasion and day. False when nobody can be told."""
    from consortia.notices import queue_notice

    application = result.application
    to = sorted({u.email for u in application.consortium.contacts.all() if u.email})
    if not to:
        return False
    queue_notice(
        kind=f"evaluation.agreement_{kind}",
        to=to[:50],
        subject_template="evaluations/email/agreement_subject.txt",
        body_template="evaluations/email/agreement.txt",
        context={
            "result": result,
            "panel": result.panel,
            "application": application,
            "days_left": (result.agreement_due - today).days,
        },
        dedupe_key=f"evaluation:agreement:{result.pk}:{kind}:{day.isoformat()}",
        about=application,
    )
    return True

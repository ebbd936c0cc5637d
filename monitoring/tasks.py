"""Monitoring's Celery tasks: they take ids (or nothing), may run twice, and end quietly (with a
log line) when what they name is gone."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def send_milestone_reminders() -> int:
    """Beat, daily: queues one chunk task per 500 owed milestones (see monitoring.reminders)."""
    from monitoring.reminders import send_due_reminders

    return send_due_reminders()


# acks_late: a worker that dies mid-chunk leaves the message to be redelivered; the notices'
# unique keys make the second run queue only what the first did not.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_milestone_chunk(milestone_ids: list[int], today: str | None = None) -> int:
    from monitoring.reminders import remind_milestones

    day = dt.date.fromisoformat(today) if today else None
    return remind_milestones(milestone_ids=list(milestone_ids), today=day)


@shared_task(acks_late=True)
def refresh_kpi_rollup(program_id: int, year: int | None = None) -> int:
    """Recomputes one program's rollups for one calendar year (after a validation) or all its
    years (after an award brought its targets)."""
    from monitoring.rollups import refresh_rollup
    from programs.models import Program

    if not Program.objects.filter(pk=program_id).exists():
        logger.info("program %s no longer exists: no rollup", program_id)
        return 0
    return refresh_rollup(program_id=program_id, year=year)


@shared_task(bind=True, acks_late=True)
def rebuild_kpi_rollups(self) -> int:
    """Recomputes every rollup, program by program, reporting progress in the task's meta."""
    from monitoring.rollups import rebuild_all

    def progress(done: int, total: int) -> None:
        # Eager runs (tests) keep no result: their PROGRESS would be the last state ever stored.
        if not self.request.called_directly and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"current": done, "total": total})

    return rebuild_all(progress=progress)


@shared_task
def send_officer_digests() -> int:
    """Beat, weekly: each officer's digest, once per officer and ISO week."""
    from monitoring.digest import send_officer_digests as send

    return send()

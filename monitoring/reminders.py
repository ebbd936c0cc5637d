"""Milestone reminders: D-30, D-7, D-1, and overdue (the day after the due date, then weekly
until submitted), to the consortium's contacts and the program's officers.

Exactly once per milestone, kind and day: each reminder is a notice of the outbox
(consortia.notices.queue_notice) under the unique key `milestone:{id}:{kind}:{day}`, where `day`
is the reminder's own day (the due date minus 30, 7 or 1, or the overdue day). A run that
repeats, overlaps another or is redelivered after a worker died finds the row and queues
nothing more. A run on a later day catches up the latest reminder it missed (not the older ones).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from consortia.models import Notice
from consortia.notices import queue_notice
from monitoring.models import Milestone
from programs.deadlines import closes_at

logger = logging.getLogger(__name__)

BEFORE = ((30, "d30"), (7, "d7"), (1, "d1"))
OVERDUE_EVERY_DAYS = 7
CHUNK = 500  # milestones per chunk task; settings.MILESTONE_REMINDER_CHUNK overrides it


def occasion(due_on: dt.date, today: dt.date) -> tuple[str, dt.date] | None:
    """The latest reminder (kind, its day) whose day is today or before, or None."""
    if today > due_on:
        late = (today - due_on).days - 1  # the first overdue reminder is the day after the due date
        day = due_on + dt.timedelta(days=1 + late - late % OVERDUE_EVERY_DAYS)
        return "overdue", day
    for days, kind in reversed(BEFORE):
        day = due_on - dt.timedelta(days=days)
        if day <= today:
            return kind, day
    return None


def owed_milestone_ids(*, today: dt.date, chunk: int | None = None) -> Iterator[list[int]]:
    """Ids of owed milestones due within 30 days or overdue, in chunks (keyset, bounded memory)."""
    chunk = chunk or getattr(settings, "MILESTONE_REMINDER_CHUNK", CHUNK)
    horizon = today + dt.timedelta(days=BEFORE[0][0])
    last = 0
    while True:
        ids = list(
            Milestone.objects.filter(state__in=Milestone.OWED, due_on__lte=horizon, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def remind_milestones(*, milestone_ids: list[int], today: dt.date | None = None) -> int:
    """Queues each milestone's current reminder once; ids that no longer exist are skipped and
    logged. Returns how many notices were created by this call."""
    today = today or timezone.localdate()
    emails = User.objects.exclude(email="").only("email")
    milestones = {
        m.pk: m
        for m in Milestone.objects.filter(pk__in=milestone_ids)
        .select_related("award__consortium", "award__program")
        .prefetch_related(
            Prefetch("award__consortium__contacts", queryset=emails),
            Prefetch("award__program__officers", queryset=emails),
        )
    }
    for missing in sorted(set(milestone_ids) - set(milestones)):
        logger.info("milestone %s no longer exists: no reminder", missing)
    due: dict[str, tuple[Milestone, str, dt.date]] = {}
    for milestone in milestones.values():
        if not milestone.is_owed:
            continue  # submitted since the scan
        found = occasion(milestone.due_on, today)
        if found is not None:
            kind, day = found
            due[f"milestone:{milestone.pk}:{kind}:{day.isoformat()}"] = (milestone, kind, day)
    # One query for the whole chunk's reminders already owed or sent (by an earlier, a concurrent
    # or a redelivered run): only the others are rendered. queue_notice's unique key still decides.
    done = set(Notice.objects.filter(dedupe_key__in=list(due)).values_list("dedupe_key", flat=True))
    # The chunk's notices commit together: a worker killed mid-chunk leaves none of them, and the
    # redelivered chunk (acks_late) creates each once; their sends are queued after the commit.
    with transaction.atomic():
        return _queue_reminders([v for k, v in due.items() if k not in done], today)


def _queue_reminders(due: list[tuple[Milestone, str, dt.date]], today: dt.date) -> int:
    created = 0
    for milestone, kind, day in due:
        award = milestone.award
        to = sorted(
            {u.email for u in award.consortium.contacts.all()}
            | {u.email for u in award.program.officers.all()}
        )
        if not to:
            logger.info("milestone %s has nobody to remind", milestone.pk)
            continue
        key = f"milestone:{milestone.pk}:{kind}:{day.isoformat()}"
        queue_notice(
            kind=f"milestone_{kind}",
            to=to[:50],
            subject_template="monitoring/email/reminder_subject.txt",
            body_template="monitoring/email/reminder.txt",
            context={
                "milestone": milestone,
                "award": award,
                "kind": kind,
                "days_left": (milestone.due_on - today).days,
                "days_late": (today - milestone.due_on).days,
                "closes_at": timezone.localtime(closes_at(milestone.due_on)),
            },
            dedupe_key=key,
            about=milestone,
        )
        created += 1
    return created


def send_due_reminders(*, today: dt.date | None = None) -> int:
    """Every owed milestone's current reminder, chunk by chunk; returns how many chunks ran."""
    from monitoring.tasks import remind_milestone_chunk

    today = today or timezone.localdate()
    chunks = 0
    for ids in owed_milestone_ids(today=today):
        remind_milestone_chunk.delay(ids, today.isoformat())
        chunks += 1
    return chunks

"""The weekly digest to each officer: overdue milestones, pending disbursements, changes and KPI
reports, and low KPI achievement, for the programs they run. One notice per officer and ISO week."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from awards.models import AwardChange, Disbursement
from consortia.notices import queue_notice
from monitoring import selectors

LIST_LIMIT = 20  # per section of one email; the dashboard has the rest


def send_officer_digests(*, today: dt.date | None = None) -> int:
    """Queues this week's digest to every officer with something to report; returns how many."""
    today = today or timezone.localdate()
    year, week, _ = today.isocalendar()
    queued = 0
    officers = (
        User.objects.filter(programs_as_officer__isnull=False).exclude(email="").distinct().order_by("pk")
    )
    for officer in officers.iterator(chunk_size=200):
        program_ids = list(officer.programs_as_officer.values_list("pk", flat=True))
        overdue = selectors.overdue_milestones(program_ids=program_ids, on=today)
        disbursements = Disbursement.objects.filter(
            tranche__award__program_id__in=program_ids,
            state__in=[Disbursement.State.REQUESTED, Disbursement.State.APPROVED],
        )
        changes = AwardChange.objects.filter(
            award__program_id__in=program_ids, state=AwardChange.State.PENDING
        )
        kpis = selectors.pending_kpi_reports(program_ids=program_ids)
        low = selectors.low_achievement(program_ids=program_ids, year=today.year - 1)
        counts = {
            "overdue": overdue.count(),
            "disbursements": disbursements.count(),
            "changes": changes.count(),
            "kpis": kpis.count(),
            "low": len(low),
        }
        if not any(counts.values()):
            continue
        queue_notice(
            kind="officer_digest",
            to=[officer.email],
            subject_template="monitoring/email/digest_subject.txt",
            body_template="monitoring/email/digest.txt",
            context={
                "officer": officer,
                "counts": counts,
                "overdue": list(overdue[:LIST_LIMIT]),
                "low": [
                    {**r, "achievement": selectors.format_achievement(r["achievement"])}
                    for r in low[:LIST_LIMIT]
                ],
                "today": today,
            },
            dedupe_key=f"digest:{officer.pk}:{year}-W{week:02d}",
        )
        queued += 1
    return queued

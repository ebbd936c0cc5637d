"""The demo's monitoring: deliverables due within 30 days and one overdue, KPI reports (some
validated), and the reminder job queued once so that `make run` mails reminders within a minute."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from awards.models import Award
from monitoring import rollups, services
from monitoring.models import Milestone
from programs.deadlines import next_working_day
from programs.models import Program

DEMO_DELIVERABLES = [
    (5, "데모: 분기 성과점검 자료"),
    (20, "데모: 기업 유치 실적 증빙"),
    (-3, "데모: 시제품 시험성적서"),
]
DEMO_ACTUALS = [
    ("new_jobs", 42, True),
    ("researchers", 35, True),
    ("deeptech_startups", 3, True),
    ("papers", 7, False),
]


@transaction.atomic
def seed_monitoring(*, program: Program, officer) -> int:
    """Creates the demo's milestones and KPI reports once; returns how many awards it touched."""
    awards = list(Award.objects.filter(program=program).select_related("consortium").order_by("pk"))
    if not awards or Milestone.objects.filter(award__in=awards, title__startswith="데모:").exists():
        return 0
    today = timezone.localdate()
    for index, award in enumerate(awards):
        for days, title in DEMO_DELIVERABLES[: 3 if index == 0 else 2]:
            Milestone.objects.create(
                award=award,
                kind=Milestone.Kind.PLANNED,
                sequence=90 + days % 97,
                title=title,
                # Rolled like every due date (the overdue one is left before today).
                due_on=next_working_day(today + dt.timedelta(days=days))
                if days > 0
                else today + dt.timedelta(days=days),
            )
        contact = award.consortium.contacts.order_by("pk").first()
        if contact is None:
            continue
        for indicator, value, validate in DEMO_ACTUALS:
            report = services.report_kpi(
                actor=contact,
                award_id=award.pk,
                indicator=indicator,
                year=1,
                value=value + index * 5,
                note="데모 실적",
            )
            if validate:
                services.validate_kpi(actor=officer, report_id=report.pk)
    rollups.rebuild_all()
    _make_reminders_due_now()
    return len(awards)


def _make_reminders_due_now() -> None:
    """Queues the beat job's task once now: beat runs it daily at 08:00 (django-celery-beat loads a
    crontab entry only around its hour), and the demo should show reminders within a minute."""
    from config.celery import enqueue_after_commit
    from monitoring.tasks import send_milestone_reminders

    enqueue_after_commit(send_milestone_reminders)

"""The demo's monitoring: deliverables due within 30 days and one overdue, KPI reports (some
validated), and the reminder job due once when beat starts, so that `make run` mails
reminders within a minute."""

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
    """A one-off beat entry due now runs the reminder job: beat's own daily entry runs at 08:00,
    and the demo should show beat sending reminders into var/mail/ within a minute. (The entry
    is an administrator's to see and delete under Periodic tasks; it runs once.)"""
    from django_celery_beat.models import ClockedSchedule, PeriodicTask

    clocked = ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.update_or_create(
        name="demo-milestone-reminders-now",
        defaults={
            "task": "monitoring.tasks.send_milestone_reminders",
            "clocked": clocked,
            "interval": None,
            "crontab": None,
            "one_off": True,
            "enabled": True,
            "description": "Demo: the milestone reminders once, as soon as beat starts.",
        },
    )

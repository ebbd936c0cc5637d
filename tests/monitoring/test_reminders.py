"""Issue 17 item 2: D-30, D-7, D-1 and overdue (then weekly) reminders, in Korean with the
deadline in Asia/Seoul, to contacts and officers, exactly once per milestone, kind and day."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from consortia.models import Notice
from monitoring import selectors, services
from monitoring.models import Milestone
from monitoring.reminders import occasion, remind_milestones
from monitoring.tasks import remind_milestone_chunk, send_milestone_reminders
from tests.monitoring.helpers import contact_of, make_award, officer_of_award, pdf

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 16)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - dt.timedelta(days=31), None),
        (DUE - dt.timedelta(days=30), ("d30", DUE - dt.timedelta(days=30))),
        (DUE - dt.timedelta(days=8), ("d30", DUE - dt.timedelta(days=30))),
        (DUE - dt.timedelta(days=7), ("d7", DUE - dt.timedelta(days=7))),
        (DUE - dt.timedelta(days=1), ("d1", DUE - dt.timedelta(days=1))),
        (DUE, ("d1", DUE - dt.timedelta(days=1))),
        (DUE + dt.timedelta(days=1), ("overdue", DUE + dt.timedelta(days=1))),
        (DUE + dt.timedelta(days=7), ("overdue", DUE + dt.timedelta(days=1))),
        (DUE + dt.timedelta(days=8), ("overdue", DUE + dt.timedelta(days=8))),
        (DUE + dt.timedelta(days=20), ("overdue", DUE + dt.timedelta(days=15))),
    ],
)
def test_the_reminder_of_a_day(today, expected):
    assert occasion(DUE, today) == expected


def _milestone_due(days: int) -> Milestone:
    award = make_award()
    milestone = Milestone.objects.filter(award=award).order_by("pk").first()
    Milestone.objects.filter(pk=milestone.pk).update(due_on=timezone.localdate() + dt.timedelta(days=days))
    Milestone.objects.filter(award=award).exclude(pk=milestone.pk).update(state="accepted")
    return Milestone.objects.select_related("award").get(pk=milestone.pk)


def test_running_twice_sends_one_email_per_reminder(mailoutbox, django_capture_on_commit_callbacks, settings):
    milestone = _milestone_due(7)
    with django_capture_on_commit_callbacks(execute=True):
        send_milestone_reminders.apply()
        send_milestone_reminders.apply()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    award = milestone.award
    assert set(mail.to) == {contact_of(award).email, officer_of_award(award).email}
    assert "D-7" in mail.subject and milestone.title in mail.subject
    assert f"{milestone.due_on:%Y}년 {milestone.due_on.month}월 {milestone.due_on.day}일" in mail.body
    assert "한국시간" in mail.body
    notice = Notice.objects.get()
    assert notice.dedupe_key == f"milestone:{milestone.pk}:d7:{milestone.due_on - dt.timedelta(days=7)}"
    # The milestone's timeline shows the reminder.
    timeline = selectors.milestone_timeline(milestone_id=milestone.pk)
    assert [e["kind"] for e in timeline if e["type"] == "reminder"] == ["milestone_d7"]


def test_overdue_reminders_repeat_weekly_until_submitted(mailoutbox, django_capture_on_commit_callbacks):
    milestone = _milestone_due(-1)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(0, 15):
            remind_milestones(milestone_ids=[milestone.pk], today=today + dt.timedelta(days=day))
    assert len(mailoutbox) == 3  # day 1, 8 and 15 after the due date
    assert all("제출기한 경과" in m.subject for m in mailoutbox)
    services.submit_milestone(actor=contact_of(milestone.award), milestone_id=milestone.pk, upload=pdf())
    with django_capture_on_commit_callbacks(execute=True):
        remind_milestones(milestone_ids=[milestone.pk], today=today + dt.timedelta(days=21))
    assert len(mailoutbox) == 3


def test_a_deleted_milestone_ends_quietly_with_a_log_line(caplog, mailoutbox):
    milestone = _milestone_due(1)
    pk = milestone.pk
    Milestone.objects.filter(pk=pk).delete()
    with caplog.at_level(logging.INFO, logger="monitoring.reminders"):
        assert remind_milestone_chunk.apply(args=[[pk]]).get() == 0
    assert f"milestone {pk} no longer exists" in caplog.text
    assert mailoutbox == []


def test_milestones_far_away_or_submitted_get_nothing(mailoutbox, django_capture_on_commit_callbacks):
    _milestone_due(45)
    with django_capture_on_commit_callbacks(execute=True):
        send_milestone_reminders.apply()
    assert mailoutbox == []

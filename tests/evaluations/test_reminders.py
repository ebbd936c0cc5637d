"""Reminders of the evaluation through beat and the notice outbox: reviewers before their panel
closes, officers before an objection's answer is due (and once overdue), selected applicants
before the agreement is due. Each exactly once per object, occasion and day."""

import datetime as dt
import importlib
import inspect

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from consortia.models import Notice
from evaluations import services, tasks
from evaluations.models import Objection, Result, SelectionEntry
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    assign,
    make_panel,
    officer_of,
    seat,
    under_review,
)

pytestmark = pytest.mark.django_db
SEED = importlib.import_module("evaluations.migrations.0004_evaluations_seed_beat_schedules")


def test_the_reminder_jobs_are_seeded_once_at_nine_kst_and_edits_survive():
    PeriodicTask.objects.filter(name__in=SEED.SCHEDULES).delete()  # the migration ran already
    SEED.seed(django_apps, None)
    job = PeriodicTask.objects.get(name="remind-reviewers")
    assert (job.task, job.crontab.hour, job.crontab.minute, str(job.crontab.timezone)) == (
        "evaluations.tasks.remind_reviewers",
        "9",
        "0",
        "Asia/Seoul",
    )
    assert PeriodicTask.objects.get(name="remind-result-deadlines").task == (
        "evaluations.tasks.remind_result_deadlines"
    )
    job.enabled = False
    job.save()
    SEED.seed(django_apps, None)
    assert PeriodicTask.objects.filter(name="remind-reviewers").count() == 1
    assert PeriodicTask.objects.get(name="remind-reviewers").enabled is False


def test_the_seeded_tasks_exist_and_take_no_argument():
    from config.celery import app

    for name in ("evaluations.tasks.remind_reviewers", "evaluations.tasks.remind_result_deadlines"):
        task = app.tasks[name]
        params = [p for p in inspect.signature(task.run).parameters.values() if p.default is p.empty]
        assert params == []


def test_reviewers_are_reminded_once_three_days_before_the_panel_closes(
    django_capture_on_commit_callbacks, mailoutbox
):
    closes = timezone.now() + dt.timedelta(days=3)
    panel = make_panel(closes_at=closes)
    app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    late, done = seat(panel), seat(panel)
    assign(panel, app, late)
    a = assign(panel, app, done)
    services.save_score(
        actor=done.user,
        assignment_id=a.pk,
        points={"planning": 20, "fit": 10, "organisation": 10, "impact": 20},
        submit=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_reviewers.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_reviewers.delay().get() == 0  # the job ran twice: still one notice
    notices = Notice.objects.filter(kind="evaluation.reminder")
    assert notices.count() == 1 and notices.get().recipients == [late.user.email]
    assert [m.to for m in mailoutbox] == [[late.user.email]]
    assert "3일 전" in mailoutbox[0].subject


@pytest.fixture
def notified():
    """A selected and a not-selected application, both notified today."""
    panel = make_panel()
    officer = officer_of(panel.call.program)
    today = timezone.localdate()
    out = {"panel": panel, "officer": officer, "today": today}
    for name, selected in (("winner", True), ("loser", False)):
        contact = UserFactory()
        app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
        app.consortium.contacts.set([contact])
        SelectionEntry.objects.create(
            panel=panel,
            application=app,
            rank=1 if selected else 2,
            proposed=selected,
            selected=selected,
            confirmed_by=officer,
            confirmed_at=timezone.now(),
        )
        out[name] = Result.objects.create(
            panel=panel,
            application=app,
            notified_at=timezone.now(),
            objection_due=today + dt.timedelta(days=10),
            agreement_due=today + dt.timedelta(days=30),
            revision_due=today + dt.timedelta(days=20),
        )
        out[f"{name}_contact"] = contact
    return out


def objection(result, *, due):
    return Objection.objects.create(
        result=result,
        filed_by=result.application.consortium.contacts.first(),
        filed_at=timezone.now(),
        text="점수 산정에 오류가 있습니다",
        answer_due=due,
    )


def run_twice(django_capture_on_commit_callbacks, today):
    counts = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            counts.append(services.queue_deadline_reminders(today=today))
    return counts


def test_officers_are_reminded_of_an_objection_answer_once_per_occasion(
    notified, django_capture_on_commit_callbacks, mailoutbox
):
    today = notified["today"]
    open_one = objection(notified["loser"], due=today + dt.timedelta(days=7))
    answered = objection(notified["winner"], due=today + dt.timedelta(days=7))
    Objection.objects.filter(pk=answered.pk).update(answered_at=timezone.now(), answer="기각", upheld=False)
    assert run_twice(django_capture_on_commit_callbacks, today) == [1, 0]
    notice = Notice.objects.get(kind="evaluation.objection_answer_d7")
    officers = sorted(u.email for u in notified["panel"].call.program.officers.all())
    assert notified["officer"].email in officers and notice.recipients == officers
    assert notice.dedupe_key == f"evaluation:objection-answer:{open_one.pk}:d7:{today.isoformat()}"
    assert "7일 전" in notice.subject
    # A missed day is caught up with the latest occasion only; then the overdue reminder, once.
    assert run_twice(django_capture_on_commit_callbacks, today + dt.timedelta(days=6)) == [1, 0]
    assert Notice.objects.filter(kind="evaluation.objection_answer_d1").count() == 1
    assert run_twice(django_capture_on_commit_callbacks, today + dt.timedelta(days=8)) == [1, 0]
    assert run_twice(django_capture_on_commit_callbacks, today + dt.timedelta(days=15)) == [0, 0]
    overdue = Notice.objects.get(kind="evaluation.objection_answer_overdue")
    assert "경과" in overdue.subject
    assert len(mailoutbox) == 3


def test_selected_applicants_are_reminded_of_the_agreement_once(
    notified, django_capture_on_commit_callbacks, mailoutbox
):
    due = notified["winner"].agreement_due
    assert run_twice(django_capture_on_commit_callbacks, due - dt.timedelta(days=8)) == [0, 0]
    assert run_twice(django_capture_on_commit_callbacks, due - dt.timedelta(days=7)) == [1, 0]
    assert run_twice(django_capture_on_commit_callbacks, due - dt.timedelta(days=1)) == [1, 0]
    assert run_twice(django_capture_on_commit_callbacks, due + dt.timedelta(days=1)) == [0, 0]
    notices = Notice.objects.filter(kind__startswith="evaluation.agreement")
    assert sorted(n.kind for n in notices) == ["evaluation.agreement_d1", "evaluation.agreement_d7"]
    assert all(n.recipients == [notified["winner_contact"].email] for n in notices)
    assert all(n.application_id == notified["winner"].application_id for n in notices)
    assert len(mailoutbox) == 2 and "협약" in mailoutbox[0].subject


def test_the_daily_task_queues_both_kinds(notified, django_capture_on_commit_callbacks):
    today = notified["today"]
    objection(notified["loser"], due=today + dt.timedelta(days=1))
    Result.objects.filter(pk=notified["winner"].pk).update(agreement_due=today + dt.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_result_deadlines.delay().get() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_result_deadlines.delay().get() == 0
    assert Notice.objects.filter(kind__startswith="evaluation.").count() == 2

"""Issue 17: the reminder job is seeded once in beat's tables (editable there) and needs no argument."""

import importlib
import inspect

import pytest
from django.apps import apps as django_apps
from django_celery_beat.models import PeriodicTask

from monitoring import tasks

pytestmark = pytest.mark.django_db
SEED = importlib.import_module("monitoring.migrations.0002_monitoring_seed_beat_schedules")


def test_the_reminder_job_is_seeded_once_and_edits_survive():
    SEED.seed(django_apps, None)
    job = PeriodicTask.objects.get(name="send-milestone-reminders")
    assert (job.task, job.crontab.hour, job.crontab.minute, str(job.crontab.timezone)) == (
        "monitoring.tasks.send_milestone_reminders",
        "8",
        "0",
        "Asia/Seoul",
    )
    job.enabled = False
    job.save()
    SEED.seed(django_apps, None)
    assert PeriodicTask.objects.filter(name="send-milestone-reminders").count() == 1
    assert PeriodicTask.objects.get(name="send-milestone-reminders").enabled is False


@pytest.mark.parametrize(
    "task", [tasks.send_milestone_reminders, tasks.send_officer_digests, tasks.rebuild_kpi_rollups]
)
def test_beat_tasks_take_no_required_argument(task):
    params = [p for p in inspect.signature(task.run).parameters.values() if p.default is p.empty]
    assert params == []

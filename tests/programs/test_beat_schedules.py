"""Issue 13 item 16: beat's schedules are seeded once and administrators' edits survive restarts;
only administrators manage them."""

import importlib

import pytest
from django.apps import apps as django_apps
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import app
from tests.factories import ProgramFactory, UserFactory, officer_of

pytestmark = pytest.mark.django_db
SEED = importlib.import_module("programs.migrations.0003_faults_seed_beat_schedules")
NAMES = {"worker-heartbeat", "requeue-stale-notices", "move-organisations-to-successor-provinces"}
URL = "/admin/django_celery_beat/periodictask/"


@pytest.fixture
def seeded() -> None:
    """What the migration left (transactional tests flush it): seeding twice changes nothing."""
    SEED.seed(django_apps, None)
    SEED.seed(django_apps, None)
    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= NAMES
    assert PeriodicTask.objects.filter(name__in=NAMES).count() == 3


# Beat closes "old" connections, which ends a test's wrapping transaction: real commits here.
@pytest.mark.django_db(transaction=True)
def test_a_restarted_beat_keeps_an_administrators_edits(seeded):
    sweep = PeriodicTask.objects.get(name="requeue-stale-notices")
    assert (sweep.interval.every, sweep.enabled) == (60, True)
    sweep.interval = IntervalSchedule.objects.create(every=30, period="seconds")
    sweep.save()
    move = PeriodicTask.objects.get(name="move-organisations-to-successor-provinces")
    assert (move.crontab.hour, move.crontab.minute, str(move.crontab.timezone)) == ("0", "5", "Asia/Seoul")
    move.enabled = False
    move.save()

    scheduler = DatabaseScheduler(app=app)  # what `celery beat` builds when it starts
    assert "requeue-stale-notices" in scheduler.schedule
    assert PeriodicTask.objects.get(name="requeue-stale-notices").interval.every == 30
    assert PeriodicTask.objects.get(name="move-organisations-to-successor-provinces").enabled is False
    SEED.seed(django_apps, None)  # a later migrate run neither
    assert PeriodicTask.objects.get(name="requeue-stale-notices").interval.every == 30


def test_only_administrators_manage_periodic_tasks(client, seeded):
    sweep = PeriodicTask.objects.get(name="requeue-stale-notices")
    officer = officer_of(ProgramFactory())
    officer.is_staff = True
    officer.save()
    client.force_login(officer)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{sweep.pk}/change/").status_code == 403
    assert client.post(f"{URL}{sweep.pk}/delete/", {"post": "yes"}).status_code == 403
    assert PeriodicTask.objects.filter(pk=sweep.pk, enabled=True).exists()
    assert "django_celery_beat" not in client.get("/admin/").content.decode()

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert "requeue-stale-notices" in client.get(URL).content.decode()
    assert client.get(f"{URL}{sweep.pk}/change/").status_code == 200

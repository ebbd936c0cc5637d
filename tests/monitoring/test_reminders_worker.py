"""Issue 17: the reminder task on the real Redis with real worker processes (CI=true fails when
Redis or PostgreSQL is missing): the beat task run twice at once sends one email per reminder."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from consortia.models import Notice
from monitoring.models import Milestone
from monitoring.tasks import send_milestone_reminders
from tests.brokers import use_broker
from tests.consortia.test_notice_worker_kill import _database_url, _wait
from tests.monitoring.helpers import make_award

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _mailed(tmp_path: Path) -> list[str]:
    """The Message-IDs of every email written. Django's file backend names a file by the second
    and the backend object's id, so two sends in one second may share a file: count messages,
    not files."""
    folder = tmp_path / "mail"
    return [
        line
        for path in sorted(folder.glob("*.log"))
        for line in path.read_text().splitlines()
        if line.startswith("Message-ID: ")
    ]


def _start_worker(tmp_path: Path, redis_url: str, n: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",
        REDIS_URL=redis_url,
        MEGAPROJECT_VAR_DIR=str(tmp_path / "var"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / f"worker{n}.log"
    worker = subprocess.Popen(
        [
            Path(sys.executable).parent / "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-l",
            "INFO",
            "-n",
            f"reminders{n}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    _wait(lambda: "ready." in log.read_text(), 90, f"worker {n} did not start", log)
    return worker


def test_two_concurrent_runs_on_real_workers_send_one_email_per_reminder(tmp_path, redis_url, postgres):
    today = timezone.localdate()
    due = []
    for days in (1, 7, 30, -3):
        award = make_award()
        Milestone.objects.filter(award=award).update(state="accepted")
        m = Milestone.objects.filter(award=award).order_by("pk").first()
        Milestone.objects.filter(pk=m.pk).update(state="open", due_on=today + timezone.timedelta(days=days))
        due.append(m.pk)
    workers = []
    try:
        with use_broker(redis_url):
            workers = [_start_worker(tmp_path, redis_url, n) for n in (1, 2)]
            # Two runs at once, on two workers: each fans out chunk tasks over the same milestones.
            results = [send_milestone_reminders.delay(), send_milestone_reminders.delay()]
            assert [r.get(timeout=60) for r in results] == [1, 1]
            _wait(
                lambda: (
                    Notice.objects.filter(status="sent").count() == len(due)
                    and not Notice.objects.filter(status="owed").exists()
                ),
                90,
                "the reminders were not all sent",
            )
            time.sleep(1)  # let any duplicate the workers might still send land
    finally:
        for w in workers:
            w.terminate()
            w.wait(timeout=30)
    assert len(_mailed(tmp_path)) == len(due)
    assert Notice.objects.count() == len(due)
    assert {n.about_id for n in Notice.objects.all()} == set(due)


def test_a_worker_killed_mid_chunk_and_restarted_sends_each_reminder_once(
    tmp_path, redis_url, postgres, settings
):
    """Chunks of 3: the first commits its reminders; the worker is then held inside the second
    (its insert waits on a row another transaction holds under one of its keys) and SIGKILLed
    there. Its half-done chunk leaves nothing; the next beat run, on a restarted worker, queues
    what is still owed, and every reminder is mailed exactly once."""
    import signal
    import threading

    from django.db import connections, transaction

    from monitoring.reminders import occasion

    settings.MILESTONE_REMINDER_CHUNK = 3
    today = timezone.localdate()
    award = make_award()
    Milestone.objects.filter(award=award).update(state="accepted")
    due = list(Milestone.objects.filter(award=award).order_by("pk").values_list("pk", flat=True)[:7])
    assert len(due) == 7
    for pk in due:
        Milestone.objects.filter(pk=pk).update(state="open", due_on=today + timezone.timedelta(days=7))
    kind, day = occasion(today + timezone.timedelta(days=7), today)
    held_key = f"milestone:{due[4]}:{kind}:{day.isoformat()}"  # in the second chunk

    holding, release = threading.Event(), threading.Event()

    def hold_a_key() -> None:
        try:
            with transaction.atomic():
                Notice.objects.create(
                    kind="hold", dedupe_key=held_key, recipients=["x@example.org"], subject="-", body="-"
                )
                holding.set()
                release.wait(120)
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_a_key)
    workers: list[subprocess.Popen] = []
    try:
        holder.start()
        assert holding.wait(30)
        with use_broker(redis_url):
            first = _start_worker(tmp_path, redis_url, 1)
            workers.append(first)
            # beat's run, here in the test process (its chunk size), fanning out to the worker
            assert send_milestone_reminders.apply().get() == 3  # chunks of 3, 3 and 1
            _wait(lambda: Notice.objects.filter(kind__startswith="milestone_").count() >= 3, 60, "no chunk")
            time.sleep(2)  # the worker is now blocked inside the second chunk
            assert Notice.objects.filter(kind__startswith="milestone_").count() == 3
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            release.set()
            holder.join(30)

            second = _start_worker(tmp_path, redis_url, 2)
            workers.append(second)
            assert send_milestone_reminders.apply().get() == 3  # tomorrow's beat, or a rerun
            _wait(
                lambda: Notice.objects.filter(kind__startswith="milestone_", status="sent").count() == 7,
                90,
                "the reminders were not all sent",
            )
            time.sleep(1)
    finally:
        release.set()
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait(timeout=30)
    assert Notice.objects.filter(kind="hold").count() == 0
    notices = Notice.objects.filter(kind__startswith="milestone_")
    assert sorted(n.about_id for n in notices) == sorted(due)
    assert len(_mailed(tmp_path)) == 7

"""Issue 13 item 15: a real worker (a `celery worker` process on the real Redis) SIGKILLed after
claiming a notice, or after sending it: the sweep recovers the notice once the claim's lease runs
out. Killed after the claim, it is sent once; killed after the send, twice (at-least-once)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from consortia.models import Notice
from consortia.tasks import requeue_stale_notices
from tests.brokers import use_broker
from tests.factories import complete_application

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
LEASE = 3  # seconds, in the test process (the sweep) and in the workers


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(tmp_path: Path, redis_url: str, stall: str, n: int) -> tuple[subprocess.Popen, Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=_database_url(),
        CONN_MAX_AGE="0",
        REDIS_URL=redis_url,
        MEGAPROJECT_VAR_DIR=str(tmp_path / "var"),
        EMAIL_BACKEND="tests.mail_backends.StallingFileBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        MAIL_STALL=stall,
        MAIL_STALL_MARKER=str(tmp_path / "stalled"),
        NOTICE_CLAIM_LEASE_SECONDS=str(LEASE),
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),  # this checkout, whatever the venv has installed
    )
    log = tmp_path / f"worker{n}.log"
    celery = Path(sys.executable).parent / "celery"
    worker = subprocess.Popen(
        [
            celery,
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-l",
            "INFO",
            "-n",
            f"kill{n}@%h",
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
    return worker, log


def _wait(condition, seconds: float, message: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{message}\n{log.read_text()[-3000:] if log else ''}")
        time.sleep(0.2)


def _mails(tmp_path: Path) -> list[str]:
    folder = tmp_path / "mail"
    return [p.read_text() for p in sorted(folder.glob("*.log"))] if folder.exists() else []


@pytest.mark.parametrize(("stall", "copies"), [("before_send", 1), ("after_send", 2)])
def test_a_notice_survives_a_worker_killed_mid_attempt(
    stall, copies, tmp_path, redis_url, postgres, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_CLAIM_LEASE_SECONDS = LEASE
    application = complete_application()
    workers: list[subprocess.Popen] = []
    try:
        with use_broker(redis_url):
            first, log = _start_worker(tmp_path, redis_url, stall, 1)
            workers.append(first)
            from consortia.services import submit_application

            submit_application(actor=application.consortium.contacts.get(), application_id=application.pk)
            notice = Notice.objects.get(application=application)
            _wait((tmp_path / "stalled").exists, 60, "the worker never reached the send", log)
            claimed_at = Notice.objects.get(pk=notice.pk).claimed_at
            assert claimed_at is not None
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            assert len(_mails(tmp_path)) == copies - 1

            second, log = _start_worker(tmp_path, redis_url, stall, 2)
            workers.append(second)
            time.sleep(max(0.0, LEASE + 0.5 - (timezone.now() - claimed_at).total_seconds()))
            # beat's sweep, past the lease and (for this test) a grace period of 0
            settings.NOTICE_REQUEUE_GRACE_SECONDS = 0
            assert requeue_stale_notices.apply().get() == 1
            _wait(lambda: Notice.objects.get(pk=notice.pk).status == "sent", 60, "not sent again", log)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
    notice = Notice.objects.get(pk=notice.pk)
    assert (notice.status, notice.attempts, notice.claimed_at) == ("sent", 2, None)
    mails = _mails(tmp_path)
    assert len(mails) == copies
    assert all(f"Message-ID: <notice.{notice.pk}." in m for m in mails)  # the same id on each copy

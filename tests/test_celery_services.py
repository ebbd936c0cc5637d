"""Celery on real brokers: a worker on the machine's Redis, and the embedded file broker."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from programs import tasks
from programs.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_runs_the_task(redis_url, settings):
    keys = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": 60},
    )
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = tasks.record_heartbeat.delay()
            stamp = result.get(timeout=30)
    finally:
        app.conf.update(saved)
    beat = WorkerHeartbeat.objects.get(name="worker")
    assert beat.last_seen_at.isoformat() == stamp
    assert beat.runs == 1


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MEGAPROJECT_VAR_DIR=str(tmp_path),
        HEARTBEAT_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def test_embedded_default_runs_beat_and_worker_without_servers(tmp_path):
    """What `make run` does, minus the web: SQLite (WAL) + kombu's filesystem broker."""
    env = _env(tmp_path)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [bin_dir / "celery", "-A", "config", "worker", "-l", "INFO", "--pool", "solo"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        beat = subprocess.Popen(
            [bin_dir / "celery", "-A", "config", "beat", "-l", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                text = log.read_text()
                if text.count("heartbeat recorded") >= 2:
                    break
                time.sleep(1)
        finally:
            for proc in (beat, worker):
                proc.terminate()
            for proc in (beat, worker):
                proc.wait(timeout=30)
    text = log.read_text()
    assert text.count("heartbeat recorded") >= 2, text[-3000:]
    assert "filesystem" in text  # the worker's banner names the transport
    import sqlite3

    with sqlite3.connect(tmp_path / "megaproject.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

"""Milestone reminders at scale: 100,000 open milestones due from 40 days ago to 60 days ahead;
one beat run queues every due reminder; time and peak RSS.

What is timed is the reminder job itself, as the worker runs it: the beat task's keyset scan, then
each chunk task (remind_milestone_chunk, run here one after another) finding the chunk's due
reminders, rendering each Korean email once and committing the chunk's notices together. Each
notice's send is published to the embedded (filesystem) broker after the commit, as in
production, and not consumed here: delivering the emails is the send_notice workers' job and not
part of this figure.

    .venv/bin/python bench/reminders.py                        # SQLite in a temporary directory
    DATABASE_URL=postgres://... .venv/bin/python bench/reminders.py
    MILESTONES=10000 .venv/bin/python bench/reminders.py

Emails go to Django's dummy backend (the outbox rows are written and "sent"). Writes
bench/results/reminders.json. Run on demand; never part of the test suite.
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("MEGAPROJECT_VAR_DIR", tempfile.mkdtemp(prefix="megaproject-bench-"))
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

MILESTONES = int(os.environ.get("MILESTONES", 100_000))


def main() -> dict:
    from config.celery import app
    from consortia.models import Notice
    from monitoring import reminders
    from monitoring.dataset import make_awards, make_milestones
    from monitoring.tasks import remind_milestone_chunk

    call_command("migrate", verbosity=0)
    made = make_milestones(make_awards(max(1, MILESTONES // 20)), MILESTONES)
    app.conf.task_always_eager = False  # sends are published to the broker, not run here
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    chunks = 0
    today = reminders.timezone.localdate()
    for ids in reminders.owed_milestone_ids(today=today):  # what send_milestone_reminders fans out
        remind_milestone_chunk.apply(args=(ids, today.isoformat())).get()
        chunks += 1
    seconds = time.perf_counter() - t0
    result = {
        "database": connection.vendor,
        "milestones": made,
        "chunks": chunks,
        "reminders": Notice.objects.filter(kind__startswith="milestone_").count(),
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_before_run_mb": round(rss_before, 1),
        "goal_peak_rss_mb": 200,
    }
    out = ROOT / "bench" / "results" / "reminders.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))

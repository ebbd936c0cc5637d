"""Submissions under contention: N drafts of one track submitted at once, in real transactions.

    .venv/bin/python bench/submit_contention.py            # a copy of mp_bench (the national dataset)

Copies the benchmark database (CREATE DATABASE ... TEMPLATE mp_bench) so the submissions do not
change it, then submits the track's drafts from N threads at once through submit_application,
twice: as the service does it now (the call lock taken last, for the slot check alone), and
with the call lock taken first and held through the whole check (as before issue 18), each on
a fresh copy. Reports submissions per second (accepted and refused alike: both go through the
lock) in bench/results/submit_contention.json. Run on demand; never part of the test suite.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DB = "postgres://postgres@127.0.0.1:5432/mp_bench"
COPY = "mp_bench_submit"
N = int(os.environ.get("SUBMITS", "50"))

sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = SOURCE_DB.rsplit("/", 1)[0] + "/" + COPY
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("MEGAPROJECT_VAR_DIR", tempfile.mkdtemp(prefix="megaproject-bench-"))
os.environ.pop("REDIS_URL", None)


def fresh_copy() -> None:
    import psycopg

    with psycopg.connect(SOURCE_DB.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{COPY}"')
        conn.execute(f'CREATE DATABASE "{COPY}" TEMPLATE "mp_bench"')


fresh_copy()

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from consortia import locks, services  # noqa: E402
from consortia.models import Application  # noqa: E402
from programs.dataset import PROGRAM_CODE  # noqa: E402
from programs.models import Call  # noqa: E402


def run(call_lock_first: bool) -> dict:
    call = Call.objects.filter(program__code=PROGRAM_CODE).order_by("-opens_at").first()
    drafts = list(
        Application.objects.filter(call=call, track__code="leap", state="draft")
        .select_related("consortium")
        .order_by("pk")[:N]
    )
    actors = {a.pk: a.consortium.contacts.order_by("pk").first() for a in drafts}
    connection.close()
    barrier = threading.Barrier(len(drafts))
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def submit(app: Application) -> None:
        barrier.wait()
        try:
            if call_lock_first:
                with transaction.atomic():
                    locks.lock_call(app.call_id)  # held through the whole check, as before
                    services.submit_application(actor=actors[app.pk], application_id=app.pk)
            else:
                services.submit_application(actor=actors[app.pk], application_id=app.pk)
            outcome = "submitted"
        except Exception as exc:  # noqa: BLE001 - refusals are counted, not raised
            outcome = type(exc).__name__
        finally:
            connection.close()
        with lock:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    threads = [threading.Thread(target=submit, args=(a,)) for a in drafts]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return {
        "submissions": len(drafts),
        "seconds": round(seconds, 2),
        "per_second": round(len(drafts) / seconds, 1),
        "outcomes": outcomes,
    }


def main() -> None:
    load_before = os.getloadavg()
    after = run(call_lock_first=False)
    connection.close()
    fresh_copy()
    before = run(call_lock_first=True)
    connection.close()
    report = {
        "track": "leap of the open call (national dataset, seed 1)",
        "concurrent_submissions": N,
        "call_lock_last": after,
        "call_lock_first_as_before": before,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    out = ROOT / "bench" / "results" / "submit_contention.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

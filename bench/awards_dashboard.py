"""The awards dashboard at scale: 500 awards and 200,000 ledger entries, its time and queries
against the SQL floor (the same aggregate statements run raw, and one bare scan of the ledger).

    .venv/bin/python bench/awards_dashboard.py            # SQLite in a temporary directory
    DATABASE_URL=postgres://... .venv/bin/python bench/awards_dashboard.py

    AWARDS=50 ENTRIES=20000 .venv/bin/python bench/awards_dashboard.py   # a smaller run

Writes bench/results/awards_dashboard.json. Run on demand; never part of the test suite.
The dataset is awards.dataset.generate (also `generate_dataset --with awards`): bulk inserts,
not the services, so it builds in seconds; the ledger agrees with the tranches and the
disbursements, and nothing is committed beyond a tranche's budget.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("MEGAPROJECT_VAR_DIR", tempfile.mkdtemp(prefix="megaproject-bench-"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

AWARDS = int(os.environ.get("AWARDS", 500))
ENTRIES = int(os.environ.get("ENTRIES", 200_000))


def _time(fn, runs: int = 7) -> tuple[float, int]:
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return sorted(times)[runs // 2] * 1000, queries


def main() -> None:
    call_command("migrate", verbosity=0)
    from awards import dataset, selectors

    built = time.perf_counter()
    with transaction.atomic():
        info = dataset.generate(AWARDS, ENTRIES)
    built = time.perf_counter() - built
    today = timezone.localdate()

    def dashboard():
        return selectors.dashboard(program_ids=[info["program_id"]], on=today)

    with CaptureQueriesContext(connection) as statements:
        dashboard()
    sql = [q["sql"] for q in statements.captured_queries]

    def raw():
        with connection.cursor() as cur:
            for statement in sql:
                cur.execute(statement)
                cur.fetchall()

    def scan():
        with connection.cursor() as cur:
            cur.execute("SELECT bucket, SUM(amount_krw) FROM awards_ledgerentry GROUP BY bucket")
            cur.fetchall()

    ms, queries = _time(dashboard)
    raw_ms, _q = _time(raw)
    scan_ms, _q = _time(scan)
    result = {
        "database": connection.vendor,
        **info,
        "build_seconds": round(built, 1),
        "dashboard_ms": round(ms, 1),
        "dashboard_queries": queries,
        "same_sql_raw_ms": round(raw_ms, 1),
        "one_ledger_scan_ms": round(scan_ms, 1),
    }
    print(result)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "awards_dashboard.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()

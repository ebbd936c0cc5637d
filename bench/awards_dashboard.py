"""The awards dashboard at scale: 500 awards and 200,000 ledger entries, its time and queries
against the SQL floor (the same aggregate statements run raw, and one bare scan of the ledger).

    .venv/bin/python bench/awards_dashboard.py            # SQLite in a temporary directory
    DATABASE_URL=postgres://... .venv/bin/python bench/awards_dashboard.py

Writes bench/results/awards_dashboard.json. Run on demand; never part of the test suite.
The dataset is written with bulk inserts (not the services) so it builds in seconds; the
amounts keep every tranche's invariant (paid <= budget).
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
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

AWARDS, ENTRIES = 500, 200_000


def generate_dataset(awards: int = AWARDS, entries: int = ENTRIES) -> dict:
    """500 awards (3 years × 4 sources) and their ledger, all in bulk."""
    import datetime as dt

    from awards.models import Award, AwardStage, Bucket, LedgerEntry, Tranche
    from consortia.models import Application, Consortium, Organisation
    from programs import reference_data
    from programs.models import Province
    from tests.factories import CallFactory, ProgramFactory, UserFactory

    reference_data.load()
    officer = UserFactory(username="bench-officer", is_staff=True)
    program = ProgramFactory(officers=[officer])
    call = CallFactory(program=program)
    tracks = list(call.tracks.all())
    provinces = list(Province.objects.in_force_on(timezone.localdate()).exclude(code__in=["11", "28", "41"]))
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"지자체 {i}", type="local_government", province=provinces[i % len(provinces)])
            for i in range(awards)
        ]
    )
    consortia = Consortium.objects.bulk_create(
        [Consortium(name=f"사업단 {i}", representative=orgs[i]) for i in range(awards)]
    )
    apps = Application.objects.bulk_create(
        [
            Application(
                call=call,
                track=tracks[i % 2],
                consortium=consortia[i],
                title=f"과제 {i}",
                created_by=officer,
                state="selected",
            )
            for i in range(awards)
        ]
    )
    start = dt.date(timezone.localdate().year, 1, 1)
    award_rows = Award.objects.bulk_create(
        [
            Award(
                application=apps[i],
                program=program,
                call=call,
                track=tracks[i % 2],
                consortium=consortia[i],
                lead_province=orgs[i].province,
                title=f"과제 {i}",
                selection_notified_on=start - dt.timedelta(days=60),
                agreement_due_on=start - dt.timedelta(days=30),
                starts_on=start,
                ends_on=dt.date(start.year + 2, 12, 31),
                created_by=officer,
            )
            for i in range(awards)
        ]
    )
    AwardStage.objects.bulk_create(
        [
            AwardStage(
                award=a,
                number=1,
                first_year=1,
                years=3,
                starts_on=a.starts_on,
                ends_on=a.ends_on,
                settlement_due_on=a.ends_on + dt.timedelta(days=92),
            )
            for a in award_rows
        ]
    )
    sources = ["national", "local_cash", "private_cash", "private_in_kind"]
    tranches = Tranche.objects.bulk_create(
        [
            Tranche(
                award=a,
                year=y,
                fiscal_year=start.year + y - 1,
                source=s,
                line="rnd",
                released_on=start if y == 1 else None,
            )
            for a in award_rows
            for y in (1, 2, 3)
            for s in sources
        ]
    )
    rows = [
        LedgerEntry(
            tranche=t,
            award_id=t.award_id,
            kind="planned",
            bucket=Bucket.BUDGET,
            amount_krw=500_000_000,
            actor=officer,
        )
        for t in tranches
    ]
    # The rest as paid disbursements' entry pairs on year-1 tranches: approved -x / paid +x, small amounts.
    year1 = [t for t in tranches if t.year == 1]
    i = 0
    while len(rows) < entries:
        t = year1[i % len(year1)]
        rows.append(
            LedgerEntry(
                tranche=t,
                award_id=t.award_id,
                kind="paid",
                bucket=Bucket.PAID,
                amount_krw=10_000,
                actor=officer,
            )
        )
        rows.append(
            LedgerEntry(
                tranche=t, award_id=t.award_id, kind="paid", bucket=Bucket.BUDGET, amount_krw=1, actor=officer
            )
        )
        i += 1
    LedgerEntry.objects.bulk_create(rows[:entries], batch_size=5000)
    return {"program_id": program.pk, "awards": awards, "ledger_entries": LedgerEntry.objects.count()}


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
    from awards import selectors

    built = time.perf_counter()
    info = generate_dataset()
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

"""How long the submission rule check takes, and how many queries it runs, as a consortium grows.

    .venv/bin/python bench/rules_check.py            # SQLite in a temporary directory
    DATABASE_URL=postgres://... .venv/bin/python bench/rules_check.py

Writes bench/results/rules_check.json. Run on demand; never part of the test suite.
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


def main() -> None:
    call_command("migrate", verbosity=0)
    from consortia.models import BudgetLine, ConsortiumMember
    from consortia.rules import check_application
    from tests.factories import OrganisationFactory, TrackFactory, complete_application

    results = []
    for members, years in [(3, 3), (10, 5), (30, 10), (60, 10)]:
        track = TrackFactory(duration_years=years)
        track.call.tracks.exclude(pk=track.pk).delete()
        app = complete_application(call=track.call, track_code=track.code)
        for i in range(members - 3):
            m = ConsortiumMember.objects.create(
                consortium=app.consortium, organisation=OrganisationFactory(), role="partner"
            )
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(application=app, member=m, year=y, national_krw=1000 + i)
                    for y in range(1, years + 1)
                ]
            )
        runs = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                failures = check_application(app)
                runs.append(time.perf_counter() - start)
        results.append(
            {
                "members": members,
                "years": years,
                "budget_lines": app.budget_lines.count(),
                "queries": len(queries),
                "median_ms": round(sorted(runs)[2] * 1000, 2),
                "failures": len(failures),
            }
        )
        print(results[-1])
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "rules_check.json").write_text(
        json.dumps({"database": connection.vendor, "results": results}, indent=2, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()

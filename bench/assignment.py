"""Reviewer assignment at scale: conflicts, affinity, solver and writing, end to end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mp_eval_bench \
        .venv/bin/python bench/assignment.py            # 5,000 × 2,000 and 500 × 300

Generates the data first (evaluations.dataset.generate_panel, which the conflict tests share):
applications with consortia, members and departments, their project directors and
principal investigators with affiliations; reviewers with current and past affiliations at the
same organisations, a few officials and sanctioned ones, some who are researchers themselves.
Text is tokenised when it is generated, as when it is saved, so the measured run never
tokenises. Then it times, on one panel with k = 5 and L = 15:

- conflicts_s: evaluations.services.recompute_conflicts (every reason, in the database);
- affinity_s: loading the tokens and the BM25 matrix;
- solver_s: the max flow (feasibility) and the min-cost flow;
- write_s: applying the proposal (the assignments' rows);
- end_to_end_s: all of it, from the panel's id to the rows written;
- load_avg_1_5_15m: the machine's load average when the measured part started (it is shared).

Writes bench/results/assignment.json. Run on demand; never part of the test suite.
"""

from __future__ import annotations

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
from django.utils import timezone  # noqa: E402


def measure(n_apps: int, n_reviewers: int) -> dict:
    from evaluations import assignment, services
    from evaluations.dataset import generate_panel
    from evaluations.models import Assignment, AssignmentRun, Conflict

    t = time.perf_counter()
    with transaction.atomic():
        panel, officer = generate_panel(n_apps, n_reviewers)
    generate_s = time.perf_counter() - t
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    load_avg = [round(x, 2) for x in os.getloadavg()]  # the machine is shared: how busy it was
    start = time.perf_counter()
    services.recompute_conflicts(panel_id=panel.pk)
    conflicts_s = time.perf_counter() - start
    t = time.perf_counter()
    problem = assignment.load(panel)
    load_s = time.perf_counter() - t
    solution = assignment.solve(problem)
    assert "pairs" in solution, solution
    t = time.perf_counter()
    run = AssignmentRun.objects.create(
        panel=panel,
        started_by=officer,
        state=AssignmentRun.State.PROPOSED,
        proposal={"pairs": solution["pairs"]},
    )
    services.apply_assignment_run(actor=officer, run_id=run.pk)
    write_s = time.perf_counter() - t
    end_to_end_s = time.perf_counter() - start
    written = Assignment.objects.filter(panel=panel).count()
    assert written == n_apps * panel.reviewers_per_application, written
    mean_affinity = sum(f for _a, _r, f in solution["pairs"]) / len(solution["pairs"])
    return {
        "applications": n_apps,
        "reviewers": n_reviewers,
        "k": panel.reviewers_per_application,
        "L": panel.max_per_reviewer,
        "conflicts": Conflict.objects.filter(panel=panel).count(),
        "assignments": written,
        "mean_affinity": round(mean_affinity, 4),
        "conflicts_s": round(conflicts_s, 3),
        "affinity_s": round(problem.timings["affinity_s"], 3),
        "load_s": round(problem.timings["load_s"], 3),
        "load_and_affinity_s": round(load_s, 3),
        "solver_s": round(solution["solver_s"], 3),
        "write_s": round(write_s, 3),
        "end_to_end_s": round(end_to_end_s, 3),
        "generate_s": round(generate_s, 1),
        "load_avg_1_5_15m": load_avg,
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    sizes = [(500, 300), (5000, 2000)]
    if len(sys.argv) > 1:
        sizes = [tuple(int(x) for x in arg.split("x")) for arg in sys.argv[1:]]
    runs = [measure(a, r) for a, r in sizes]
    out = {
        "database": connection.vendor,
        "machine": f"{os.cpu_count()} cores (shared)",
        "at": timezone.now().isoformat(timespec="seconds"),
        "runs": runs,
        **runs[-1],
    }
    path = ROOT / "bench" / "results" / "assignment.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

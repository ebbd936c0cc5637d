"""Generated monitoring data, at any size, for `generate_dataset --with monitoring` and the
benchmarks (bench/kpi_rollup.py, bench/reminders.py): ten-year awards (awards.dataset.make_awards)
with KPI targets for every indicator × year and KPI reports (observations), 70 % validated, and
open milestones due from 40 days ago to 60 days ahead. Bulk inserts in batches, so the generator
stays small in memory; reproducible from the seed.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

BATCH = 5_000
YEARS = 10


def reports_per_award() -> int:
    from consortia.choices import KpiIndicator

    return len(KpiIndicator.values) * YEARS


def make_awards(n: int, *, seed: int = 1, officer=None, contact=None):
    """n ten-year awards whose tenth year is this one (every year can be reported)."""
    from awards.dataset import make_awards as make

    first_year = timezone.localdate().year - YEARS + 1
    return make(
        n,
        years=YEARS,
        first_year=first_year,
        seed=seed,
        prefix="monitoring",
        officer=officer,
        contact=contact,
    )


def make_observations(awards, observations: int, *, seed: int = 1) -> int:
    """KPI targets (every indicator × 10 years of each award's application) and `observations`
    KPI reports, 70 % validated, by the awards' contact. Returns the number of reports."""
    from consortia.choices import KpiIndicator
    from consortia.models import KpiTarget
    from monitoring.models import KpiReport

    rng = random.Random(seed)
    indicators = KpiIndicator.values
    year0 = awards.starts_on.year
    made, targets, reports = 0, [], []
    for award_id, application_id in awards.ids:
        for year in range(1, YEARS + 1):
            for ind in indicators:
                targets.append(
                    KpiTarget(
                        application_id=application_id,
                        indicator=ind,
                        year=year,
                        value=rng.choice([0, 10, 50, 100]),
                    )
                )
                if made < observations:
                    reports.append(
                        KpiReport(
                            award_id=award_id,
                            indicator=ind,
                            year=year,
                            calendar_year=year0 + year - 1,
                            value=rng.randrange(0, 120),
                            reported_by_id=awards.contact_id,
                            state="validated" if rng.random() < 0.7 else "submitted",
                        )
                    )
                    made += 1
                if len(reports) >= BATCH:
                    KpiReport.objects.bulk_create(reports)
                    reports = []
                if len(targets) >= BATCH:
                    KpiTarget.objects.bulk_create(targets)
                    targets = []
    KpiReport.objects.bulk_create(reports)
    KpiTarget.objects.bulk_create(targets)
    return made


def make_milestones(awards, milestones: int, *, seed: int = 2) -> int:
    """`milestones` open planned deliverables spread over the awards, due between 40 days ago
    and 60 days ahead. Returns the number written."""
    from monitoring.models import Milestone

    rng = random.Random(seed)
    today = timezone.localdate()
    rows, made = [], 0
    ids = awards.ids
    per_award = max(1, milestones // max(1, len(ids)) + 1)
    for award_id, _app in ids:
        for seq in range(1, per_award + 1):
            if made >= milestones:
                break
            rows.append(
                Milestone(
                    award_id=award_id,
                    kind=Milestone.Kind.PLANNED,
                    sequence=seq,
                    title=f"산출물 {seq}",
                    due_on=today + dt.timedelta(days=rng.randrange(-40, 60)),
                )
            )
            made += 1
            if len(rows) >= BATCH:
                Milestone.objects.bulk_create(rows)
                rows = []
    Milestone.objects.bulk_create(rows)
    return made


def generate(
    milestones: int = 100_000, observations: int = 1_000_000, *, seed: int = 1, officer=None
) -> dict:
    """Enough ten-year awards for `observations` KPI reports (140 an award), the reports and
    their targets, and `milestones` milestones over the same awards."""
    n = max(1, -(-observations // reports_per_award()))
    made = make_awards(n, seed=seed, officer=officer)
    reports = make_observations(made, observations, seed=seed)
    written = make_milestones(made, milestones, seed=seed + 1)
    return {"program_id": made.program_id, "awards": n, "kpi_reports": reports, "milestones": written}

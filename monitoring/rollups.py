"""KPI rollups per award, track, region and program and calendar year, computed in the database.

Actual is the sum of VALIDATED actuals only; target the sum of the applications' yearly targets
(a plan year is placed in the calendar year it starts in, like the reports); achievement is
actual / target, a ratio of sums (never a mean of rates), and "—" (None) for a zero target.
Region means each of the award's provinces as at selection (awards.AwardProvince): a
super-regional award counts in each of its provinces, and once in its track and program.

Each refresh is one DELETE and one INSERT … SELECT … GROUP BY per level, for one program (and
optionally one year): no Python loop over rows. A validation refreshes its program and year;
`rebuild_all` recomputes everything (a Celery task with progress).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from django.db import connection, transaction

from monitoring.models import KpiReport, KpiRollup

LEVEL_SUBJECT = {
    KpiRollup.Level.AWARD: ("aw.id", ""),
    KpiRollup.Level.TRACK: ("aw.track_id", ""),
    KpiRollup.Level.REGION: ("ap.province_id", "JOIN awards_awardprovince ap ON ap.award_id = aw.id"),
    KpiRollup.Level.PROGRAM: ("aw.program_id", ""),
}


def achievement(actual: int, target: int) -> Fraction | None:
    """actual / target exactly, or None when there is no target (shown as "—", not infinity)."""
    return Fraction(actual, target) if target else None


def _start_year_sql() -> str:
    if connection.vendor == "postgresql":
        return "CAST(EXTRACT(YEAR FROM a.starts_on) AS integer)"
    return "CAST(strftime('%%Y', a.starts_on) AS integer)"


def facts_sql() -> str:
    """Per award, indicator and calendar year: validated actuals beside targets (one row each)."""
    return f"""
        SELECT r.award_id AS award_id, r.indicator AS indicator, r.calendar_year AS year,
               r.value AS actual, 0 AS target
          FROM monitoring_kpireport r
         WHERE r.state = '{KpiReport.State.VALIDATED}'
        UNION ALL
        SELECT a.id, t.indicator, {_start_year_sql()} + t.year - 1, 0, t.value
          FROM consortia_kpitarget t JOIN awards_award a ON a.application_id = t.application_id
    """


def _lock(program_id: int) -> None:
    # Two refreshes of one program (a validation's and a full rebuild) must not interleave their
    # DELETE and INSERT: serialise them per program. SQLite already has one writer at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7177, %s)", [program_id])


@transaction.atomic
def refresh_rollup(*, program_id: int, year: int | None = None) -> int:
    """Recomputes one program's rollups (one calendar year, or all); returns the rows written."""
    _lock(program_id)
    stale = KpiRollup.objects.filter(program_id=program_id)
    if year is not None:
        stale = stale.filter(year=year)
    stale.delete()
    year_filter = "AND f.year = %s" if year is not None else ""
    written = 0
    with connection.cursor() as cursor:
        for level, (subject, join) in LEVEL_SUBJECT.items():
            params = [level, program_id] + ([year] if year is not None else [])
            cursor.execute(
                f"""
                INSERT INTO monitoring_kpirollup
                       (level, subject_id, program_id, year, indicator, actual, target)
                SELECT %s, {subject}, aw.program_id, f.year, f.indicator, SUM(f.actual), SUM(f.target)
                  FROM ({facts_sql()}) f
                  JOIN awards_award aw ON aw.id = f.award_id
                  {join}
                 WHERE aw.program_id = %s {year_filter}
                 GROUP BY {subject}, aw.program_id, f.year, f.indicator
                """,
                params,
            )
            written += cursor.rowcount
    return written


def rebuild_all(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Recomputes every program's rollups, one transaction per program; returns rows written."""
    from awards.models import Award

    program_ids = sorted(set(Award.objects.values_list("program_id", flat=True).distinct()))
    KpiRollup.objects.exclude(program_id__in=program_ids).delete()
    written = 0
    for done, program_id in enumerate(program_ids, start=1):
        written += refresh_rollup(program_id=program_id)
        if progress:
            progress(done, len(program_ids))
    return written

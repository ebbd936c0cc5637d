"""KPI rollups per award, track, region and program and calendar year, computed in the database.

Actual is the sum of VALIDATED actuals only; target the sum of the applications' yearly targets
(a plan year is placed in the calendar year it starts in, like the reports); achievement is
actual / target, a ratio of sums (never a mean of rates), and "—" (None) for a zero target.
Region means each of the award's provinces as at selection (awards.AwardProvince): a
super-regional award counts in each of its provinces, and once in its track and program.

Each refresh is a handful of set-based statements for one program (and optionally one year):
the validated facts summed per award, every level summed from those and upserted, stale rows
deleted. No Python loop over rows. A validation refreshes its program and year;
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
    # upserts and deletes: serialise them per program. SQLite already has one writer at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7177, %s)", [program_id])


KEY = "program_id, level, subject_id, year, indicator"  # the rollup's unique key


@transaction.atomic
def refresh_rollup(*, program_id: int, year: int | None = None) -> int:
    """Recomputes one program's rollups (one calendar year, or all); returns the rows changed.

    Three statements, whatever the number of rows: the facts summed per award into a temporary
    table (one GROUP BY, which PostgreSQL runs in parallel, unlike an INSERT … SELECT); every
    level summed from it; the new and changed rows found by one join and upserted; rows no
    longer produced deleted. A rebuild over unchanged data writes nothing, so it costs little more than
    the GROUP BY itself (deleting and re-inserting a million rows cost several times that).
    """
    _lock(program_id)
    year_filter = "AND f.year = %s" if year is not None else ""
    years = [year] if year is not None else []
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS kpi_award_facts")
        cursor.execute("DROP TABLE IF EXISTS kpi_fresh")
        cursor.execute(
            f"""
            CREATE TEMPORARY TABLE kpi_award_facts AS
            SELECT f.award_id AS award_id, f.year AS year, f.indicator AS indicator,
                   SUM(f.actual) AS actual, SUM(f.target) AS target
              FROM ({facts_sql()}) f JOIN awards_award aw ON aw.id = f.award_id
             WHERE aw.program_id = %s {year_filter}
             GROUP BY f.award_id, f.year, f.indicator
            """,
            [program_id, *years],
        )
        levels = " UNION ALL ".join(
            f"""
            SELECT '{level}' AS level, {subject} AS subject_id, aw.program_id AS program_id,
                   f.year AS year, f.indicator AS indicator, SUM(f.actual) AS actual,
                   SUM(f.target) AS target
              FROM kpi_award_facts f JOIN awards_award aw ON aw.id = f.award_id {join}
             GROUP BY {subject}, aw.program_id, f.year, f.indicator
            """
            for level, (subject, join) in LEVEL_SUBJECT.items()
        )
        cursor.execute(f"CREATE TEMPORARY TABLE kpi_fresh AS {levels}")
        # Only the new and the changed rows are written (one hash join finds them).
        same_key = " AND ".join(f"r.{c} = n.{c}" for c in KEY.split(", "))
        cursor.execute(
            f"""
            INSERT INTO monitoring_kpirollup ({KEY}, actual, target)
            SELECT {", ".join(f"n.{c}" for c in KEY.split(", "))}, n.actual, n.target
              FROM kpi_fresh n LEFT JOIN monitoring_kpirollup r ON {same_key}
             WHERE r.id IS NULL OR r.actual <> n.actual OR r.target <> n.target
            ON CONFLICT ({KEY}) DO UPDATE SET actual = excluded.actual, target = excluded.target
            """
        )
        changed += cursor.rowcount
        cursor.execute(
            f"""
            DELETE FROM monitoring_kpirollup
             WHERE program_id = %s {"AND year = %s" if year is not None else ""}
               AND NOT EXISTS (
                   SELECT 1 FROM kpi_fresh n
                    WHERE n.program_id = monitoring_kpirollup.program_id
                      AND n.level = monitoring_kpirollup.level
                      AND n.subject_id = monitoring_kpirollup.subject_id
                      AND n.year = monitoring_kpirollup.year
                      AND n.indicator = monitoring_kpirollup.indicator)
            """,
            [program_id, *years],
        )
        changed += cursor.rowcount
        cursor.execute("DROP TABLE kpi_award_facts")
        cursor.execute("DROP TABLE kpi_fresh")
    return changed


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

"""Reads of monitoring: milestone lists and timelines, KPI reports, and the rollup table."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from awards.models import Award
from consortia.choices import KpiIndicator
from consortia.models import Notice
from monitoring.models import KpiReport, KpiRollup, Milestone, MilestoneEvent
from monitoring.permissions import visible_awards_q
from monitoring.rollups import achievement
from programs.models import Province, Track

MAX_ROWS = 500  # every list is bounded: pages and the API page through it


def milestones_visible_to(user) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(visible_awards_q(user))
        .distinct()
        .select_related("award")
        .order_by("due_on", "id")
    )


def milestones_of(*, award_id: int) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(award_id=award_id)
        .annotate(submission_count=Count("submissions"))
        .order_by("due_on", "id")
    )


def overdue_milestones(*, program_ids: list[int] | None, on: dt.date) -> QuerySet[Milestone]:
    qs = Milestone.objects.filter(state__in=Milestone.OWED, due_on__lt=on)
    if program_ids is not None:
        qs = qs.filter(award__program_id__in=program_ids)
    return qs.select_related("award__consortium", "award__program").order_by("due_on", "id")


def milestone_timeline(*, milestone_id: int) -> list[dict]:
    """Every state change (who, when, why) and every reminder sent, oldest first (2 queries)."""
    events = [
        {
            "type": "event",
            "at": e.at,
            "actor": e.actor.name if e.actor_id else "",
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason,
        }
        for e in MilestoneEvent.objects.filter(milestone_id=milestone_id).select_related("actor")
    ]
    reminders = [
        {
            "type": "reminder",
            "at": n.sent_at or n.created_at,
            "kind": n.kind,
            "status": n.status,
            "subject": n.subject,
            "reason": "",
        }
        for n in Notice.objects.filter(
            about_type=ContentType.objects.get_for_model(Milestone), about_id=milestone_id
        ).order_by("created_at", "id")
    ]
    return sorted(events + reminders, key=lambda e: e["at"])


def kpi_reports_visible_to(user) -> QuerySet[KpiReport]:
    return (
        KpiReport.objects.filter(visible_awards_q(user))
        .distinct()
        .select_related("award")
        .order_by("award_id", "year", "indicator")
    )


def rollup_rows(*, program_ids: list[int] | None, level: str, indicator: str | None = None) -> list[dict]:
    """Rollup rows of one level with their subject's name and achievement ("—" when no target)."""
    qs = KpiRollup.objects.filter(level=level)
    if program_ids is not None:
        qs = qs.filter(program_id__in=program_ids)
    if indicator:
        qs = qs.filter(indicator=indicator)
    rows = list(
        qs.order_by("subject_id", "year", "indicator").values(
            "program_id", "subject_id", "year", "indicator", "actual", "target"
        )[: MAX_ROWS * 4]
    )
    names = _subject_names(level, {r["subject_id"] for r in rows})
    for r in rows:
        r["subject"] = names.get(r["subject_id"], str(r["subject_id"]))
        r["achievement"] = achievement(r["actual"], r["target"])
        r["indicator_label"] = _indicator_label(r["indicator"])
    return rows


def _indicator_label(code: str) -> str:
    try:
        return str(KpiIndicator(code).label)
    except ValueError:  # an indicator the catalogue no longer has: its code
        return code


def _subject_names(level: str, ids: set[int]) -> dict[int, str]:
    from programs.models import Program

    model = {
        KpiRollup.Level.AWARD: Award,
        KpiRollup.Level.TRACK: Track,
        KpiRollup.Level.REGION: Province,
        KpiRollup.Level.PROGRAM: Program,
    }[level]
    return {o.pk: str(o) for o in model.objects.filter(pk__in=ids)}


def format_achievement(value) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def pending_kpi_reports(*, program_ids: list[int] | None) -> QuerySet[KpiReport]:
    qs = KpiReport.objects.filter(state=KpiReport.State.SUBMITTED)
    if program_ids is not None:
        qs = qs.filter(award__program_id__in=program_ids)
    return qs.select_related("award").order_by("reported_at")


def low_achievement(*, program_ids: list[int] | None, year: int, below: float = 0.5) -> list[dict]:
    """Award rollups of `year` with a target and achievement under `below` (officers' digest)."""
    qs = KpiRollup.objects.filter(level=KpiRollup.Level.AWARD, year=year, target__gt=0)
    if program_ids is not None:
        qs = qs.filter(program_id__in=program_ids)
    # actual < below × target, in integers (below as a percent) so no float rounding decides.
    percent = round(below * 100)
    rows = [
        r
        for r in qs.values("subject_id", "indicator", "actual", "target")[:MAX_ROWS]
        if r["actual"] * 100 < percent * r["target"]
    ]
    names = _subject_names(KpiRollup.Level.AWARD, {r["subject_id"] for r in rows})
    for r in rows:
        r["award"] = names.get(r["subject_id"], "")
        r["achievement"] = achievement(r["actual"], r["target"])
        r["indicator_label"] = _indicator_label(r["indicator"])
    return rows


def _indicator_label(code: str) -> str:
    try:
        return str(KpiIndicator(code).label)
    except ValueError:  # an indicator the catalogue no longer has: its code
        return code


__all__ = ["Q"]

"""Writes of monitoring: milestones generated for an award, submitted by its consortium and
accepted or returned by an officer; KPI actuals reported and validated. Each service checks
permission and state and owns its transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.models import Award
from config.celery import enqueue_after_commit
from consortia.choices import KpiIndicator
from consortia.documents import DocumentRefused, check_document
from consortia.models import PlannedMilestone
from monitoring import permissions
from monitoring.exceptions import InvalidReport, InvalidState
from monitoring.models import KpiReport, Milestone, MilestoneEvent, MilestoneSubmission
from programs.deadlines import add_months, due_after_days, end_of_february, next_working_day, period_end

RESULTS_USE_YEARS = 5  # the results-use report is due for 5 years after the award ends
FINAL_REPORT_DAYS = 60


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


# --- milestones ------------------------------------------------------------------------------


def milestone_plan(award: Award) -> list[Milestone]:
    """The milestones an award owes, unsaved, every due date rolled by the civil code (제161조).

    A project year runs from the agreement's start (not the calendar's); its report is due on
    its last day. Stage reports on each stage's end, settlement reports 3 months after it (the
    stage's own `settlement_due_on`), the final report 60 days after the award ends, the
    results-use report by the end of February of each of the 5 years after the end year.
    """
    years = award.stages_years_total
    plan: list[Milestone] = []

    def add(kind: str, sequence: int, title: str, due_on: dt.date, **extra: Any) -> None:
        plan.append(Milestone(award=award, kind=kind, sequence=sequence, title=title, due_on=due_on, **extra))

    year_end = {n: period_end(award.starts_on, years=n) for n in range(1, years + 1)}
    for n, end in year_end.items():
        add(Milestone.Kind.ANNUAL, n, _("Annual report, year %(n)d") % {"n": n}, next_working_day(end))
    for stage in award.stages.all():
        add(
            Milestone.Kind.STAGE,
            stage.number,
            _("Stage report, stage %(n)d") % {"n": stage.number},
            next_working_day(stage.ends_on),
        )
        add(
            Milestone.Kind.SETTLEMENT,
            stage.number,
            _("Settlement report, stage %(n)d") % {"n": stage.number},
            stage.settlement_due_on,
        )
    add(Milestone.Kind.FINAL, 1, _("Final report"), due_after_days(award.ends_on, FINAL_REPORT_DAYS))
    for n in range(1, RESULTS_USE_YEARS + 1):
        add(
            Milestone.Kind.RESULTS_USE,
            n,
            _("Results-use report, %(year)d") % {"year": award.ends_on.year + n},
            end_of_february(award.ends_on.year + n),
        )
    seen: dict[int, int] = {}
    for planned in PlannedMilestone.objects.filter(application_id=award.application_id).order_by(
        "year", "id"
    ):
        # Planned deliverables are numbered in order; the project year's end is their due date.
        seen[0] = seen.get(0, 0) + 1
        end = year_end.get(planned.year) or period_end(award.starts_on, years=planned.year)
        add(Milestone.Kind.PLANNED, seen[0], planned.title[:200], next_working_day(end), planned=planned)
    return plan


@transaction.atomic
def generate_milestones(*, award_id: int) -> int:
    """Creates the award's milestones that do not exist yet (safe to run again); returns how many."""
    award = Award.objects.get(pk=award_id)
    plan = milestone_plan(award)
    existing = set(Milestone.objects.filter(award=award).values_list("kind", "sequence"))
    new = [m for m in plan if (m.kind, m.sequence) not in existing]
    # ignore_conflicts: a concurrent run that inserted the same (award, kind, sequence) wins.
    Milestone.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def start_monitoring(*, award_id: int) -> None:
    """A new award's milestones; its targets enter its program's rollups after commit."""
    from monitoring.tasks import refresh_kpi_rollup

    generate_milestones(award_id=award_id)
    program_id = Award.objects.values_list("program_id", flat=True).get(pk=award_id)
    enqueue_after_commit(refresh_kpi_rollup, program_id, None)


def _lock_milestone(milestone_id: int) -> Milestone:
    return Milestone.objects.select_for_update(of=("self",)).select_related("award").get(pk=milestone_id)


def _move(milestone: Milestone, actor, to_state: str, reason: str = "", **fields: Any) -> None:
    before = milestone.state
    milestone.state = to_state
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.save(update_fields=["state", *fields])
    MilestoneEvent.objects.create(
        milestone=milestone, actor=actor, from_state=before, to_state=to_state, reason=reason
    )


@transaction.atomic
def submit_milestone(
    *, actor, milestone_id: int, upload: UploadedFile, note: str = ""
) -> MilestoneSubmission:
    """Open or returned -> SUBMITTED with its upload (type checked by content) and note."""
    milestone = _lock_milestone(milestone_id)
    _require(permissions.can_submit_milestone(actor, milestone.award))
    if not milestone.is_owed:
        raise InvalidState(
            _("This milestone is already submitted."),
            fields={"state": [milestone.get_state_display()]},
            code="milestone.already_submitted",
        )
    try:
        detected = check_document(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
    except DocumentRefused as exc:
        raise InvalidState(exc.message, fields=exc.fields, code="milestone.file_refused") from None
    submission = MilestoneSubmission(
        milestone=milestone,
        original_name=upload.name[:200],
        content_type=detected,
        size=upload.size,
        note=note,
        submitted_by=actor,
    )
    submission.file.save(upload.name, upload, save=False)
    submission.save()
    _move(milestone, actor, Milestone.State.SUBMITTED, note, submitted_at=timezone.now())
    return submission


@transaction.atomic
def accept_milestone(*, actor, milestone_id: int) -> Milestone:
    """SUBMITTED -> ACCEPTED (an officer of the program)."""
    milestone = _lock_milestone(milestone_id)
    _require(permissions.can_decide_milestone(actor, milestone.award))
    if milestone.state != Milestone.State.SUBMITTED:
        raise InvalidState(
            _("Only a submitted milestone can be accepted."),
            fields={"state": [milestone.get_state_display()]},
            code="milestone.not_submitted",
        )
    _move(milestone, actor, Milestone.State.ACCEPTED, decided_at=timezone.now())
    return milestone


@transaction.atomic
def return_milestone(*, actor, milestone_id: int, reason: str) -> Milestone:
    """SUBMITTED -> RETURNED with the officer's reason; it is owed again (reminders resume)."""
    milestone = _lock_milestone(milestone_id)
    _require(permissions.can_decide_milestone(actor, milestone.award))
    if not (reason or "").strip():
        raise InvalidState(
            _("A return needs its reason."),
            fields={"reason": [_("Required.")]},
            code="milestone.reason_required",
        )
    if milestone.state != Milestone.State.SUBMITTED:
        raise InvalidState(
            _("Only a submitted milestone can be returned."),
            fields={"state": [milestone.get_state_display()]},
            code="milestone.not_submitted",
        )
    _move(milestone, actor, Milestone.State.RETURNED, reason.strip(), decided_at=timezone.now())
    return milestone


# --- KPI reports -----------------------------------------------------------------------------


@transaction.atomic
def report_kpi(
    *,
    actor,
    award_id: int,
    indicator: str,
    year: int,
    value: Any,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> KpiReport:
    """Records (or re-files a returned) actual of one indicator and project year -> SUBMITTED."""
    award = Award.objects.select_for_update(of=("self",)).get(pk=award_id)
    _require(permissions.can_report_kpi(actor, award))
    if indicator not in KpiIndicator.values:
        raise InvalidReport(
            _("Unknown indicator."),
            fields={"indicator": [_("Unknown indicator.")]},
            code="kpi_report.unknown_indicator",
        )
    years = award.stages_years_total
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= years:
        raise InvalidReport(
            _("The project year is outside the award."),
            fields={"year": [_("Between 1 and %(n)d.") % {"n": years}]},
            code="kpi_report.year_outside_award",
        )
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidReport(
            _("Enter a whole number, zero or more."),
            fields={"value": [_("Whole, ≥ 0.")]},
            code="kpi_report.value_invalid",
        )
    report = KpiReport.objects.select_for_update().filter(award=award, indicator=indicator, year=year).first()
    if report and report.state != KpiReport.State.RETURNED:
        raise InvalidReport(
            _("This actual is already reported; it can be filed again only once returned."),
            fields={"indicator": [report.get_state_display()]},
            code="kpi_report.already_reported",
        )
    report = report or KpiReport(award=award, indicator=indicator, year=year)
    report.calendar_year = add_months(award.starts_on, 12 * (year - 1)).year
    report.value, report.note, report.reported_by = value, note, actor
    report.state, report.return_reason = KpiReport.State.SUBMITTED, ""
    if evidence is not None:
        try:
            check_document(evidence, max_bytes=settings.DOCUMENT_MAX_BYTES)
        except DocumentRefused as exc:
            raise InvalidReport(
                exc.message,
                fields={"evidence": exc.fields.get("file", [])},
                code="kpi_report.evidence_refused",
            ) from None
        report.evidence.save(evidence.name, evidence, save=False)
        report.evidence_name = evidence.name[:200]
    report.save()
    return report


def _decide_kpi(actor, report_id: int) -> KpiReport:
    report = KpiReport.objects.select_for_update(of=("self",)).select_related("award").get(pk=report_id)
    _require(permissions.can_validate_kpi(actor, report.award))
    if report.state != KpiReport.State.SUBMITTED:
        raise InvalidReport(
            _("Only a submitted report can be validated or returned."),
            fields={"state": [report.get_state_display()]},
            code="kpi_report.not_submitted",
        )
    return report


@transaction.atomic
def validate_kpi(*, actor, report_id: int) -> KpiReport:
    """SUBMITTED -> VALIDATED; the rollups of its program and year are refreshed after commit."""
    report = _decide_kpi(actor, report_id)
    report.state, report.decided_by, report.decided_at = KpiReport.State.VALIDATED, actor, timezone.now()
    report.save(update_fields=["state", "decided_by", "decided_at"])
    from monitoring.tasks import refresh_kpi_rollup

    enqueue_after_commit(refresh_kpi_rollup, report.award.program_id, report.calendar_year)
    return report


@transaction.atomic
def return_kpi(*, actor, report_id: int, reason: str) -> KpiReport:
    """SUBMITTED -> RETURNED with the officer's reason (the consortium files it again)."""
    if not (reason or "").strip():
        raise InvalidReport(
            _("A return needs its reason."),
            fields={"reason": [_("Required.")]},
            code="kpi_report.reason_required",
        )
    report = _decide_kpi(actor, report_id)
    report.state, report.decided_by, report.decided_at = KpiReport.State.RETURNED, actor, timezone.now()
    report.return_reason = reason.strip()
    report.save(update_fields=["state", "decided_by", "decided_at", "return_reason"])
    return report

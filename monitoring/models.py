"""Milestones of an award (reports, deliverables) with their submissions and timeline; KPI
reports of actuals; and the rollup table that dashboards read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consortia.choices import KpiIndicator


class Milestone(models.Model):
    """A report or deliverable an award owes by a due date (civil-code rolled, Asia/Seoul day)."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("annual report")
        STAGE = "stage", _("stage report")
        SETTLEMENT = "settlement", _("settlement report")
        FINAL = "final", _("final report")
        RESULTS_USE = "results_use", _("results-use report")
        PLANNED = "planned", _("planned deliverable")

    class State(models.TextChoices):
        OPEN = "open", _("not submitted")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        ACCEPTED = "accepted", _("accepted")

    # States in which the consortium still owes the milestone (reminders go out).
    OWED = (State.OPEN, State.RETURNED)

    award = models.ForeignKey("awards.Award", models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Project year (annual, planned), stage number (stage, settlement), year after the end
    # (results-use), 1 for the final report: with the kind, what makes it unique.
    sequence = models.PositiveSmallIntegerField(_("number"))
    planned = models.ForeignKey(
        "consortia.PlannedMilestone", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["award", "kind", "sequence"], name="milestone_unique"),
        ]
        indexes = [
            # The reminder scan: owed milestones by due date.
            models.Index(
                fields=["due_on", "id"], condition=Q(state__in=["open", "returned"]), name="ms_owed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_on:%Y-%m-%d})"

    @property
    def is_owed(self) -> bool:
        return self.state in self.OWED


def submission_path(instance: MilestoneSubmission, filename: str) -> str:
    return f"milestones/{instance.milestone_id}/{filename}"


class MilestoneSubmission(models.Model):
    """One upload of a milestone (a returned milestone is submitted again: a new row)."""

    milestone = models.ForeignKey(Milestone, models.CASCADE, related_name="submissions")
    file = models.FileField(_("file"), upload_to=submission_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["milestone", "-submitted_at", "-id"]
        verbose_name = _("milestone submission")
        verbose_name_plural = _("milestone submissions")

    def __str__(self) -> str:
        return self.original_name


class MilestoneEvent(models.Model):
    """The milestone's timeline: who moved it, when and why (reminders are its notices)."""

    milestone = models.ForeignKey(Milestone, models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["milestone", "at", "id"]
        verbose_name = _("milestone event")
        verbose_name_plural = _("milestone events")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


def evidence_path(instance: KpiReport, filename: str) -> str:
    return f"kpi/{instance.award_id}/{filename}"


class KpiReport(models.Model):
    """An actual of one indicator for one project year, with its evidence; only VALIDATED ones
    count in rollups."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        VALIDATED = "validated", _("validated")
        RETURNED = "returned", _("returned")

    award = models.ForeignKey("awards.Award", models.CASCADE, related_name="kpi_reports")
    indicator = models.CharField(_("indicator"), max_length=30, choices=KpiIndicator.choices)
    year = models.PositiveSmallIntegerField(_("project year"))
    # The calendar year the project year starts in (the rollups' year), fixed when reported.
    calendar_year = models.PositiveSmallIntegerField(_("calendar year"))
    value = models.PositiveBigIntegerField(_("actual"))
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        ordering = ["award", "year", "indicator"]
        verbose_name = _("KPI report")
        verbose_name_plural = _("KPI reports")
        constraints = [
            models.UniqueConstraint(fields=["award", "indicator", "year"], name="kpi_report_unique"),
        ]
        indexes = [models.Index(fields=["state", "calendar_year"], name="kpi_report_state_year")]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} Y{self.year}: {self.value}"


class KpiRollup(models.Model):
    """Actual (validated only) and target of one indicator and calendar year at one level.

    Written only by monitoring.rollups (INSERT … SELECT); achievement is actual / target,
    a ratio of sums, read by `achievement`.
    """

    class Level(models.TextChoices):
        AWARD = "award", _("award")
        TRACK = "track", _("track")
        REGION = "region", _("region")
        PROGRAM = "program", _("program")

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    # The award's, track's, province's (the award's provinces at selection) or program's id.
    subject_id = models.BigIntegerField(_("award, track, province or program"))
    program = models.ForeignKey("programs.Program", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("calendar year"))
    indicator = models.CharField(_("indicator"), max_length=30, choices=KpiIndicator.choices)
    actual = models.BigIntegerField(_("actual"))
    target = models.BigIntegerField(_("target"))

    class Meta:
        ordering = ["program", "level", "subject_id", "year", "indicator"]
        verbose_name = _("KPI rollup")
        verbose_name_plural = _("KPI rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "level", "subject_id", "year", "indicator"], name="kpi_rollup_unique"
            ),
        ]
        indexes = [models.Index(fields=["program", "year"], name="kpi_rollup_program_year")]

    def __str__(self) -> str:
        return f"{self.level}:{self.subject_id} {self.year} {self.indicator}"

    @property
    def achievement(self):
        """actual / target as a fraction, or None ("—") when the target is zero."""
        from monitoring.rollups import achievement

        return achievement(self.actual, self.target)

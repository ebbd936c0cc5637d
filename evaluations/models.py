"""The review side (domain.md "Evaluation"): the reviewer pool, panels with their rubric,
conflicts of interest and waivers, assignments, scores, selection, results and objections.

Writes go through evaluations.services; these models hold data and the database's constraints.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

POINTS = {"max_digits": 6, "decimal_places": 2}


class Reviewer(models.Model):
    """A member of the reviewer pool (평가위원), with affiliation and expertise keywords."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="reviewer")
    affiliation = models.CharField(_("affiliation"), max_length=160)
    department = models.CharField(_("department"), max_length=120, blank=True)
    expertise = models.CharField(
        _("expertise keywords"),
        max_length=400,
        blank=True,
        help_text=_("Comma-separated keywords."),
    )
    expertise_text = models.TextField(_("expertise"), blank=True, max_length=2000)
    # Korean morphemes of the keywords and text, written when they are saved (evaluations.affinity),
    # so an assignment run never tokenises.
    expertise_tokens = models.TextField(editable=False, blank=True)
    province = models.ForeignKey(
        "programs.Province",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    person = models.OneToOneField(
        "consortia.Person",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewer",
        verbose_name=_("researcher record"),
        help_text=_("The reviewer's own national researcher record, if any."),
    )
    is_official = models.BooleanField(_("ministry or agency official"), default=False)
    is_available = models.BooleanField(_("available"), default=True)

    class Meta:
        ordering = ["user__name"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class ReviewerAffiliation(models.Model):
    """A reviewer's affiliation over a period (current when `until` is empty)."""

    reviewer = models.ForeignKey(Reviewer, models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(
        "consortia.Organisation", models.PROTECT, related_name="reviewer_affiliations"
    )
    department = models.CharField(_("department"), max_length=120, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["reviewer", "-since"]
        verbose_name = _("reviewer affiliation")
        verbose_name_plural = _("reviewer affiliations")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")), name="reviewer_affiliation_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.department}".strip()


class ReviewerRelative(models.Model):
    """A relative (민법) the reviewer declared: a conflict with any application they work on."""

    reviewer = models.ForeignKey(Reviewer, models.CASCADE, related_name="relatives")
    person = models.ForeignKey("consortia.Person", models.CASCADE, related_name="reviewer_relatives")
    relation = models.CharField(_("relation"), max_length=40)

    class Meta:
        verbose_name = _("declared relative")
        verbose_name_plural = _("declared relatives")
        constraints = [models.UniqueConstraint(fields=["reviewer", "person"], name="relative_once")]

    def __str__(self) -> str:
        return f"{self.person} ({self.relation})"


class Sanction(models.Model):
    """A sanction for breaking evaluation rules: a conflict for 3 years from its date."""

    reviewer = models.ForeignKey(Reviewer, models.CASCADE, related_name="sanctions")
    decided_on = models.DateField(_("decided on"))
    reason = models.CharField(_("reason"), max_length=400)

    class Meta:
        ordering = ["reviewer", "-decided_on"]
        verbose_name = _("evaluation sanction")
        verbose_name_plural = _("evaluation sanctions")

    def __str__(self) -> str:
        return f"{self.decided_on}: {self.reason}"


class Panel(models.Model):
    """A review panel (평가위원회) of a call's track, optionally one region's, at one stage."""

    class Stage(models.TextChoices):
        WRITTEN = "written", _("written review (서면평가)")
        PRESENTATION = "presentation", _("presentation review (발표평가)")

    class Aggregation(models.TextChoices):
        MEAN = "mean", _("mean")
        MEDIAN = "median", _("median")
        TRIMMED_MEAN = "trimmed_mean", _("trimmed mean (drop one highest and one lowest from 5 scores)")

    call = models.ForeignKey("programs.Call", models.PROTECT, related_name="panels", verbose_name=_("call"))
    track = models.ForeignKey(
        "programs.Track", models.PROTECT, related_name="panels", verbose_name=_("track")
    )
    region = models.ForeignKey(
        "programs.Region",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="panels",
        verbose_name=_("region"),
        help_text=_("Empty: every region of the track."),
    )
    stage = models.CharField(_("stage"), max_length=15, choices=Stage.choices, default=Stage.WRITTEN)
    name = models.CharField(_("name"), max_length=160)
    aggregation = models.CharField(
        _("aggregation"), max_length=15, choices=Aggregation.choices, default=Aggregation.TRIMMED_MEAN
    )
    cutoff_score = models.DecimalField(
        _("cut-off score"),
        **POINTS,
        default=Decimal("70"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    cutoff_before_bonus = models.BooleanField(_("cut-off applies before the bonus"), default=True)
    bonus_cap = models.DecimalField(
        _("bonus cap"), **POINTS, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    tie_break_criterion = models.ForeignKey(
        "Criterion",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tie-break criterion"),
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application (k)"), default=5, validators=[MinValueValidator(1)]
    )
    max_per_reviewer = models.PositiveSmallIntegerField(
        _("applications per reviewer at most (L)"), default=15, validators=[MinValueValidator(1)]
    )
    min_per_reviewer = models.PositiveSmallIntegerField(_("applications per reviewer at least"), default=0)
    opens_at = models.DateTimeField(_("scoring opens at"))
    closes_at = models.DateTimeField(_("scoring closes at"), help_text=_("Scores at or after it are late."))
    disclose_reviewer_names = models.BooleanField(
        _("disclose reviewer names to applicants"), default=True, help_text=_("National default since 2024.")
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement flag (spread of totals)"), **POINTS, default=Decimal("20")
    )
    # Conflict options of the program and call (decree defaults otherwise).
    conflict_same_institution = models.BooleanField(
        _("conflict: same institution as any member"), default=False
    )
    conflict_window_years = models.PositiveSmallIntegerField(
        _("institution conflict window (years before the panel opens)"), default=3
    )
    conflict_lead_province = models.BooleanField(
        _("conflict: same province as the lead local government"), default=False
    )
    members = models.ManyToManyField(Reviewer, through="PanelMember", related_name="panels")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    selection_confirmed_at = models.DateTimeField(_("selection confirmed at"), null=True, blank=True)
    results_notified_at = models.DateTimeField(_("results notified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "id"]
        verbose_name = _("panel")
        verbose_name_plural = _("panels")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="panel_window"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_at(self, instant) -> bool:
        """Half-open [opens_at, closes_at), and not closed early by an officer."""
        if self.closed_at is not None and instant >= self.closed_at:
            return False
        return self.opens_at <= instant < self.closes_at

    def is_closed_at(self, instant) -> bool:
        return instant >= self.closes_at or (self.closed_at is not None and instant >= self.closed_at)

    @property
    def is_closed(self) -> bool:
        return self.is_closed_at(timezone.now())


class PanelMember(models.Model):
    """A reviewer on a panel; the pledge (보안·공정 서약) is signed before seeing any application."""

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="panel_members")
    reviewer = models.ForeignKey(Reviewer, models.PROTECT, related_name="panel_seats")
    is_chair = models.BooleanField(_("chair"), default=False)
    pledged_at = models.DateTimeField(_("pledge signed at"), null=True, blank=True)

    class Meta:
        ordering = ["panel", "-is_chair", "id"]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [
            models.UniqueConstraint(fields=["panel", "reviewer"], name="panel_member_once"),
            models.UniqueConstraint(fields=["panel"], condition=Q(is_chair=True), name="one_chair_per_panel"),
        ]

    def __str__(self) -> str:
        return str(self.reviewer)


class Criterion(models.Model):
    """A weighted criterion of a panel's rubric: its points are its weight (the rubric sums to 100)."""

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="criteria")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    max_points = models.DecimalField(_("points"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["panel", "order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [models.UniqueConstraint(fields=["panel", "code"], name="criterion_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.max_points.normalize():f})"


class BonusItem(models.Model):
    """A bonus (가점) item with its own cap; the panel caps the sum."""

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="bonus_items")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    max_points = models.DecimalField(
        _("points at most"), **POINTS, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["panel", "id"]
        verbose_name = _("bonus item")
        verbose_name_plural = _("bonus items")
        constraints = [models.UniqueConstraint(fields=["panel", "code"], name="bonus_code_unique")]

    def __str__(self) -> str:
        return self.name


class ApplicationBonus(models.Model):
    """Bonus points an officer granted an application on one item."""

    item = models.ForeignKey(BonusItem, models.CASCADE, related_name="grants")
    application = models.ForeignKey("consortia.Application", models.CASCADE, related_name="bonuses")
    points = models.DecimalField(_("points"), **POINTS, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("application bonus")
        verbose_name_plural = _("application bonuses")
        constraints = [models.UniqueConstraint(fields=["item", "application"], name="bonus_once")]

    def __str__(self) -> str:
        return f"{self.item}: {self.points}"


class Conflict(models.Model):
    """One reason why a reviewer may not review an application on a panel."""

    class Kind(models.TextChoices):
        RESEARCHER = "researcher", _("a researcher of the application")
        RELATIVE = "relative", _("a relative of a researcher")
        SAME_DEPARTMENT = "same_department", _("same department as a principal investigator")
        SAME_INSTITUTION = "same_institution", _("same institution as a member")
        RECIPROCAL = "reciprocal", _("reciprocal review in the same call")
        OFFICIAL = "official", _("ministry or agency official")
        SANCTION = "sanction", _("sanctioned in the last 3 years")
        LEAD_PROVINCE = "lead_province", _("same province as the lead local government")
        DECLARED = "declared", _("declared by the reviewer")

    # The decree lets the ministry waive these when the expertise is needed; never one's own work.
    UNWAIVABLE = (Kind.RESEARCHER, Kind.RELATIVE, Kind.DECLARED)

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="conflicts")
    application = models.ForeignKey("consortia.Application", models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(Reviewer, models.CASCADE, related_name="conflicts")
    kind = models.CharField(_("reason"), max_length=20, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=400, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["panel", "application", "reviewer", "kind"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "application", "reviewer", "kind"], name="conflict_once"
            ),
        ]
        indexes = [models.Index(fields=["panel", "reviewer", "application"])]

    def __str__(self) -> str:
        return f"{self.reviewer} × {self.application}: {self.get_kind_display()}"


class Waiver(models.Model):
    """An officer's recorded decision that a conflicted reviewer may still review (with the reason)."""

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="waivers")
    application = models.ForeignKey("consortia.Application", models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(Reviewer, models.CASCADE, related_name="waivers")
    reason = models.TextField(_("reason"), max_length=2000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["panel", "-decided_at"]
        verbose_name = _("conflict waiver")
        verbose_name_plural = _("conflict waivers")
        constraints = [
            models.UniqueConstraint(fields=["panel", "application", "reviewer"], name="waiver_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} × {self.application}"


class Assignment(models.Model):
    """A reviewer assigned to an application on a panel; withdrawn rather than deleted."""

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="assignments")
    application = models.ForeignKey("consortia.Application", models.PROTECT, related_name="assignments")
    reviewer = models.ForeignKey(Reviewer, models.PROTECT, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey("AssignmentRun", models.SET_NULL, null=True, blank=True, related_name="+")
    affinity = models.FloatField(_("affinity"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("withdrawal reason"), max_length=400, blank=True)

    class Meta:
        ordering = ["panel", "application", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "application", "reviewer"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}"


class Review(Assignment):
    """The reviewer's view of their own assignments in the admin (평가 대상)."""

    class Meta:
        proxy = True
        verbose_name = _("my review")
        verbose_name_plural = _("my reviews")


class Score(models.Model):
    """A reviewer's score sheet for one assignment: draft, submitted (read-only) or void."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        VOID = "void", _("void")

    assignment = models.OneToOneField(Assignment, models.CASCADE, related_name="score")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    comment = models.TextField(_("overall comment"), blank=True, max_length=4000)
    total = models.DecimalField(_("total"), **POINTS, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self) -> str:
        return f"{self.assignment}: {self.total}"


class CriterionScore(models.Model):
    score = models.ForeignKey(Score, models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), **POINTS, validators=[MinValueValidator(Decimal("0"))])
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        ordering = ["score", "criterion__order", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["score", "criterion"], name="criterion_score_once")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class AssignmentRun(models.Model):
    """An optimisation run: proposed, then applied by an officer (or failed with its explanation)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        PROPOSED = "proposed", _("proposed")
        INFEASIBLE = "infeasible", _("infeasible")
        APPLIED = "applied", _("applied")
        CANCELLED = "cancelled", _("cancelled")
        FAILED = "failed", _("failed")

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="assignment_runs")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("step"), max_length=200, blank=True)
    # Validated by the service that writes them: {"pairs": [[application, reviewer, affinity], ...]}
    # and {"capacity_short": ..., "lacking": [...], "hall": [...]}.
    proposal = models.JSONField(default=dict, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")

    def __str__(self) -> str:
        return f"{self.panel} #{self.pk} ({self.get_state_display()})"


class ApplicationText(models.Model):
    """An application's morphemes for affinity, with the hash of the text they came from."""

    application = models.OneToOneField(
        "consortia.Application", models.CASCADE, related_name="evaluation_text"
    )
    text_hash = models.CharField(max_length=32)
    tokens = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.application_id}: {self.text_hash}"


class SelectionEntry(models.Model):
    """The confirmed selection of one application on a panel, with the proposal beside it."""

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="selection")
    application = models.ForeignKey("consortia.Application", models.PROTECT, related_name="selections")
    region = models.ForeignKey("programs.Region", models.PROTECT, null=True, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    proposed = models.BooleanField(_("proposed"))
    selected = models.BooleanField(_("selected"))
    reason = models.TextField(_("reason for the deviation"), blank=True, max_length=2000)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["panel", "region", "rank"]
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        constraints = [
            models.UniqueConstraint(fields=["panel", "application"], name="selection_once"),
            models.CheckConstraint(
                condition=Q(proposed=F("selected")) | ~Q(reason=""), name="deviation_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {'selected' if self.selected else 'not selected'}"


class Result(models.Model):
    """The result notified to an applicant, with the deadlines it starts (civil-code due dates)."""

    panel = models.ForeignKey(Panel, models.CASCADE, related_name="results")
    application = models.ForeignKey("consortia.Application", models.PROTECT, related_name="results")
    notified_at = models.DateTimeField()
    objection_due = models.DateField(_("objection due"))
    agreement_due = models.DateField(_("agreement due"))
    revision_due = models.DateField(_("plan revision due"))
    revision_requested = models.TextField(_("plan revision asked by the panel"), blank=True)

    class Meta:
        ordering = ["panel", "application"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [models.UniqueConstraint(fields=["panel", "application"], name="result_once")]

    def __str__(self) -> str:
        return f"{self.panel}: {self.application}"


class Objection(models.Model):
    """An objection (이의신청) to a result, answered by the ministry within 30 days."""

    result = models.ForeignKey(Result, models.CASCADE, related_name="objections")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    text = models.TextField(_("objection"), max_length=4000)
    answer_due = models.DateField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    upheld = models.BooleanField(_("upheld"), null=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [
            models.UniqueConstraint(
                fields=["result"], condition=Q(answered_at__isnull=True), name="one_open_objection"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.result.application}: {self.filed_at:%Y-%m-%d}"

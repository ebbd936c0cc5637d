"""Awards, their stages, members and provinces as at selection, tranches and the money ledger.

Amounts live only in `LedgerEntry` rows (signed whole won, append-only): a tranche's budget,
what is pending, approved, paid and recovered are sums over its entries (awards.selectors).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from consortia.models import ConsortiumMember
from programs.models import MoneySource

# --- program rules for awards ---------------------------------------------------------------


class AwardPolicy(models.Model):
    """A program's award settings: carry-over limit, objection period, demand notice term."""

    program = models.OneToOneField("programs.Program", models.CASCADE, related_name="award_policy")
    carry_over_limit_percent = models.PositiveSmallIntegerField(
        _("carry-over limit (percent of a tranche's budget)"),
        default=20,
        validators=[MaxValueValidator(100)],
    )
    objection_days = models.PositiveSmallIntegerField(_("objection period (days)"), default=10)
    recovery_days = models.PositiveSmallIntegerField(_("recovery payable within (days)"), default=30)
    demand_days = models.PositiveSmallIntegerField(
        _("demand notice: new deadline (days from its issue)"), default=15
    )

    class Meta:
        verbose_name = _("award policy")
        verbose_name_plural = _("award policies")

    def __str__(self) -> str:
        return str(self.program)


class GradeRule(models.Model):
    """One grade of a program's scale and what it does to the next tranche (tiered support)."""

    program = models.ForeignKey("programs.Program", models.CASCADE, related_name="grade_rules")
    code = models.CharField(_("grade"), max_length=10)
    label = models.CharField(_("label"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    change_percent = models.SmallIntegerField(
        _("next tranche change (%)"),
        default=0,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
    )
    stops = models.BooleanField(_("stops the award"), default=False)

    class Meta:
        ordering = ["program", "order", "code"]
        verbose_name = _("grade rule")
        verbose_name_plural = _("grade rules")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="grade_code_unique_in_program"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.change_percent:+d}%)" if not self.stops else f"{self.code} (stop)"


DEFAULT_GRADES = [
    ("S", "우수", 10, False),
    ("A", "양호", 0, False),
    ("B", "보통", -10, False),
    ("C", "미흡", -30, False),
    ("D", "극히 불량", -100, True),
]


# --- the award ---------------------------------------------------------------------------------


class Award(models.Model):
    """An agreement (협약) made from a selected application, covering the whole project period."""

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        STOP_PENDING = "stop_pending", _("stop notified (objection period)")
        STOPPED = "stopped", _("stopped")

    application = models.OneToOneField(
        "consortia.Application", models.PROTECT, related_name="award", verbose_name=_("application")
    )
    # Denormalised from the application for scoping and dashboards (never change after creation).
    program = models.ForeignKey("programs.Program", models.PROTECT, related_name="awards")
    call = models.ForeignKey("programs.Call", models.PROTECT, related_name="awards")
    track = models.ForeignKey("programs.Track", models.PROTECT, related_name="awards")
    consortium = models.ForeignKey("consortia.Consortium", models.PROTECT, related_name="awards")
    lead_province = models.ForeignKey(
        "programs.Province", models.PROTECT, related_name="+", verbose_name=_("lead province")
    )
    title = models.CharField(_("title"), max_length=200)
    selection_notified_on = models.DateField(_("selection notified on"))
    agreement_due_on = models.DateField(_("agreement due on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_agreement = models.FileField(_("signed agreement (PDF)"), upload_to="awards/%Y/", blank=True)
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.ACTIVE, protected=True)
    stop_notified_on = models.DateField(_("stop notified on"), null=True, blank=True)
    objection_due_on = models.DateField(_("objection due on"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="award_period"),
        ]

    def __str__(self) -> str:
        return self.title

    @transition(field=state, source=State.ACTIVE, target=State.STOP_PENDING)
    def notify_stop(self, *, on, objection_due_on) -> None:
        self.stop_notified_on, self.objection_due_on = on, objection_due_on

    @transition(field=state, source=State.STOP_PENDING, target=State.STOPPED)
    def stop(self, *, on) -> None:
        self.stopped_on = on

    @transition(field=state, source=State.STOP_PENDING, target=State.ACTIVE)
    def resume(self) -> None:
        self.stop_notified_on = self.objection_due_on = None

    @property
    def years(self) -> int:
        return self.stages_years_total

    @property
    def stages_years_total(self) -> int:
        return sum(s.years for s in self.stages.all())


class AwardStage(models.Model):
    """A stage of the project period (e.g. 3 + 3 + 4 years), with its settlement due date."""

    award = models.ForeignKey(Award, models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField(_("stage"))
    first_year = models.PositiveSmallIntegerField(_("first project year"))
    years = models.PositiveSmallIntegerField(_("years"), validators=[MinValueValidator(1)])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    settlement_due_on = models.DateField(_("settlement report due on"))
    settlement_submitted_on = models.DateField(_("settlement report submitted on"), null=True, blank=True)
    settlement_unspent_krw = models.PositiveBigIntegerField(_("unspent (declared)"), null=True, blank=True)

    class Meta:
        ordering = ["award", "number"]
        verbose_name = _("award stage")
        verbose_name_plural = _("award stages")
        constraints = [
            models.UniqueConstraint(fields=["award", "number"], name="award_stage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.award} — {self.number}"

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1


class AwardProvince(models.Model):
    """A province the award's consortium stood for at selection (history does not move)."""

    award = models.ForeignKey(Award, models.CASCADE, related_name="provinces")
    province = models.ForeignKey("programs.Province", models.PROTECT, related_name="+")
    is_lead = models.BooleanField(_("lead"), default=False)

    class Meta:
        ordering = ["award", "-is_lead", "province__code"]
        verbose_name = _("award province")
        verbose_name_plural = _("award provinces")
        constraints = [
            models.UniqueConstraint(fields=["award", "province"], name="award_province_unique"),
        ]

    def __str__(self) -> str:
        return str(self.province)


class AwardMember(models.Model):
    """A member organisation of the award as it was at selection (name, role, province copied)."""

    award = models.ForeignKey(Award, models.CASCADE, related_name="members")
    organisation = models.ForeignKey("consortia.Organisation", models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=ConsortiumMember.Role.choices)
    province = models.ForeignKey("programs.Province", models.PROTECT, related_name="+")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["award", "id"]
        verbose_name = _("award member")
        verbose_name_plural = _("award members")
        constraints = [
            models.UniqueConstraint(fields=["award", "organisation"], name="award_member_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLineKind(models.TextChoices):
    RND = "rnd", _("R&D")
    NON_RND = "non_rnd", _("non-R&D")


class Tranche(models.Model):
    """The money of one project year × source × line (× member where the plan says so).

    No amount column: the budget, pending, paid and recovered amounts are ledger sums.
    `released_on` is set once a grade (or the award's start, for year 1) opens it for payment.
    """

    award = models.ForeignKey(Award, models.CASCADE, related_name="tranches")
    year = models.PositiveSmallIntegerField(_("project year"), validators=[MinValueValidator(1)])
    fiscal_year = models.PositiveSmallIntegerField(_("calendar year"))
    source = models.CharField(_("source"), max_length=20, choices=MoneySource.choices)
    line = models.CharField(_("line"), max_length=10, choices=BudgetLineKind.choices)
    member = models.ForeignKey(
        AwardMember, models.PROTECT, null=True, blank=True, related_name="tranches", verbose_name=_("member")
    )
    released_on = models.DateField(_("released on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)

    class Meta:
        ordering = ["award", "year", "source", "line", "member_id"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(
                fields=["award", "year", "source", "line", "member"],
                name="tranche_unique",
            ),
        ]

    def __str__(self) -> str:
        member = f" · {self.member.name}" if self.member_id else ""
        year = _("Year %(year)s") % {"year": self.year}
        return f"{year} {self.get_source_display()} {self.get_line_display()}{member}"


# --- money: disbursements and the ledger --------------------------------------------------------


class Disbursement(models.Model):
    """A request to pay part of a tranche: requested → approved → paid (or rejected)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        PAID = "paid", _("paid")
        REJECTED = "rejected", _("rejected")

    tranche = models.ForeignKey(Tranche, models.PROTECT, related_name="disbursements")
    amount_krw = models.PositiveBigIntegerField(_("amount"), validators=[MinValueValidator(1)])
    state = FSMField(
        _("state"), max_length=20, choices=State.choices, default=State.REQUESTED, protected=True
    )
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reference = models.CharField(_("payment reference"), max_length=80, blank=True)
    rejected_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(condition=Q(amount_krw__gt=0), name="disbursement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.tranche} {self.amount_krw:,}원"

    @transition(field=state, source=State.REQUESTED, target=State.APPROVED)
    def approve(self, *, by, at) -> None:
        self.approved_by, self.approved_at = by, at

    @transition(field=state, source=State.APPROVED, target=State.PAID)
    def pay(self, *, by, on, reference: str) -> None:
        self.paid_by, self.paid_on, self.reference = by, on, reference

    @transition(field=state, source=[State.REQUESTED, State.APPROVED], target=State.REJECTED)
    def reject(self, *, reason: str) -> None:
        self.rejected_reason = reason


class Bucket(models.TextChoices):
    """Which balance an entry moves. A tranche's remaining = budget − pending − approved − paid."""

    BUDGET = "budget", _("budget")
    PENDING = "pending", _("requested, not yet approved")
    APPROVED = "approved", _("approved, not yet paid")
    PAID = "paid", _("paid")
    RECOVERED = "recovered", _("recovered")


class LedgerEntry(models.Model):
    """One money movement, append-only (a PostgreSQL trigger refuses UPDATE and DELETE).

    A correction is a new entry (kind REVERSAL) pointing at the one it reverses, with a reason.
    """

    class Kind(models.TextChoices):
        PLANNED = "planned", _("planned")
        ADJUSTED = "adjusted", _("adjusted by grade")
        CHANGED = "changed", _("award change")
        CANCELLED = "cancelled", _("cancelled")
        CARRIED_OVER = "carried_over", _("carried over")
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        PAID = "paid", _("paid")
        RECOVERED = "recovered", _("recovered")
        REVERSAL = "reversal", _("reversal")

    tranche = models.ForeignKey(Tranche, models.PROTECT, related_name="entries")
    # Denormalised so award-wide sums need no join through tranches.
    award = models.ForeignKey(Award, models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    bucket = models.CharField(_("balance"), max_length=10, choices=Bucket.choices)
    amount_krw = models.BigIntegerField(_("amount"))
    disbursement = models.ForeignKey(
        Disbursement, models.PROTECT, null=True, blank=True, related_name="entries"
    )
    grade = models.ForeignKey("awards.Grade", models.PROTECT, null=True, blank=True, related_name="entries")
    change = models.ForeignKey(
        "awards.AwardChange", models.PROTECT, null=True, blank=True, related_name="entries"
    )
    recovery = models.ForeignKey(
        "awards.Recovery", models.PROTECT, null=True, blank=True, related_name="entries"
    )
    reverses = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="reversed_by")
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(fields=["tranche", "bucket"], name="ledger_tranche_bucket"),
            models.Index(fields=["award", "bucket"], name="ledger_award_bucket"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_krw=0), name="ledger_amount_nonzero"),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | Q(reverses__isnull=False), name="ledger_reversal_points_back"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_krw:+,}원"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are append-only: write a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only: write a reversal instead.")


# --- grades, changes, carry-overs, recoveries ------------------------------------------------


class Grade(models.Model):
    """An annual or stage evaluation's grade and the recorded decision it caused."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("annual evaluation")
        STAGE = "stage", _("stage evaluation")

    award = models.ForeignKey(Award, models.PROTECT, related_name="grades")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("project year graded"))
    code = models.CharField(_("grade"), max_length=10)
    # Copied from the program's rule when decided: later rule edits do not rewrite decisions.
    change_percent = models.SmallIntegerField(_("next tranche change (%)"))
    stops = models.BooleanField(_("stops the award"), default=False)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award", "year"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        constraints = [
            models.UniqueConstraint(fields=["award", "year"], name="one_grade_per_award_year"),
        ]

    def __str__(self) -> str:
        return f"{self.award} Y{self.year}: {self.code}"


class StopObjection(models.Model):
    """The consortium's objection (이의신청) to a stop grade, filed within the objection period.

    The officer upholds it (the stop is withdrawn and the grade is revised to one that does not
    stop) or rejects it (the stop is confirmed once the period is over). One per stop grade.
    """

    class State(models.TextChoices):
        OPEN = "open", _("awaiting the officer's decision")
        UPHELD = "upheld", _("upheld: stop withdrawn")
        REJECTED = "rejected", _("rejected")

    award = models.ForeignKey(Award, models.PROTECT, related_name="stop_objections")
    grade = models.ForeignKey(Grade, models.PROTECT, related_name="objections")
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.OPEN, protected=True)
    text = models.TextField(_("objection"), max_length=4000)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filed_on = models.DateField(_("filed on"))
    filed_at = models.DateTimeField(auto_now_add=True)
    # The grade as notified, kept here: an upheld objection revises the Grade row.
    original_code = models.CharField(_("grade objected to"), max_length=10)
    revised_code = models.CharField(_("revised grade"), max_length=10, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("objection to a stop")
        verbose_name_plural = _("objections to stops")
        constraints = [
            models.UniqueConstraint(fields=["grade"], name="one_objection_per_stop_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.award}: {self.original_code} ({self.get_state_display()})"

    @transition(field=state, source=State.OPEN, target=State.UPHELD)
    def uphold(self, *, by, at, answer: str, revised_code: str) -> None:
        self.decided_by, self.decided_at, self.answer, self.revised_code = by, at, answer, revised_code

    @transition(field=state, source=State.OPEN, target=State.REJECTED)
    def reject(self, *, by, at, answer: str) -> None:
        self.decided_by, self.decided_at, self.answer = by, at, answer


class AwardChange(models.Model):
    """A change to an award (협약 변경): notified items apply at once, unless filed with an item
    that needs approval; then nothing applies until an officer approves."""

    class State(models.TextChoices):
        APPLIED = "applied", _("applied (notified)")
        PENDING = "pending", _("awaiting approval")
        APPROVED = "approved", _("approved and applied")
        REJECTED = "rejected", _("rejected")

    award = models.ForeignKey(Award, models.PROTECT, related_name="changes")
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.PENDING, protected=True)
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("award change")
        verbose_name_plural = _("award changes")

    def __str__(self) -> str:
        return f"{self.award} — {self.get_state_display()}"

    @transition(field=state, source=State.PENDING, target=State.APPLIED)
    def apply_notified(self) -> None:
        pass

    @transition(field=state, source=State.PENDING, target=State.APPROVED)
    def approve(self, *, by, at, reason: str) -> None:
        self.decided_by, self.decided_at, self.decision_reason = by, at, reason

    @transition(field=state, source=State.PENDING, target=State.REJECTED)
    def reject(self, *, by, at, reason: str) -> None:
        self.decided_by, self.decided_at, self.decision_reason = by, at, reason


class AwardChangeItem(models.Model):
    """One item of a change; `needs_approval` is decided by the service from its kind."""

    class Kind(models.TextChoices):
        BUDGET_MOVE = "budget_move", _("budget moved between lines")
        NATIONAL_MONEY = "national_money", _("national money changed")
        PERIOD = "period", _("project period")
        MEMBER_ADD = "member_add", _("member added")
        MEMBER_REMOVE = "member_remove", _("member removed")
        STAFF = "staff", _("non-principal staff")
        CONTACT = "contact", _("contacts")

    change = models.ForeignKey(AwardChange, models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    needs_approval = models.BooleanField(_("needs approval"))
    from_tranche = models.ForeignKey(Tranche, models.PROTECT, null=True, blank=True, related_name="+")
    to_tranche = models.ForeignKey(Tranche, models.PROTECT, null=True, blank=True, related_name="+")
    amount_krw = models.BigIntegerField(_("amount"), null=True, blank=True)
    increases_indirect_costs = models.BooleanField(_("increases indirect costs"), default=False)
    new_ends_on = models.DateField(_("new end date"), null=True, blank=True)
    organisation = models.ForeignKey("consortia.Organisation", models.PROTECT, null=True, blank=True)
    member = models.ForeignKey(AwardMember, models.PROTECT, null=True, blank=True, related_name="+")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["change", "id"]
        verbose_name = _("award change item")
        verbose_name_plural = _("award change items")

    def __str__(self) -> str:
        return self.get_kind_display()


class CarryOver(models.Model):
    """Unpaid money of a year's tranche moved (이월) to the same tranche of the next year."""

    from_tranche = models.ForeignKey(Tranche, models.PROTECT, related_name="carried_out")
    to_tranche = models.ForeignKey(Tranche, models.PROTECT, related_name="carried_in")
    amount_krw = models.PositiveBigIntegerField(_("amount"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("carry-over")
        verbose_name_plural = _("carry-overs")

    def __str__(self) -> str:
        return f"{self.from_tranche} → {self.to_tranche}: {self.amount_krw:,}원"


class Recovery(models.Model):
    """Money to recover (환수): payable within 30 days of the notice; unpaid, a demand notice
    (독촉장) goes out within 15 days after the due date with a new deadline (시행령 제63조)."""

    class State(models.TextChoices):
        NOTIFIED = "notified", _("notified")
        DEMANDED = "demanded", _("demand notice sent")
        PAID = "paid", _("paid")

    award = models.ForeignKey(Award, models.PROTECT, related_name="recoveries")
    tranche = models.ForeignKey(Tranche, models.PROTECT, related_name="recoveries")
    amount_krw = models.PositiveBigIntegerField(_("amount"), validators=[MinValueValidator(1)])
    reason = models.TextField(_("reason"))
    state = FSMField(_("state"), max_length=10, choices=State.choices, default=State.NOTIFIED, protected=True)
    notified_on = models.DateField(_("notified on"))
    due_on = models.DateField(_("due on"))
    demand_notified_on = models.DateField(_("demand notice on"), null=True, blank=True)
    demand_due_on = models.DateField(_("demand notice due on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")

    def __str__(self) -> str:
        return f"{self.award}: {self.amount_krw:,}원"

    @property
    def current_due_on(self):
        return self.demand_due_on or self.due_on

    @transition(field=state, source=State.NOTIFIED, target=State.DEMANDED)
    def demand(self, *, on, due_on) -> None:
        self.demand_notified_on, self.demand_due_on = on, due_on

    @transition(field=state, source=[State.NOTIFIED, State.DEMANDED], target=State.PAID)
    def pay(self, *, on) -> None:
        self.paid_on = on


# --- idempotency ---------------------------------------------------------------------------------

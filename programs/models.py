from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consortia.choices import REQUIREMENT_TYPE_CHOICES, DocumentKind, types_of

# --- reference data: provinces, regions, region schemes --------------------------------


class ProvinceQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> ProvinceQuerySet:
        """Provinces whose [effective_from, effective_to] contains `day` (both ends inclusive)."""
        return self.filter(
            Q(effective_from__lte=day), Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )


class Province(models.Model):
    """A wide-area local government (시·도), versioned: rows end and have successors.

    History (calls, awards, affiliations) points at the row by id, so an administrator
    may correct a code or a name without losing what pointed at it.
    """

    code = models.CharField(
        _("administrative code"),
        max_length=2,
        validators=[RegexValidator(r"^\d{2}$", _("A province code is two digits."))],
    )
    name = models.CharField(_("name"), max_length=40)
    short_name = models.CharField(
        _("short name"), max_length=20, blank=True, help_text=_("As people write it: 충북 for 충청북도.")
    )
    name_en = models.CharField(_("English name"), max_length=60)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(
        _("in force until"),
        null=True,
        blank=True,
        help_text=_("Last day in force; empty if it still is."),
    )
    successors = models.ManyToManyField(
        "self",
        through="ProvinceSuccession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = ["code", "effective_from"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="province_code_from_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="province_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or self.effective_to >= day)


class ProvinceSuccession(models.Model):
    """`predecessor` ended and `successor` took over its territory (merger, new code, new name)."""

    predecessor = models.ForeignKey(Province, models.CASCADE, related_name="succeeded_by")
    successor = models.ForeignKey(Province, models.PROTECT, related_name="succeeds")

    class Meta:
        verbose_name = _("province succession")
        verbose_name_plural = _("province successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class ProvinceCorrection(models.Model):
    """An administrator's correction of a province row (code, name, dates): old and new values."""

    province = models.ForeignKey(Province, models.CASCADE, related_name="corrections")
    field = models.CharField(_("field"), max_length=40)
    old_value = models.CharField(_("old value"), max_length=200, blank=True)
    new_value = models.CharField(_("new value"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("province correction")
        verbose_name_plural = _("province corrections")

    def __str__(self) -> str:
        return f"{self.province_id} {self.field}: {self.old_value} → {self.new_value}"


class RegionScheme(models.Model):
    """Which provinces form which region for a call ("5+2" by default)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    is_default = models.BooleanField(_("default scheme"), default=False)

    class Meta:
        verbose_name = _("region scheme")
        verbose_name_plural = _("region schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_region_scheme",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A wide region (권역) of one scheme, holding provinces of every period."""

    scheme = models.ForeignKey(RegionScheme, models.CASCADE, related_name="regions")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_capital_area = models.BooleanField(_("capital area"), default=False)
    provinces = models.ManyToManyField(Province, related_name="regions", blank=True)

    class Meta:
        ordering = ["scheme", "order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="region_code_unique_in_scheme"),
        ]

    def __str__(self) -> str:
        return self.name


# --- programs, calls, tracks ------------------------------------------------------------


class ProjectKind(models.TextChoices):
    """Kinds of national R&D project, for the concurrent-project limit's exemptions."""

    RESEARCH = "research", _("research and development")
    PRE_STUDY = "pre_study", _("pre-study")
    PLANNING = "planning", _("planning")
    EVALUATION = "evaluation", _("evaluation")
    COORDINATION = "coordination", _("coordination and management")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    TRAINING = "training", _("training")
    ACADEMIC = "academic", _("academic")
    # Not excluded by the decree: a program may exempt it (ConcurrencyExemption).
    DESIGNATED = "designated", _("other kind designated by the ministry")


# 국가연구개발혁신법 시행령 제64조: never counted towards 3책5공, whatever the program says.
DECREE_EXEMPT_KINDS = frozenset(
    {
        ProjectKind.PRE_STUDY,
        ProjectKind.PLANNING,
        ProjectKind.EVALUATION,
        ProjectKind.COORDINATION,
        ProjectKind.INFRASTRUCTURE,
        ProjectKind.TRAINING,
        ProjectKind.ACADEMIC,
    }
)


class Program(models.Model):
    """A grant program (사업) of a ministry, with its program-wide settings."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    ministry = models.CharField(_("ministry"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="programs_as_officer",
        blank=True,
        verbose_name=_("officers"),
    )
    # 3책5공 (국가연구개발혁신법 시행령 제64조): the law says a program *may* apply it.
    max_concurrent_projects = models.PositiveSmallIntegerField(_("max concurrent projects"), default=5)
    max_concurrent_lead = models.PositiveSmallIntegerField(
        _("max concurrent projects as principal investigator"), default=3
    )
    max_concurrent_projects_foreign = models.PositiveSmallIntegerField(
        _("max concurrent projects with a foreign partner"), default=6
    )
    max_concurrent_lead_foreign = models.PositiveSmallIntegerField(
        _("max as principal investigator with a foreign partner"), default=4
    )
    concurrency_grace_months = models.PositiveSmallIntegerField(
        _("projects ending within this many months of the deadline are not counted"), default=6
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name


class ConcurrencyExemption(models.Model):
    """A project kind a program does not count towards the concurrent-project limit."""

    program = models.ForeignKey(Program, models.CASCADE, related_name="concurrency_exemptions")
    kind = models.CharField(_("project kind"), max_length=20, choices=ProjectKind.choices)

    class Meta:
        verbose_name = _("concurrency exemption")
        verbose_name_plural = _("concurrency exemptions")
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="exemption_unique"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


DEFAULT_EXEMPT_KINDS = [k for k in ProjectKind.values if k in DECREE_EXEMPT_KINDS]


class CallQuerySet(models.QuerySet):
    def open_at(self, instant: dt.datetime) -> CallQuerySet:
        return self.filter(opens_at__lte=instant, closes_at__gt=instant)

    def with_status_at(self, status: str, instant: dt.datetime) -> CallQuerySet:
        if status == Call.Status.OPEN:
            return self.open_at(instant)
        if status == Call.Status.UPCOMING:
            return self.filter(opens_at__gt=instant)
        return self.filter(closes_at__lte=instant)


class Call(models.Model):
    """A call for proposals (공모) with the structured rules the system enforces."""

    class Status(models.TextChoices):
        UPCOMING = "upcoming", _("upcoming")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Stage(models.TextChoices):
        SINGLE = "single", _("single stage")
        FIRST = "first", _("first stage (pre-planning)")
        SECOND = "second", _("second stage (main)")

    program = models.ForeignKey(Program, models.PROTECT, related_name="calls", verbose_name=_("program"))
    # The stable name of the call in the API (/api/calls/{code}/): row ids are not part of the contract.
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        validators=[RegexValidator(r"[a-z]", _("A code has at least one letter."))],
        help_text=_("Stable identifier for integrations, e.g. megaproject-2026."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=240, blank=True)
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"), help_text=_("Submissions at or after this instant are late.")
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.SINGLE)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="next_stages",
        verbose_name=_("first-stage call"),
    )
    region_scheme = models.ForeignKey(RegionScheme, models.PROTECT, verbose_name=_("region scheme"))
    eligible_regions = models.ManyToManyField(
        Region, related_name="calls", verbose_name=_("eligible regions")
    )
    eligible_provinces = models.ManyToManyField(
        Province,
        related_name="calls",
        blank=True,
        verbose_name=_("eligible provinces"),
        help_text=_("Empty: every province of the eligible regions in force on the opening date."),
    )
    guideline = models.FileField(_("guideline (PDF)"), upload_to="guidelines/%Y/", blank=True)
    cutoff_score = models.DecimalField(
        _("cut-off score"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("70.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    enforce_concurrency_limit = models.BooleanField(
        _("apply the concurrent-project limit (3책5공)"), default=True
    )
    # Off for calls that set matching at the consortium level, like the megaproject (domain.md).
    per_firm_cost_sharing = models.BooleanField(
        _("apply per-firm cost sharing by firm size"),
        default=False,
        help_text=_(
            "Each firm's yearly budget against the cost-share rate table in force on the opening date."
        ),
    )
    project_starts_on = models.DateField(
        _("project starts on"),
        null=True,
        blank=True,
        help_text=_("First day of plan year 1; empty: 1 January of the year after the call's year."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def status_at(self, instant: dt.datetime) -> str:
        if instant < self.opens_at:
            return self.Status.UPCOMING
        if instant < self.closes_at:
            return self.Status.OPEN
        return self.Status.CLOSED

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label

    def is_open_at(self, instant: dt.datetime) -> bool:
        """Half-open [opens_at, closes_at): 17:59:59 before an 18:00 close is on time, 18:00 is late."""
        return self.opens_at <= instant < self.closes_at

    @property
    def first_budget_year(self) -> int:
        """The calendar year of plan year 1: budgets, KPIs and milestones are shown by calendar year."""
        return self.project_starts_on.year if self.project_starts_on else self.year + 1

    def calendar_year(self, plan_year: int) -> int:
        return self.first_budget_year + plan_year - 1

    def plan_year(self, calendar_year: int) -> int:
        return calendar_year - self.first_budget_year + 1

    @property
    def opening_date(self) -> dt.date:
        """The Asia/Seoul date of opening: the provinces in force on it are the call's."""
        return timezone.localdate(self.opens_at)


class Track(models.Model):
    """A track of a call (e.g. 초광역협력형, 지역혁신도약형) with its own rules."""

    call = models.ForeignKey(Call, models.CASCADE, related_name="tracks")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    national_cap_per_year_krw = models.PositiveBigIntegerField(_("national money cap per year (KRW)"))
    duration_years = models.PositiveSmallIntegerField(
        _("duration (years)"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    min_provinces = models.PositiveSmallIntegerField(
        _("minimum participating provinces"), default=1, validators=[MinValueValidator(1)]
    )
    quota_per_region = models.PositiveSmallIntegerField(
        _("projects selected per region"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["call", "id"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="track_code_unique_in_call"),
        ]

    def __str__(self) -> str:
        return self.name


class MoneySource(models.TextChoices):
    NATIONAL = "national", _("national grant")
    LOCAL_CASH = "local_cash", _("local matching cash")
    PRIVATE_CASH = "private_cash", _("private matching cash")
    PRIVATE_IN_KIND = "private_in_kind", _("private matching in kind")


class MatchingRule(models.Model):
    """sum(numerator sources) {>=,<=} percent% × sum(base sources), every plan year.

    E.g. the megaproject's default: local_cash >= 20% of (national + local_cash).
    """

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", _("at least")
        AT_MOST = "lte", _("at most")

    call = models.ForeignKey(Call, models.CASCADE, related_name="matching_rules")
    numerator_national = models.BooleanField(_("national grant (numerator)"), default=False)
    numerator_local_cash = models.BooleanField(_("local cash (numerator)"), default=False)
    numerator_private_cash = models.BooleanField(_("private cash (numerator)"), default=False)
    numerator_private_in_kind = models.BooleanField(_("private in kind (numerator)"), default=False)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices)
    percent = models.DecimalField(
        _("percent"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    base_national = models.BooleanField(_("national grant (base)"), default=False)
    base_local_cash = models.BooleanField(_("local cash (base)"), default=False)
    base_private_cash = models.BooleanField(_("private cash (base)"), default=False)
    base_private_in_kind = models.BooleanField(_("private in kind (base)"), default=False)

    class Meta:
        ordering = ["call", "id"]
        verbose_name = _("matching rule")
        verbose_name_plural = _("matching rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(numerator_national=True)
                | Q(numerator_local_cash=True)
                | Q(numerator_private_cash=True)
                | Q(numerator_private_in_kind=True),
                name="matching_rule_has_numerator",
            ),
            models.CheckConstraint(
                condition=Q(base_national=True)
                | Q(base_local_cash=True)
                | Q(base_private_cash=True)
                | Q(base_private_in_kind=True),
                name="matching_rule_has_base",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    @property
    def numerator_sources(self) -> list[str]:
        return [s for s in MoneySource.values if getattr(self, f"numerator_{s}")]

    @property
    def base_sources(self) -> list[str]:
        return [s for s in MoneySource.values if getattr(self, f"base_{s}")]

    def describe(self) -> str:
        labels = dict(MoneySource.choices)
        num = " + ".join(str(labels[s]) for s in self.numerator_sources)
        base = " + ".join(str(labels[s]) for s in self.base_sources)
        sign = "≥" if self.comparison == self.Comparison.AT_LEAST else "≤"
        return f"{num} {sign} {self.percent.normalize():f}% × ({base})"

    def holds(self, amounts: dict[str, int]) -> bool:
        """Exact integer test: 1 won short fails even where the percentage rounds to the limit."""
        numerator = sum(amounts.get(s, 0) for s in self.numerator_sources)
        base = sum(amounts.get(s, 0) for s in self.base_sources)
        # percent has two decimals: compare numerator × 10000 with basis points × base.
        basis_points = int(self.percent * 100)
        if self.comparison == self.Comparison.AT_LEAST:
            return numerator * 10000 >= basis_points * base
        return numerator * 10000 <= basis_points * base


class MemberTypeRequirement(models.Model):
    """A consortium must include at least `min_count` members of `organisation_type`, which may name
    a group of types ("firms of any size ≥ 2")."""

    call = models.ForeignKey(Call, models.CASCADE, related_name="member_requirements")
    organisation_type = models.CharField(
        _("organisation type"), max_length=30, choices=REQUIREMENT_TYPE_CHOICES
    )
    min_count = models.PositiveSmallIntegerField(
        _("minimum count"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("member type requirement")
        verbose_name_plural = _("member type requirements")
        constraints = [
            models.UniqueConstraint(fields=["call", "organisation_type"], name="member_requirement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_organisation_type_display()} ≥ {self.min_count}"

    @property
    def types(self) -> frozenset[str]:
        return types_of(self.organisation_type)


class RequiredDocument(models.Model):
    """A kind of document every application to the call must carry (the demo call: the plan)."""

    call = models.ForeignKey(Call, models.CASCADE, related_name="required_documents")
    kind = models.CharField(_("document kind"), max_length=20, choices=DocumentKind.choices)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(fields=["call", "kind"], name="required_document_unique"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class WorkerHeartbeat(models.Model):
    """The last time celery beat's heartbeat task ran in a worker (shown by /healthz)."""

    name = models.CharField(max_length=40, unique=True)
    last_seen_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class DeadlineExtension(models.Model):
    """An officer moved a call's close time after applications came in: who, when, why, from, to."""

    call = models.ForeignKey(Call, models.CASCADE, related_name="deadline_extensions", verbose_name=_("call"))
    old_closes_at = models.DateTimeField(_("previous close time"))
    new_closes_at = models.DateTimeField(_("new close time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["call", "at", "id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_closes_at__gt=models.F("old_closes_at")), name="extension_moves_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call}: {self.old_closes_at:%Y-%m-%d %H:%M} → {self.new_closes_at:%Y-%m-%d %H:%M}"


class CostShareRate(models.Model):
    """How a firm's project cost is shared, by firm size, from a date: a versioned table that an
    administrator extends when the law changes (a new row with a later date), never constants.

    Government money (national grant and local cash) is at most `government_max_percent` of the
    firm's yearly total; the firm's own share (private cash and in kind) is the rest, and its cash
    at least `own_cash_min_percent` of that own share. A call applies the rates in force on its
    opening date when `Call.per_firm_cost_sharing` is on.
    """

    organisation_type = models.CharField(_("firm type"), max_length=30)
    effective_from = models.DateField(_("in force from"))
    government_max_percent = models.PositiveSmallIntegerField(
        _("government share at most (%)"), validators=[MaxValueValidator(100)]
    )
    own_cash_min_percent = models.PositiveSmallIntegerField(
        _("cash at least (% of the firm's own share)"), validators=[MaxValueValidator(100)]
    )
    source = models.CharField(_("legal source"), max_length=200, blank=True)

    class Meta:
        ordering = ["organisation_type", "-effective_from"]
        verbose_name = _("cost-share rate")
        verbose_name_plural = _("cost-share rates")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_type", "effective_from"], name="cost_share_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_type} {self.effective_from}: ≤{self.government_max_percent}%"

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from consortia.business_number import validate_business_number
from consortia.choices import FIRM_TYPES, DocumentKind, KpiIndicator, OrganisationType
from programs.models import Call, ProjectKind, Province, Track


class Organisation(models.Model):
    """A university, institute, firm, agency or local government that takes part in consortia."""

    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    province = models.ForeignKey(
        Province, models.PROTECT, related_name="organisations", verbose_name=_("province")
    )
    department = models.CharField(
        _("department"), max_length=120, blank=True, help_text=_("For universities and institutes.")
    )
    business_number = models.CharField(
        _("business registration number"),
        max_length=10,
        blank=True,
        validators=[validate_business_number],
        help_text=_("10 digits (hyphens allowed); required for firms."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganisationStaff",
        through_fields=("organisation", "user"),
        related_name="organisations",
        blank=True,
        verbose_name=_("staff"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["business_number"],
                condition=~Q(business_number=""),
                name="business_number_unique",
            ),
        ]
        # The admin's list, in name order: read a page by walking it, not by sorting the scope.
        indexes = [models.Index(fields=["name", "id"], name="organisation_name_order")]

    def __str__(self) -> str:
        return f"{self.name} {self.department}".strip()

    @property
    def is_firm(self) -> bool:
        return self.type in FIRM_TYPES


class OrganisationStaff(models.Model):
    """A user's membership of an organisation; for a local government only a verified one counts.

    Registering an organisation, or saying one works for it, makes a pending row: an
    administrator confirms it (verified_at, verified_by) before the user may act for a local
    government (form its consortium, accept an invitation to co-lead, submit for it).
    """

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="staff_memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_memberships")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True, null=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )

    class Meta:
        # The table of the former plain many-to-many field, hence unique_together and its name.
        db_table = "consortia_organisation_staff"
        unique_together = [("organisation", "user")]
        verbose_name = _("organisation staff")
        verbose_name_plural = _("organisation staff")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class OrganisationProvinceChange(models.Model):
    """An organisation moved province (its province ended, or it relocated): the history."""

    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="province_changes")
    from_province = models.ForeignKey(Province, models.PROTECT, related_name="+")
    to_province = models.ForeignKey(Province, models.PROTECT, related_name="+")
    effective_on = models.DateField(_("effective on"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "effective_on"]
        verbose_name = _("organisation province change")
        verbose_name_plural = _("organisation province changes")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.from_province} → {self.to_province}"


class Consortium(models.Model):
    """A project organisation (사업단) led by one or more local governments."""

    name = models.CharField(_("name"), max_length=160)
    representative = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="represented_consortia",
        verbose_name=_("representative local government"),
        limit_choices_to={"type": OrganisationType.LOCAL_GOVERNMENT},
    )
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="consortia", blank=True, verbose_name=_("contacts")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")

    def __str__(self) -> str:
        return self.name


class CoLeadInvitation(models.Model):
    """A consortium asks a local government to co-lead it; its verified staff accept or decline."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    consortium = models.ForeignKey(Consortium, models.CASCADE, related_name="co_lead_invitations")
    organisation = models.ForeignKey(
        Organisation,
        models.CASCADE,
        related_name="co_lead_invitations",
        verbose_name=_("local government"),
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("co-lead invitation")
        verbose_name_plural = _("co-lead invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "organisation"],
                condition=Q(state="pending"),
                name="one_pending_co_lead_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consortium} → {self.organisation}"


class ConsortiumMember(models.Model):
    """An organisation's place in a consortium, with its role in R&D law's terms."""

    class Role(models.TextChoices):
        LEAD_GOVERNMENT = "lead_government", _("lead local government")
        LEAD_INSTITUTION = "lead", _("lead institution (주관연구개발기관)")
        PARTNER = "partner", _("partner (공동연구개발기관)")
        SUBCONTRACTOR = "subcontractor", _("subcontractor (위탁연구개발기관)")

    consortium = models.ForeignKey(Consortium, models.CASCADE, related_name="members")
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.CharField(_("department"), max_length=120, blank=True)

    class Meta:
        ordering = ["consortium", "id"]
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        constraints = [
            models.UniqueConstraint(fields=["consortium", "organisation"], name="member_once_per_consortium"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Application(models.Model):
    """A consortium's proposal to one track of a call."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        SCREENING = "screening", _("eligibility screening")
        UNDER_REVIEW = "under_review", _("under review")
        SELECTED = "selected", _("selected")
        NOT_SELECTED = "not_selected", _("not selected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # States that hold a province's slot in a track (domain.md).
    SLOT_HOLDING = (State.SUBMITTED, State.SCREENING, State.UNDER_REVIEW, State.SELECTED)

    call = models.ForeignKey(Call, models.PROTECT, related_name="applications", verbose_name=_("call"))
    track = models.ForeignKey(Track, models.PROTECT, related_name="applications", verbose_name=_("track"))
    consortium = models.ForeignKey(
        Consortium, models.PROTECT, related_name="applications", verbose_name=_("consortium")
    )
    title = models.CharField(_("title"), max_length=200)
    future_technology = models.CharField(_("future technology"), max_length=120, blank=True)
    key_industry = models.CharField(_("regional key industry"), max_length=120, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # protected: only transitions move it; re-fetch instead of refresh_from_db().
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, protected=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # 접수번호: a stable human number assigned at submission, e.g. 2026-LEAP-0007.
    receipt_number = models.CharField(_("receipt number"), max_length=60, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "receipt_number"],
                condition=~Q(receipt_number=""),
                name="receipt_number_unique_in_call",
            ),
        ]
        indexes = [
            # The lists' order: the top 50 of a scope read in index order, not sorted.
            models.Index(fields=["-created_at", "-id"], name="application_newest_first"),
        ]

    def __str__(self) -> str:
        return self.title

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self, *, at) -> None:
        self.submitted_at = at

    @transition(field=state, source=State.SUBMITTED, target=State.SCREENING)
    def start_screening(self) -> None:
        pass

    @transition(field=state, source=State.SCREENING, target=State.UNDER_REVIEW)
    def start_review(self) -> None:
        pass

    @transition(field=state, source=State.UNDER_REVIEW, target=State.SELECTED)
    def select(self) -> None:
        pass

    @transition(field=state, source=[State.SCREENING, State.UNDER_REVIEW], target=State.NOT_SELECTED)
    def reject(self) -> None:
        pass

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED], target=State.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    @transition(field=state, source=[State.SELECTED, State.NOT_SELECTED], target=State.UNDER_REVIEW)
    def reopen_review(self) -> None:
        """An upheld objection (이의신청) reopens the review, by the ministry's decision."""


class ApplicationLeadProvince(models.Model):
    """A lead local government's province as the application was made under it (taken at submit).

    The province is the one the call used: the organisation's province on the call's opening
    date. Later moves (mergers, relocations) never rewrite it; awards copy it at selection.
    """

    application = models.ForeignKey(Application, models.CASCADE, related_name="lead_provinces")
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    province = models.ForeignKey(Province, models.PROTECT, related_name="+", verbose_name=_("province"))
    is_representative = models.BooleanField(_("representative"), default=False)

    class Meta:
        ordering = ["application", "-is_representative", "id"]
        verbose_name = _("lead province at submission")
        verbose_name_plural = _("lead provinces at submission")
        constraints = [
            models.UniqueConstraint(fields=["application", "organisation"], name="lead_province_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.province}"


class ApplicationEvent(models.Model):
    """One state change of an application: who, when, from, to, why (the timeline)."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    from_state = models.CharField(max_length=20, choices=Application.State.choices)
    to_state = models.CharField(max_length=20, choices=Application.State.choices)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class BudgetLine(models.Model):
    """One member's money for one plan year (1-based), in whole won per source."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="budget_lines")
    member = models.ForeignKey(ConsortiumMember, models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("plan year"), validators=[MinValueValidator(1)])
    # R&D or non-R&D (the national innovation cluster splits every year so); R&D unless stated.
    line = models.CharField(
        _("budget line"), max_length=10, choices=[("rnd", _("R&D")), ("non_rnd", _("non-R&D"))], default="rnd"
    )
    national_krw = models.PositiveBigIntegerField(_("national grant"), default=0)
    local_cash_krw = models.PositiveBigIntegerField(_("local matching cash"), default=0)
    private_cash_krw = models.PositiveBigIntegerField(_("private matching cash"), default=0)
    private_in_kind_krw = models.PositiveBigIntegerField(_("private matching in kind"), default=0)

    class Meta:
        ordering = ["application", "year", "member"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["application", "member", "year"], name="budget_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member} Y{self.year}"


class Notice(models.Model):
    """An email the system owes: an outbox row written in the same transaction as its cause.

    What is guaranteed: at-least-once delivery. The row is committed with the write that owes
    it, so a broker that is down only delays it: a beat sweep (consortia.tasks.
    requeue_stale_notices) queues every owed notice again once it is older than
    NOTICE_REQUEUE_GRACE_SECONDS. A worker sends only after claiming the row by a conditional
    UPDATE, so a task delivered twice sends once; a claim is a lease of
    NOTICE_CLAIM_LEASE_SECONDS, after which a dead worker's notice is sent again. Duplicates are
    therefore rare but possible: a worker killed after the SMTP server took the message and
    before it recorded sent_at makes the next attempt send it again (with the same Message-ID,
    which mail systems may use to drop the copy). Each attempt counts; after NOTICE_MAX_ATTEMPTS
    the notice is FAILED with its last error, for an administrator to resend.

    `dedupe_key` is unique, so "exactly one notice per X" is a database constraint.
    Create notices with consortia.notices.queue_notice().
    """

    class Kind:
        """Kinds are free text so other apps add theirs ("award.notice"); these are ours."""

        RECEIPT = "receipt"

    class Status(models.TextChoices):
        OWED = "owed", _("owed")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=60)
    dedupe_key = models.CharField(_("deduplication key"), max_length=255, unique=True)
    recipients = models.JSONField(_("recipients"), help_text=_("Email addresses, checked on creation."))
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"))
    # The application it is about, when it is about one (officers' filters); `about` otherwise.
    application = models.ForeignKey(
        Application, models.CASCADE, null=True, blank=True, related_name="notices"
    )
    about_type = models.ForeignKey(ContentType, models.CASCADE, null=True, blank=True, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OWED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    due_at = models.DateTimeField(_("next attempt from"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [
            # The sweep's query: owed notices by the time their next attempt may start.
            models.Index(fields=["due_at"], condition=Q(status="owed"), name="notice_owed_by_due"),
            models.Index(fields=["about_type", "about_id"], name="notice_about"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="sent") & Q(sent_at__isnull=False))
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="notice_sent_iff_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {', '.join(self.recipients or [])}"


class Person(models.Model):
    """A researcher, identified by the national researcher number (국가연구자번호)."""

    name = models.CharField(_("name"), max_length=80)
    researcher_number = models.CharField(
        _("national researcher number"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", _("A national researcher number is 8 digits."))],
    )
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.name} ({self.researcher_number})"


class Affiliation(models.Model):
    """A person's affiliation with an organisation and department over a period."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="affiliations")
    department = models.CharField(_("department"), max_length=120, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["person", "-since"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")), name="affiliation_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.organisation}"


class DeclaredProject(models.Model):
    """A national R&D project a researcher declares from outside the system (3책5공 counting).

    An applicant declares it on their application (`application`): it counts for that
    application only, so one consortium cannot block another's researcher with projects it
    made up. One an administrator records (no application) counts for every application.
    """

    person = models.ForeignKey(Person, models.CASCADE, related_name="declared_projects")
    application = models.ForeignKey(
        "Application",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="declared_projects",
        verbose_name=_("declared on application"),
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("project kind"), max_length=20, choices=ProjectKind.choices, default=ProjectKind.RESEARCH
    )
    as_principal_investigator = models.BooleanField(_("as principal investigator"), default=False)
    with_foreign_partner = models.BooleanField(_("with a foreign corporation"), default=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["person", "ends_on"]
        verbose_name = _("declared project")
        verbose_name_plural = _("declared projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="declared_project_period"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ApplicationPerson(models.Model):
    """A researcher on an application, in a member organisation, with a role."""

    class Role(models.TextChoices):
        DIRECTOR = "director", _("project director")
        PRINCIPAL_INVESTIGATOR = "pi", _("principal investigator (연구책임자)")
        RESEARCHER = "researcher", _("researcher")

    LEAD_ROLES = (Role.DIRECTOR, Role.PRINCIPAL_INVESTIGATOR)

    application = models.ForeignKey(Application, models.CASCADE, related_name="people")
    member = models.ForeignKey(ConsortiumMember, models.CASCADE, related_name="people")
    person = models.ForeignKey(Person, models.PROTECT, related_name="application_roles")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        ordering = ["application", "role", "id"]
        verbose_name = _("application researcher")
        verbose_name_plural = _("application researchers")
        constraints = [
            models.UniqueConstraint(fields=["application", "person"], name="person_once_per_application"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class KpiTarget(models.Model):
    """A yearly target for one indicator of the typed KPI catalogue."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="kpi_targets")
    indicator = models.CharField(_("indicator"), max_length=30, choices=KpiIndicator.choices)
    year = models.PositiveSmallIntegerField(_("plan year"), validators=[MinValueValidator(1)])
    value = models.PositiveBigIntegerField(_("target"))

    class Meta:
        ordering = ["application", "indicator", "year"]
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.UniqueConstraint(fields=["application", "indicator", "year"], name="kpi_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} Y{self.year}: {self.value}"


class PlannedMilestone(models.Model):
    """A milestone the application plans (deliverable, report) in a plan year."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="milestones")
    year = models.PositiveSmallIntegerField(_("plan year"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["application", "year", "id"]
        verbose_name = _("planned milestone")
        verbose_name_plural = _("planned milestones")

    def __str__(self) -> str:
        return self.title


def document_path(instance: ApplicationDocument, filename: str) -> str:
    return f"applications/{instance.application_id}/{filename}"


class ApplicationDocument(models.Model):
    """An uploaded document; the type is checked by content (magic bytes), not by name."""

    Kind = DocumentKind

    application = models.ForeignKey(Application, models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=document_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application", "kind", "uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name


class Export(models.Model):
    """An officer's xlsx export, built by a worker: the application list, a dashboard, a panel's
    results. What to build is `kind` with its `params`; how, and who may ask, is the registry in
    consortia.export_jobs."""

    class Kind(models.TextChoices):
        APPLICATIONS = "applications", _("applications")
        AWARDS_DASHBOARD = "awards_dashboard", _("awards dashboard")
        MONITORING_DASHBOARD = "monitoring_dashboard", _("monitoring dashboard")
        PANEL_RESULTS = "panel_results", _("panel results")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.APPLICATIONS)
    # Filters of the kind (a call id, a panel id), checked by the kind's schema in request_export.
    # The officer's program scope is not here: the worker reads it from requested_by.
    params = models.JSONField(default=dict, blank=True)
    # Applications only: the ids as the officer's filtered list showed them, in its order (the
    # export is of that moment; a list of thousands would not read well inside params).
    application_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Why a FAILED export failed, shown on its page (a domain message, or the exception's text).
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["status", "created_at"], name="export_status_created")]

    def __str__(self) -> str:
        return f"export {self.pk} {self.kind} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        # A dashboard's row count is known only once its worker starts: 0 until then.
        return 0 if not self.rows_total else min(100, self.rows_done * 100 // self.rows_total)

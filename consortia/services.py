"""Writes to organisations, consortia and applications. Each one checks permission and state,
runs in a transaction and, for state changes, writes the audit record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from config.errors import fields_from_django
from consortia import permissions
from consortia.business_number import normalise_business_number
from consortia.choices import OrganisationType
from consortia.documents import sniff_document_type
from consortia.exceptions import InvalidInput, InvalidTransition, NotEditable, RulesBroken
from consortia.models import (
    Affiliation,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationPerson,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    KpiTarget,
    Notice,
    Organisation,
    OrganisationProvinceChange,
    Person,
    PlannedMilestone,
)
from consortia.notices import queue_notice
from consortia.notifications import notify_state_change
from consortia.rules import check_application
from programs.models import Call, Province, Track
from programs.selectors import province_successors

# --- organisations and consortia -------------------------------------------------------------


def _full_clean(obj, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(
            _("Please correct the highlighted fields."), fields=fields_from_django(exc)
        ) from None


@transaction.atomic
def create_organisation(
    *,
    actor,
    name: str,
    type: str,
    province: Province,
    business_number: str = "",
    department: str = "",
    name_en: str = "",
) -> Organisation:
    """Registers an organisation (business number normalised and check-digit validated)."""
    if not actor.is_authenticated:
        raise PermissionDenied
    org = Organisation(
        name=name,
        name_en=name_en,
        type=type,
        province=province,
        department=department,
        business_number=normalise_business_number(business_number),
    )
    if province.effective_to is not None and province.effective_to < timezone.localdate():
        raise InvalidInput(
            _("This province is no longer in force."),
            fields={"province": [_("%(p)s ended on %(d)s.") % {"p": province, "d": province.effective_to}]},
        )
    if (
        org.type
        in (
            OrganisationType.LARGE_FIRM,
            OrganisationType.MIDSIZE_FIRM,
            OrganisationType.SME,
            OrganisationType.STARTUP,
        )
        and not org.business_number
    ):
        raise InvalidInput(
            _("A firm needs its business registration number."),
            fields={"business_number": [_("Required for firms.")]},
        )
    if org.business_number and Organisation.objects.filter(business_number=org.business_number).exists():
        raise InvalidInput(
            _("This business registration number is already registered."),
            fields={"business_number": [_("Already registered: choose the existing organisation.")]},
        )
    _full_clean(org)
    org.save()
    org.staff.add(actor)
    return org


@transaction.atomic
def move_organisations_to_successors(*, on: dt.date) -> int:
    """Organisations of provinces ended before `on` move to the successor; history keeps the old one."""
    moved = 0
    ended = Province.objects.filter(effective_to__lt=on, organisations__isnull=False).distinct()
    for old in ended:
        successors = province_successors(province=old, on=on)
        if len(successors) != 1:
            continue  # a split needs an administrator's decision per organisation
        new = successors[0]
        for org in Organisation.objects.select_for_update().filter(province=old):
            OrganisationProvinceChange.objects.create(
                organisation=org, from_province=old, to_province=new, effective_on=new.effective_from
            )
            org.province = new
            org.save(update_fields=["province"])
            moved += 1
    return moved


@transaction.atomic
def create_consortium(*, actor, name: str, representative: Organisation) -> Consortium:
    """Creates a consortium led by `representative`; the actor becomes its contact."""
    if not actor.is_authenticated:
        raise PermissionDenied
    if representative.type != OrganisationType.LOCAL_GOVERNMENT:
        raise InvalidInput(
            _("A consortium is led by a local government."),
            fields={"representative": [_("Choose a local government.")]},
        )
    if not name.strip():
        raise InvalidInput(_("Please correct the highlighted fields."), fields={"name": [_("Required.")]})
    if not (actor.is_superuser or representative.staff.filter(pk=actor.pk).exists()):
        raise InvalidInput(
            _("Only staff of a local government can form its consortium."),
            fields={"representative": [_("You are not registered as staff of this local government.")]},
        )
    consortium = Consortium.objects.create(name=name.strip(), representative=representative)
    consortium.contacts.add(actor)
    ConsortiumMember.objects.create(
        consortium=consortium, organisation=representative, role=ConsortiumMember.Role.LEAD_GOVERNMENT
    )
    return consortium


def _consortium_for_edit(actor, consortium_id: int) -> Consortium:
    consortium = Consortium.objects.select_for_update().get(pk=consortium_id)
    if not permissions.can_edit_consortium(actor, consortium):
        raise PermissionDenied
    if consortium.applications.exclude(
        state__in=[Application.State.DRAFT, Application.State.WITHDRAWN]
    ).exists():
        raise NotEditable(_("Members cannot change while an application of this consortium is submitted."))
    return consortium


@transaction.atomic
def add_member(
    *, actor, consortium_id: int, organisation: Organisation, role: str, department: str = ""
) -> ConsortiumMember:
    """Adds an organisation to the consortium with a role in R&D law's terms."""
    consortium = _consortium_for_edit(actor, consortium_id)
    if role not in ConsortiumMember.Role.values:
        raise InvalidInput(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    if (
        role == ConsortiumMember.Role.LEAD_GOVERNMENT
        and organisation.type != OrganisationType.LOCAL_GOVERNMENT
    ):
        raise InvalidInput(
            _("Only a local government can be a lead local government."),
            fields={"role": [_("Only a local government can be a lead local government.")]},
        )
    if consortium.members.filter(organisation=organisation).exists():
        raise InvalidInput(
            _("This organisation is already a member."), fields={"organisation": [_("Already a member.")]}
        )
    return ConsortiumMember.objects.create(
        consortium=consortium, organisation=organisation, role=role, department=department
    )


@transaction.atomic
def register_member(
    *, actor, consortium_id: int, role: str, department: str = "", **organisation: Any
) -> ConsortiumMember:
    """Registers a new organisation and adds it to the consortium: both or neither."""
    org = create_organisation(actor=actor, department=department, **organisation)
    return add_member(
        actor=actor, consortium_id=consortium_id, organisation=org, role=role, department=department
    )


@transaction.atomic
def create_consortium_with_new_government(
    *, actor, name: str, government_name: str, province: Province
) -> Consortium:
    """Registers the actor's local government and creates the consortium it leads: both or neither.

    The government's field errors come back as government_name / government_province.
    """
    try:
        government = create_organisation(
            actor=actor, name=government_name, type=OrganisationType.LOCAL_GOVERNMENT, province=province
        )
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message, fields={f"government_{k}": v for k, v in exc.fields.items()}
        ) from None
    return create_consortium(actor=actor, name=name, representative=government)


@transaction.atomic
def remove_member(*, actor, member_id: int) -> None:
    member = ConsortiumMember.objects.select_related("consortium").get(pk=member_id)
    consortium = _consortium_for_edit(actor, member.consortium_id)
    if member.organisation_id == consortium.representative_id:
        raise InvalidInput(
            _("The representative local government cannot be removed."),
            fields={"members": [_("The representative local government cannot be removed.")]},
        )
    member.delete()


# --- applications: drafts -------------------------------------------------------------------


@transaction.atomic
def create_application(
    *, actor, consortium_id: int, call: Call, track: Track, title: str, **fields: Any
) -> Application:
    """Starts a draft application of the consortium to one track of a call."""
    consortium = Consortium.objects.get(pk=consortium_id)
    if not permissions.can_edit_consortium(actor, consortium):
        raise PermissionDenied
    if track.call_id != call.pk:
        raise InvalidInput(
            _("The track is not a track of this call."), fields={"track": [_("Not in this call.")]}
        )
    application = Application(
        consortium=consortium, call=call, track=track, title=title, created_by=actor, **fields
    )
    _full_clean(application, exclude=["state"])
    application.save()
    return application


def _draft_for_edit(actor, application_id: int) -> Application:
    # of=("self",): lock this application only, not the call every applicant shares.
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "track", "consortium")
        .get(pk=application_id)
    )
    if not permissions.can_edit_application(actor, application):
        raise PermissionDenied
    if application.state != Application.State.DRAFT:
        raise NotEditable(_("Only a draft can be edited."))
    return application


EDITABLE_FIELDS = ("title", "future_technology", "key_industry", "summary")


@transaction.atomic
def update_application(*, actor, application_id: int, **fields: Any) -> Application:
    """Changes a draft's basics (title, theme, summary)."""
    application = _draft_for_edit(actor, application_id)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here."), fields={f: [_("Not editable.")] for f in unknown}
        )
    for key, value in fields.items():
        setattr(application, key, value)
    _full_clean(application, exclude=["state"])
    application.save(update_fields=list(fields))
    return application


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_plan_year(errors: dict[str, list[str]], key: str, year: Any, duration: int) -> None:
    if not (_is_count(year) and 1 <= year <= duration):
        errors.setdefault(key, []).append(
            _("The plan year must be between 1 and %(n)d (the track's duration).") % {"n": duration}
        )


MONEY_FIELDS = ("national_krw", "local_cash_krw", "private_cash_krw", "private_in_kind_krw")


@transaction.atomic
def set_budget(*, actor, application_id: int, rows: list[dict[str, Any]]) -> list[BudgetLine]:
    """Replaces the draft's budget plan: one row per member and plan year, whole won per source."""
    application = _draft_for_edit(actor, application_id)
    member_ids = set(application.consortium.members.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    seen: set[tuple[int, int]] = set()
    duration = application.track.duration_years
    for i, row in enumerate(rows):
        member_id, year = row.get("member"), row.get("year")
        if member_id not in member_ids:
            errors.setdefault(f"rows.{i}.member", []).append(_("Not a member of this consortium."))
        _check_plan_year(errors, f"rows.{i}.year", year, duration)
        if (member_id, year) in seen:
            errors.setdefault(f"rows.{i}.year", []).append(_("This member already has a row for this year."))
        seen.add((member_id, year))
        for field in MONEY_FIELDS:
            value = row.get(field, 0)
            if not _is_count(value):
                errors.setdefault(f"rows.{i}.{field}", []).append(_("Enter whole won, zero or more."))
    if errors:
        raise InvalidInput(_("The budget plan has errors; nothing was saved."), fields=errors)
    application.budget_lines.all().delete()
    return BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                application=application,
                member_id=row["member"],
                year=row["year"],
                **{f: row.get(f, 0) for f in MONEY_FIELDS},
            )
            for row in rows
        ]
    )


@transaction.atomic
def set_kpi_targets(*, actor, application_id: int, rows: list[dict[str, Any]]) -> list[KpiTarget]:
    """Replaces the draft's KPI targets (indicator from the catalogue, plan year, value)."""
    from consortia.choices import KpiIndicator

    application = _draft_for_edit(actor, application_id)
    duration = application.track.duration_years
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        if row.get("indicator") not in KpiIndicator.values:
            errors.setdefault(f"rows.{i}.indicator", []).append(_("Choose an indicator from the catalogue."))
        year = row.get("year")
        _check_plan_year(errors, f"rows.{i}.year", year, duration)
        value = row.get("value")
        if not _is_count(value):
            errors.setdefault(f"rows.{i}.value", []).append(_("Enter a whole number, zero or more."))
    keys = [(r.get("indicator"), r.get("year")) for r in rows]
    if len(keys) != len(set(keys)):
        errors.setdefault("rows", []).append(_("Each indicator appears once per year."))
    if errors:
        raise InvalidInput(_("The KPI targets have errors; nothing was saved."), fields=errors)
    application.kpi_targets.all().delete()
    return KpiTarget.objects.bulk_create(
        [
            KpiTarget(application=application, indicator=r["indicator"], year=r["year"], value=r["value"])
            for r in rows
        ]
    )


@transaction.atomic
def set_milestones(*, actor, application_id: int, rows: list[dict[str, Any]]) -> list[PlannedMilestone]:
    """Replaces the draft's planned milestones."""
    application = _draft_for_edit(actor, application_id)
    duration = application.track.duration_years
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        year = row.get("year")
        _check_plan_year(errors, f"rows.{i}.year", year, duration)
        title = (row.get("title") or "").strip()
        if not title:
            errors.setdefault(f"rows.{i}.title", []).append(_("Required."))
        elif len(title) > 200:
            errors.setdefault(f"rows.{i}.title", []).append(_("At most 200 characters."))
    if errors:
        raise InvalidInput(_("The milestones have errors; nothing was saved."), fields=errors)
    application.milestones.all().delete()
    return PlannedMilestone.objects.bulk_create(
        [
            PlannedMilestone(
                application=application,
                year=r["year"],
                title=r["title"].strip(),
                description=r.get("description", ""),
            )
            for r in rows
        ]
    )


@transaction.atomic
def set_people(*, actor, application_id: int, rows: list[dict[str, Any]]) -> list[ApplicationPerson]:
    """Replaces the draft's researchers: {member, role, name, researcher_number, email}."""
    application = _draft_for_edit(actor, application_id)
    member_ids = set(application.consortium.members.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    people: list[ApplicationPerson] = []
    numbers: set[str] = set()
    directors = sum(1 for r in rows if r.get("role") == ApplicationPerson.Role.DIRECTOR)
    if directors > 1:
        errors.setdefault("rows", []).append(_("An application has one project director."))
    for i, row in enumerate(rows):
        if row.get("member") not in member_ids:
            errors.setdefault(f"rows.{i}.member", []).append(_("Not a member of this consortium."))
        if row.get("role") not in ApplicationPerson.Role.values:
            errors.setdefault(f"rows.{i}.role", []).append(_("Unknown role."))
        number = str(row.get("researcher_number", "")).strip()
        if not (len(number) == 8 and number.isdigit()):
            errors.setdefault(f"rows.{i}.researcher_number", []).append(
                _("A national researcher number is 8 digits.")
            )
        elif number in numbers:
            errors.setdefault(f"rows.{i}.researcher_number", []).append(
                _("This researcher is already listed on the application.")
            )
        else:
            known = Person.objects.filter(researcher_number=number).values_list("name", flat=True).first()
            typed = (row.get("name") or "").strip()
            if known and typed and typed != known:
                errors.setdefault(f"rows.{i}.name", []).append(
                    _("Researcher number %(number)s is registered to %(name)s.")
                    % {"number": number, "name": known}
                )
        numbers.add(number)
    if errors:
        raise InvalidInput(_("The researchers have errors; nothing was saved."), fields=errors)
    application.people.all().delete()
    for row in rows:
        person, _created = Person.objects.get_or_create(
            researcher_number=str(row["researcher_number"]).strip(),
            defaults={"name": row.get("name", "").strip() or "?", "email": row.get("email", "")},
        )
        member = application.consortium.members.select_related("organisation").get(pk=row["member"])
        # Affiliation history: a person named for a member is affiliated with it from today.
        if not person.affiliations.filter(organisation=member.organisation_id, until__isnull=True).exists():
            Affiliation.objects.create(
                person=person,
                organisation=member.organisation,
                department=member.department,
                since=timezone.localdate(),
            )
        people.append(
            ApplicationPerson.objects.create(
                application=application, member_id=row["member"], person=person, role=row["role"]
            )
        )
    return people


@transaction.atomic
def upload_document(*, actor, application_id: int, kind: str, upload: UploadedFile) -> ApplicationDocument:
    """Stores a document after checking its size and its type by content (PDF, HWP, HWPX, DOCX, XLSX)."""
    application = _draft_for_edit(actor, application_id)
    if kind not in ApplicationDocument.Kind.values:
        raise InvalidInput(_("Unknown document kind."), fields={"kind": [_("Unknown document kind.")]})
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise InvalidInput(
            _("The file is too large."),
            fields={"file": [_("At most %(mb)d MB.") % {"mb": settings.DOCUMENT_MAX_BYTES // 2**20}]},
        )
    detected = sniff_document_type(upload)
    if detected is None:
        raise InvalidInput(
            _("This file type is not accepted."),
            fields={
                "file": [_("Upload a PDF, HWP, HWPX, DOCX or XLSX file; the content decides, not the name.")]
            },
        )
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=upload.name[:200],
        content_type=detected,
        size=upload.size,
        uploaded_by=actor,
    )
    document.file.save(upload.name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def delete_document(*, actor, document_id: int) -> None:
    document = ApplicationDocument.objects.get(pk=document_id)
    _draft_for_edit(actor, document.application_id)
    document.file.delete(save=False)
    document.delete()


# --- applications: workflow -----------------------------------------------------------------


def _record(application: Application, actor, before: str, reason: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application, actor=actor, from_state=before, to_state=application.state, reason=reason
    )


def receipt_number_for(application: Application) -> str:
    """The next 접수번호 of the application's track: `<call year>-<TRACK CODE>-<nnnn>`, unique per call.

    Called by submit_application under its lock on the track, so two submissions to one track
    cannot draw the same number; numbers are never reused (withdrawn applications keep theirs).
    """
    taken = Application.objects.filter(track=application.track_id).exclude(receipt_number="").count()
    return f"{application.call.year}-{application.track.code.upper()}-{taken + 1:04d}"


@transaction.atomic
def submit_application(*, actor, application_id: int, at: dt.datetime | None = None) -> Application:
    """Draft -> SUBMITTED when every rule of the call holds; records the actor; queues the receipts."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "track", "consortium__representative")
        .get(pk=application_id)
    )
    if not permissions.can_submit(actor, application):
        raise PermissionDenied
    if not can_proceed(application.submit):
        raise InvalidTransition(
            _("Only a draft can be submitted."), fields={"state": [application.get_state_display()]}
        )
    # Serialise submissions per track: the one-province-one-slot rule reads other applications.
    Track.objects.select_for_update().get(pk=application.track_id)
    now = at or timezone.now()
    if failures := check_application(application, at=now):
        raise RulesBroken(_("The application does not meet the call's rules."), failures=failures)
    before = application.state
    application.submit(at=now)
    application.receipt_number = receipt_number_for(application)
    application.save(update_fields=["state", "submitted_at", "receipt_number"])
    _record(application, actor, before)
    recipients = sorted(
        {u.email for u in application.consortium.contacts.all() if u.email} | {actor.email} - {""}
    )
    for email in recipients:
        # One receipt per person and application, whoever submits and however often.
        queue_notice(
            kind=Notice.Kind.RECEIPT,
            to=[email],
            subject_template="consortia/email/receipt_subject.txt",
            body_template="consortia/email/receipt.txt",
            context={
                "application": application,
                "submitted_at": timezone.localtime(application.submitted_at),
            },
            dedupe_key=f"receipt:application:{application.pk}:{email}",
            about=application,
        )
    return application


@transaction.atomic
def withdraw_application(*, actor, application_id: int, reason: str = "") -> Application:
    """Draft or submitted -> WITHDRAWN (frees the province slot)."""
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application_id)
    )
    if not permissions.can_withdraw(actor, application):
        raise PermissionDenied
    if not can_proceed(application.withdraw):
        raise InvalidTransition(
            _("Only a draft or a submitted application can be withdrawn."),
            fields={"state": [application.get_state_display()]},
        )
    before = application.state
    application.withdraw()
    application.save(update_fields=["state"])
    _record(application, actor, before, reason)
    return application


OFFICER_STEPS = {
    "start_screening": Application.State.SCREENING,
    "start_review": Application.State.UNDER_REVIEW,
    "select": Application.State.SELECTED,
    "reject": Application.State.NOT_SELECTED,
}


@transaction.atomic
def decide_application(*, actor, application_id: int, step: str, reason: str = "") -> Application:
    """An officer's workflow step: screening, review, selected or not selected, with the reason."""
    if step not in OFFICER_STEPS:
        raise InvalidInput(_("Unknown step."), fields={"step": [_("Unknown step.")]})
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("call").get(pk=application_id)
    )
    if not permissions.can_decide(actor, application):
        raise PermissionDenied
    method = getattr(application, step)
    if not can_proceed(method):
        raise InvalidTransition(
            _("This step is not possible from the state %(state)s.")
            % {"state": application.get_state_display()},
            fields={"state": [application.get_state_display()]},
        )
    if step in ("select", "reject") and not reason.strip():
        raise InvalidInput(_("A decision needs its reason."), fields={"reason": [_("Required.")]})
    before = application.state
    method()
    application.save(update_fields=["state"])
    _record(application, actor, before, reason)
    notify_state_change(application, reason=reason)  # the applicants' email, once per state
    return application

"""Writes to organisations, consortia and applications. Each one checks permission and state,
runs in a transaction and, for state changes, writes the audit record."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from config.errors import fields_from_django
from config.inputs import is_ascii_digits
from consortia import locks, permissions
from consortia.business_number import normalise_business_number
from consortia.choices import OrganisationType
from consortia.documents import DocumentRefused, check_document, spooled_copy
from consortia.exceptions import InvalidInput, InvalidTransition, MemberInUse, NotEditable, RulesBroken
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLeadProvince,
    ApplicationPerson,
    BudgetLine,
    CoLeadInvitation,
    Consortium,
    ConsortiumMember,
    DeclaredProject,
    KpiTarget,
    Notice,
    Organisation,
    OrganisationProvinceChange,
    OrganisationStaff,
    Person,
    PlannedMilestone,
)
from consortia.notices import queue_notice
from consortia.notifications import notify_state_change
from consortia.rules import check_application, check_call_guarded
from consortia.selectors import members_with_province_on
from consortia.signals import application_submitted
from evaluations.permissions import is_reviewer_in_call
from evaluations.services import recompute_conflicts_for_applications, recompute_conflicts_for_consortium
from programs.models import Call, ProjectKind, Province, Track
from programs.permissions import is_admin
from programs.selectors import call_rules_locked, ended_province_message, province_successors

logger = logging.getLogger(__name__)

# --- organisations and consortia -------------------------------------------------------------


@contextmanager
def _unique_as_field(field: str, message: str) -> Iterator[None]:
    """A unique violation inside the block is the user's 400 on `field`, never a 500.

    The check before the write reads committed rows only; a concurrent transaction may
    insert the same value and commit first, and the database's constraint has the last word.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise InvalidInput(message, fields={field: [message]}) from None


def _full_clean(obj, exclude: list[str] | None = None, validate_constraints: bool = True) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=validate_constraints)
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
    as_staff: bool = True,
) -> Organisation:
    """Registers an organisation (business number normalised and check-digit validated); the
    actor becomes its staff, pending an administrator's verification (an administrator registering
    one for others passes as_staff=False)."""
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
    _check_province_in_force(province)
    if org.type == OrganisationType.LOCAL_GOVERNMENT:
        _check_one_local_government(province)
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
            code="organisation.business_number_required",
        )
    if org.business_number and Organisation.objects.filter(business_number=org.business_number).exists():
        raise InvalidInput(
            _("This business registration number is already registered."),
            fields={"business_number": [_("Already registered: choose the existing organisation.")]},
            code="organisation.business_number_taken",
        )
    # The business number's uniqueness is checked above and enforced by the index below, both
    # naming the field; full_clean would report a conditional constraint as no field's error.
    _full_clean(org, validate_constraints=False)
    with _unique_as_field("business_number", _("Already registered: choose the existing organisation.")):
        org.save()
    if as_staff:
        OrganisationStaff.objects.create(organisation=org, user=actor)
    return org


def _check_province_in_force(province: Province) -> None:
    if province.effective_to is not None and province.effective_to < timezone.localdate():
        message = ended_province_message(province)
        raise InvalidInput(message, fields={"province": [message]}, code="province.ended")


def _check_one_local_government(province: Province, *, exclude_pk: int | None = None) -> None:
    """One local government per province at a time: a second 경상북도 is a squatter's."""
    # The province row is the lock: two registrations of the same government serialise here.
    Province.objects.select_for_update().filter(pk=province.pk).first()
    existing = Organisation.objects.filter(type=OrganisationType.LOCAL_GOVERNMENT, province=province)
    if exclude_pk is not None:
        existing = existing.exclude(pk=exclude_pk)
    if first := existing.order_by("pk").first():
        raise InvalidInput(
            _("%(province)s already has its local government: %(org)s.")
            % {"province": province, "org": first},
            fields={
                "province": [
                    _("One local government per province: ask an administrator to add you to its staff.")
                ]
            },
            code="organisation.local_government_exists",
        )


ORGANISATION_FIELDS = ("name", "name_en", "type", "province", "department", "business_number")


@transaction.atomic
def update_organisation(*, actor, organisation_id: int, **changes: Any) -> Organisation:
    """Changes an organisation (administrators); a province change is a move and keeps its history."""
    if not is_admin(actor):
        raise PermissionDenied
    org = Organisation.objects.select_for_update().select_related("province").get(pk=organisation_id)
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here."),
            fields={f: [_("Not editable.")] for f in unknown},
            code="organisation.fields_not_editable",
        )
    if "business_number" in changes:
        changes["business_number"] = normalise_business_number(changes["business_number"])
    old_province = org.province
    for key, value in changes.items():
        setattr(org, key, value)
    if org.province_id != old_province.pk:
        _check_province_in_force(org.province)
    if org.type == OrganisationType.LOCAL_GOVERNMENT and (
        org.province_id != old_province.pk or "type" in changes
    ):
        _check_one_local_government(org.province, exclude_pk=org.pk)
    if (
        org.business_number
        and Organisation.objects.filter(business_number=org.business_number).exclude(pk=org.pk).exists()
    ):
        raise InvalidInput(
            _("This business registration number is already registered."),
            fields={"business_number": [_("Already registered: choose the existing organisation.")]},
            code="organisation.business_number_taken",
        )
    _full_clean(org)
    org.save()
    if org.province_id != old_province.pk:
        OrganisationProvinceChange.objects.create(
            organisation=org,
            from_province=old_province,
            to_province=org.province,
            effective_on=timezone.localdate(),
        )
    return org


@transaction.atomic
def verify_staff(*, actor, staff_id: int) -> OrganisationStaff:
    """An administrator confirms that a user works for an organisation (and so may act for it)."""
    if not is_admin(actor):
        raise PermissionDenied
    row = OrganisationStaff.objects.select_for_update().get(pk=staff_id)
    if row.verified_at is None:
        row.verified_at = timezone.now()
        row.verified_by = actor
        row.save(update_fields=["verified_at", "verified_by"])
    return row


@transaction.atomic
def add_staff(*, actor, organisation: Organisation, user, verified: bool = False) -> OrganisationStaff:
    """Adds a user to an organisation's staff (administrators), verified at once if they say so."""
    if not is_admin(actor):
        raise PermissionDenied
    row, _created = OrganisationStaff.objects.get_or_create(organisation=organisation, user=user)
    if verified and row.verified_at is None:
        row = verify_staff(actor=actor, staff_id=row.pk)
    return row


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
            code="consortium.lead_not_local_government",
        )
    if not name.strip():
        raise InvalidInput(_("Please correct the highlighted fields."), fields={"name": [_("Required.")]})
    if not permissions.is_verified_staff(actor, representative):
        raise InvalidInput(
            _("Only verified staff of a local government can form its consortium."),
            fields={
                "representative": [
                    _(
                        "You are not verified staff of this local government: "
                        "an administrator confirms its staff."
                    )
                ]
            },
            code="consortium.not_verified_staff",
        )
    consortium = Consortium.objects.create(name=name.strip(), representative=representative)
    consortium.contacts.add(actor)
    ConsortiumMember.objects.create(
        consortium=consortium, organisation=representative, role=ConsortiumMember.Role.LEAD_GOVERNMENT
    )
    return consortium


def _consortium_for_edit(actor, consortium_id: int) -> Consortium:
    # Lock 2 of consortia/locks.py: a submission holds it while it checks the members.
    consortium = locks.lock_consortium(consortium_id)
    if not permissions.can_edit_consortium(actor, consortium):
        raise PermissionDenied
    if consortium.applications.exclude(
        state__in=[Application.State.DRAFT, Application.State.WITHDRAWN]
    ).exists():
        raise NotEditable(
            _("Members cannot change while an application of this consortium is submitted."),
            code="consortium.members_frozen",
        )
    return consortium


@transaction.atomic
def add_member(
    *, actor, consortium_id: int, organisation: Organisation, role: str, department: str = ""
) -> ConsortiumMember:
    """Adds an organisation to the consortium with a role in R&D law's terms."""
    consortium = _consortium_for_edit(actor, consortium_id)
    if role not in ConsortiumMember.Role.values:
        raise InvalidInput(
            _("Unknown role."), fields={"role": [_("Unknown role.")]}, code="member.role_unknown"
        )
    if (
        role == ConsortiumMember.Role.LEAD_GOVERNMENT
        and organisation.type != OrganisationType.LOCAL_GOVERNMENT
    ):
        raise InvalidInput(
            _("Only a local government can be a lead local government."),
            fields={"role": [_("Only a local government can be a lead local government.")]},
            code="member.lead_not_local_government",
        )
    if role == ConsortiumMember.Role.LEAD_GOVERNMENT and not permissions.is_verified_staff(
        actor, organisation
    ):
        raise InvalidInput(
            _("A local government co-leads a consortium only by accepting an invitation."),
            fields={"organisation": [_("Invite it to co-lead; its verified staff accept the invitation.")]},
            code="member.co_lead_needs_invitation",
        )
    if consortium.members.filter(organisation=organisation).exists():
        raise InvalidInput(
            _("This organisation is already a member."),
            fields={"organisation": [_("Already a member.")]},
            code="member.already_member",
        )
    with _unique_as_field("organisation", _("Already a member.")):
        member = ConsortiumMember.objects.create(
            consortium=consortium, organisation=organisation, role=role, department=department
        )
    recompute_conflicts_for_consortium(consortium_id=consortium.pk)
    return member


@transaction.atomic
def invite_co_lead(*, actor, consortium_id: int, organisation: Organisation) -> CoLeadInvitation:
    """Asks a local government to co-lead the consortium; nothing changes until its staff accept."""
    consortium = _consortium_for_edit(actor, consortium_id)
    if organisation.type != OrganisationType.LOCAL_GOVERNMENT:
        raise InvalidInput(
            _("Only a local government can be a lead local government."),
            fields={"organisation": [_("Only a local government can be a lead local government.")]},
            code="member.lead_not_local_government",
        )
    if consortium.members.filter(organisation=organisation).exists():
        raise InvalidInput(
            _("This organisation is already a member."),
            fields={"organisation": [_("Already a member.")]},
            code="member.already_member",
        )
    invitation, _created = CoLeadInvitation.objects.get_or_create(
        consortium=consortium,
        organisation=organisation,
        state=CoLeadInvitation.State.PENDING,
        defaults={"invited_by": actor},
    )
    return invitation


@transaction.atomic
def answer_co_lead_invitation(*, actor, invitation_id: int, accept: bool) -> CoLeadInvitation:
    """The invited local government's verified staff accept (it becomes a lead member) or decline."""
    invitation = (
        CoLeadInvitation.objects.select_for_update().select_related("organisation").get(pk=invitation_id)
    )
    if not permissions.is_verified_staff(actor, invitation.organisation):
        raise PermissionDenied
    if invitation.state != CoLeadInvitation.State.PENDING:
        raise InvalidTransition(
            _("This invitation has already been answered."),
            fields={"state": [invitation.get_state_display()]},
            code="invitation.already_answered",
        )
    if accept:
        # Same lock and the same checks as every member write.
        consortium = Consortium.objects.select_for_update().get(pk=invitation.consortium_id)
        if consortium.applications.exclude(
            state__in=[Application.State.DRAFT, Application.State.WITHDRAWN]
        ).exists():
            raise NotEditable(
                _("Members cannot change while an application of this consortium is submitted."),
                code="consortium.members_frozen",
            )
        member, created = ConsortiumMember.objects.get_or_create(
            consortium=consortium,
            organisation=invitation.organisation,
            defaults={"role": ConsortiumMember.Role.LEAD_GOVERNMENT},
        )
        if not created and member.role != ConsortiumMember.Role.LEAD_GOVERNMENT:
            member.role = ConsortiumMember.Role.LEAD_GOVERNMENT
            member.save(update_fields=["role"])
        recompute_conflicts_for_consortium(consortium_id=consortium.pk)
    invitation.state = CoLeadInvitation.State.ACCEPTED if accept else CoLeadInvitation.State.DECLINED
    invitation.decided_by = actor
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["state", "decided_by", "decided_at"])
    return invitation


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
            exc.message, fields={f"government_{k}": v for k, v in exc.fields.items()}, code=exc.code
        ) from None
    return create_consortium(actor=actor, name=name, representative=government)


@transaction.atomic
def update_member(
    *, actor, member_id: int, role: str | None = None, department: str | None = None
) -> ConsortiumMember:
    """Changes a member's role or department in place: its budget lines and people stay."""
    member = ConsortiumMember.objects.select_related("organisation").get(pk=member_id)
    consortium = _consortium_for_edit(actor, member.consortium_id)
    changed = []
    if role is not None and role != member.role:
        if role not in ConsortiumMember.Role.values:
            raise InvalidInput(
                _("Unknown role."), fields={"role": [_("Unknown role.")]}, code="member.role_unknown"
            )
        if (
            role == ConsortiumMember.Role.LEAD_GOVERNMENT
            and member.organisation.type != OrganisationType.LOCAL_GOVERNMENT
        ):
            message = _("Only a local government can be a lead local government.")
            raise InvalidInput(message, fields={"role": [message]}, code="member.lead_not_local_government")
        if member.organisation_id == consortium.representative_id:
            message = _("The representative local government stays a lead local government.")
            raise InvalidInput(message, fields={"role": [message]}, code="member.representative_stays_lead")
        member.role = role
        changed.append("role")
    if department is not None and department != member.department:
        member.department = department
        changed.append("department")
    if changed:
        _full_clean(member)
        member.save(update_fields=changed)
    return member


@transaction.atomic
def remove_member(*, actor, member_id: int, confirm: bool = False) -> None:
    """Removes a member; if drafts hold its budget lines or people, only when `confirm`ed (they go too)."""
    member = ConsortiumMember.objects.select_related("consortium", "organisation").get(pk=member_id)
    consortium = _consortium_for_edit(actor, member.consortium_id)
    if member.organisation_id == consortium.representative_id:
        raise InvalidInput(
            _("The representative local government cannot be removed."),
            fields={"members": [_("The representative local government cannot be removed.")]},
            code="member.representative_not_removable",
        )
    lines = BudgetLine.objects.filter(member=member).count()
    people = ApplicationPerson.objects.filter(member=member).count()
    if (lines or people) and not confirm:
        message = _(
            "%(org)s has %(lines)d budget line(s) and %(people)d researcher(s) in draft applications; "
            "removing it deletes them. Confirm to go ahead."
        ) % {"org": member.organisation, "lines": lines, "people": people}
        raise MemberInUse(message, fields={"confirm": [message]})
    # Named here, not left to the cascade: what goes with the member is what was confirmed.
    BudgetLine.objects.filter(member=member).delete()
    ApplicationPerson.objects.filter(member=member).delete()
    member.delete()
    recompute_conflicts_for_consortium(consortium_id=consortium.pk)


# --- applications: drafts -------------------------------------------------------------------


@transaction.atomic
def create_application(
    *, actor, consortium_id: int, call: Call, track: Track, title: str, **fields: Any
) -> Application:
    """Starts a draft application of the consortium to one track of a call, unless it could never
    be submitted: a second live application to the call, or members frozen in a shape the call refuses."""
    with transaction.atomic():
        # The consortium row serialises its own starts: two at once cannot both pass the check below.
        consortium = locks.lock_consortium(consortium_id)
        if not permissions.can_edit_consortium(actor, consortium):
            raise PermissionDenied
        if track.call_id != call.pk:
            raise InvalidInput(
                _("The track is not a track of this call."),
                fields={"track": [_("Not in this call.")]},
                code="application.track_not_in_call",
            )
        _check_not_reviewer(actor, call)
        _check_can_start(consortium, call, track)
        return _start_application(actor, consortium, call, track, title, fields)


def _check_can_start(consortium: Consortium, call: Call, track: Track) -> None:
    live = consortium.applications.filter(call=call).exclude(
        state__in=[Application.State.WITHDRAWN, Application.State.NOT_SELECTED]
    )
    if existing := live.first():
        message = _(
            "This consortium already has an application to this call (%(title)s, %(state)s); "
            "a consortium applies once per call."
        ) % {"title": existing.title, "state": existing.get_state_display()}
        raise InvalidInput(message, fields={"call": [message]}, code="application.already_applied_to_call")
    frozen = consortium.applications.exclude(
        state__in=[Application.State.DRAFT, Application.State.WITHDRAWN]
    ).exists()
    if frozen:
        from consortia.rules import member_failures

        probe = Application(consortium=consortium, call=call, track=track)
        if failures := member_failures(probe):
            reasons = " ".join(f.message for f in failures)
            message = _(
                "The members are frozen by a submitted application and do not meet this call's "
                "rules, so this application could never be submitted: %(reasons)s"
            ) % {"reasons": reasons}
            raise InvalidInput(message, fields={"track": [message]}, code="application.could_never_submit")


def _start_application(actor, consortium, call, track, title, fields) -> Application:
    application = Application(
        consortium=consortium, call=call, track=track, title=title, created_by=actor, **fields
    )
    _full_clean(application, exclude=["state"])
    application.save()
    return application


def _check_not_reviewer(actor, call: Call) -> None:
    if is_reviewer_in_call(actor, call):
        raise InvalidInput(
            _("A reviewer in this call's pool cannot apply to it."),
            fields={"call": [_("You are in this call's reviewer pool.")]},
            code="application.reviewer_in_pool",
        )


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
        raise NotEditable(_("Only a draft can be edited."), code="application.not_draft")
    return application


EDITABLE_FIELDS = ("title", "future_technology", "key_industry", "summary")


@transaction.atomic
def update_application(*, actor, application_id: int, **fields: Any) -> Application:
    """Changes a draft's basics (title, theme, summary)."""
    application = _draft_for_edit(actor, application_id)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here."),
            fields={f: [_("Not editable.")] for f in unknown},
            code="application.fields_not_editable",
        )
    for key, value in fields.items():
        setattr(application, key, value)
    _full_clean(application, exclude=["state"])
    application.save(update_fields=list(fields))
    return application


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_plan_year(errors: dict[str, list[str]], key: str, year: Any, duration: int, call=None) -> None:
    if not (_is_count(year) and 1 <= year <= duration):
        if call is None:
            message = _("The plan year must be between 1 and %(n)d (the track's duration).") % {"n": duration}
        else:
            message = _("The year must be between %(first)d and %(last)d (the track's duration).") % {
                "first": call.calendar_year(1),
                "last": call.calendar_year(duration),
            }
        errors.setdefault(key, []).append(message)


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
        _check_plan_year(errors, f"rows.{i}.year", year, duration, application.call)
        if (member_id, year) in seen:
            errors.setdefault(f"rows.{i}.year", []).append(_("This member already has a row for this year."))
        seen.add((member_id, year))
        for field in MONEY_FIELDS:
            value = row.get(field, 0)
            if not _is_count(value):
                errors.setdefault(f"rows.{i}.{field}", []).append(_("Enter whole won, zero or more."))
    if errors:
        raise InvalidInput(
            _("The budget plan has errors; nothing was saved."), fields=errors, code="budget.invalid"
        )
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
        _check_plan_year(errors, f"rows.{i}.year", year, duration, application.call)
        value = row.get("value")
        if not _is_count(value):
            errors.setdefault(f"rows.{i}.value", []).append(_("Enter a whole number, zero or more."))
    keys = [(r.get("indicator"), r.get("year")) for r in rows]
    if len(keys) != len(set(keys)):
        errors.setdefault("rows", []).append(_("Each indicator appears once per year."))
    if errors:
        raise InvalidInput(
            _("The KPI targets have errors; nothing was saved."), fields=errors, code="kpis.invalid"
        )
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
        _check_plan_year(errors, f"rows.{i}.year", year, duration, application.call)
        title = (row.get("title") or "").strip()
        if not title:
            errors.setdefault(f"rows.{i}.title", []).append(_("Required."))
        elif len(title) > 200:
            errors.setdefault(f"rows.{i}.title", []).append(_("At most 200 characters."))
    if errors:
        raise InvalidInput(
            _("The milestones have errors; nothing was saved."), fields=errors, code="milestones.invalid"
        )
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
    # A member write: the consortium, then the application (consortia/locks.py).
    locks.lock_consortium(Application.objects.values_list("consortium_id", flat=True).get(pk=application_id))
    application = _draft_for_edit(actor, application_id)
    member_ids = set(application.consortium.members.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    people: list[ApplicationPerson] = []
    numbers: set[str] = set()
    directors = sum(1 for r in rows if r.get("role") == ApplicationPerson.Role.DIRECTOR)
    if directors > 1:
        errors.setdefault("rows", []).append(_("An application has one project director."))
    # One query for every number's known name, not one per row (issue 18: ~10 queries a person).
    typed_numbers = {str(r.get("researcher_number", "")).strip() for r in rows}
    known_names = dict(
        Person.objects.filter(researcher_number__in=typed_numbers).values_list("researcher_number", "name")
    )
    for i, row in enumerate(rows):
        if row.get("member") not in member_ids:
            errors.setdefault(f"rows.{i}.member", []).append(_("Not a member of this consortium."))
        if row.get("role") not in ApplicationPerson.Role.values:
            errors.setdefault(f"rows.{i}.role", []).append(_("Unknown role."))
        number = str(row.get("researcher_number", "")).strip()
        if not (len(number) == 8 and is_ascii_digits(number)):
            errors.setdefault(f"rows.{i}.researcher_number", []).append(
                _("A national researcher number is 8 digits.")
            )
        elif number in numbers:
            errors.setdefault(f"rows.{i}.researcher_number", []).append(
                _("This researcher is already listed on the application.")
            )
        else:
            known = known_names.get(number)
            typed = (row.get("name") or "").strip()
            if not typed:
                errors.setdefault(f"rows.{i}.name", []).append(_("Required."))
            elif known and typed != known:
                # Never the stored name: a number must not tell who holds it.
                errors.setdefault(f"rows.{i}.name", []).append(_("The number and name do not match."))
        numbers.add(number)
    if errors:
        raise InvalidInput(
            _("The researchers have errors; nothing was saved."), fields=errors, code="people.invalid"
        )
    application.people.all().delete()
    # New people in one insert; a number another request registered meanwhile is kept as it is.
    Person.objects.bulk_create(
        [
            Person(
                researcher_number=str(row["researcher_number"]).strip(),
                name=row.get("name", "").strip() or "?",
                email=row.get("email", ""),
            )
            for row in rows
            if str(row["researcher_number"]).strip() not in known_names
        ],
        ignore_conflicts=True,
    )
    person_ids = dict(
        Person.objects.filter(researcher_number__in=numbers).values_list("researcher_number", "pk")
    )
    # The affiliation stays on the application (its member) and is not written into the
    # person's shared record: naming someone is not their consent to an affiliation.
    with _unique_as_field("rows", _("This researcher is already listed on the application.")):
        people = ApplicationPerson.objects.bulk_create(
            [
                ApplicationPerson(
                    application=application,
                    member_id=row["member"],
                    person_id=person_ids[str(row["researcher_number"]).strip()],
                    role=row["role"],
                )
                for row in rows
            ]
        )
    recompute_conflicts_for_applications(application_ids=[application.pk])
    return people


@transaction.atomic
def declare_project(
    *,
    actor,
    application_id: int,
    person_id: int,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str = ProjectKind.RESEARCH,
    as_principal_investigator: bool = False,
    with_foreign_partner: bool = False,
) -> DeclaredProject:
    """Records an outside national R&D project of one of the draft's researchers (3책5공); it
    counts for this application only."""
    # A draft edit: the application lock, which submit_application holds while it counts.
    application = _draft_for_edit(actor, application_id)
    errors: dict[str, list[str]] = {}
    if not application.people.filter(person_id=person_id).exists():
        errors["person"] = [_("Name the researcher on the application first.")]
    if kind not in ProjectKind.values:
        errors["kind"] = [_("Unknown project kind.")]
    if not title.strip():
        errors["title"] = [_("Required.")]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("A project ends on or after its start.")]
    if errors:
        raise InvalidInput(
            _("The declared project has errors; nothing was saved."),
            fields=errors,
            code="declared_project.invalid",
        )
    project = DeclaredProject(
        person_id=person_id,
        application=application,
        declared_by=actor,
        title=title.strip(),
        kind=kind,
        as_principal_investigator=as_principal_investigator,
        with_foreign_partner=with_foreign_partner,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    _full_clean(project)
    project.save()
    return project


@transaction.atomic
def remove_declared_project(*, actor, project_id: int) -> None:
    """Deletes a project declared on a draft (not an administrator's record)."""
    project = DeclaredProject.objects.get(pk=project_id, application__isnull=False)
    _draft_for_edit(actor, project.application_id)
    project.delete()


@transaction.atomic
def upload_document(*, actor, application_id: int, kind: str, upload: UploadedFile) -> ApplicationDocument:
    """Records a document after checking its size, its type by content and its name's extension;
    the file is written to storage after commit."""
    application = _draft_for_edit(actor, application_id)
    if kind not in ApplicationDocument.Kind.values:
        raise InvalidInput(
            _("Unknown document kind."),
            fields={"kind": [_("Unknown document kind.")]},
            code="document.kind_unknown",
        )
    try:
        detected = check_document(upload, max_bytes=settings.DOCUMENT_MAX_BYTES)
    except DocumentRefused as exc:
        raise InvalidInput(exc.message, fields=exc.fields, code="document.refused") from None
    document = ApplicationDocument(
        application=application,
        kind=kind,
        original_name=upload.name[:200],
        content_type=detected,
        size=upload.size,
        uploaded_by=actor,
    )
    field = document.file.field
    storage = field.storage
    document.file.name = storage.get_available_name(field.generate_filename(document, upload.name))
    document.save()
    # A rollback must leave no orphan file: the bytes reach storage only once the row is committed.
    transaction.on_commit(
        partial(_store_document_file, document.pk, document.file.name, spooled_copy(upload))
    )
    return document


def _store_document_file(document_id: int, name: str, content: File) -> None:
    storage = ApplicationDocument._meta.get_field("file").storage
    try:
        content.seek(0)
        stored = storage.save(name, content)
    except Exception:
        # No row without its file either: undo the committed row if storage failed.
        logger.exception("storing document %s failed; its row is removed", document_id)
        ApplicationDocument.objects.filter(pk=document_id).delete()
        raise
    finally:
        content.close()
    if stored != name:  # another upload took the name in between
        ApplicationDocument.objects.filter(pk=document_id).update(file=stored)


@transaction.atomic
def delete_document(*, actor, document_id: int) -> None:
    """Deletes a document's row; its file goes after commit (a rollback keeps both)."""
    document = ApplicationDocument.objects.get(pk=document_id)
    _draft_for_edit(actor, document.application_id)
    name, storage = document.file.name, document.file.storage
    document.delete()
    if name:
        transaction.on_commit(partial(storage.delete, name))


# --- applications: workflow -----------------------------------------------------------------


def _record(application: Application, actor, before: str, reason: str = "") -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application, actor=actor, from_state=before, to_state=application.state, reason=reason
    )


def receipt_number_for(application: Application) -> str:
    """The next 접수번호 of the application's track: `<call year>-<TRACK CODE>-<nnnn>`, unique per call.

    Called by submit_application under its lock on the call (consortia/locks.py), so two
    submissions cannot draw the same number; numbers are never reused (withdrawn ones keep theirs).
    """
    taken = Application.objects.filter(track=application.track_id).exclude(receipt_number="").count()
    return f"{application.call.year}-{application.track.code.upper()}-{taken + 1:04d}"


@transaction.atomic
def submit_application(*, actor, application_id: int, at: dt.datetime | None = None) -> Application:
    """Draft -> SUBMITTED when every rule of the call holds; records the actor; queues the receipts."""
    # The lock order of consortia/locks.py: consortium, application, people, and the call
    # last. The call and consortium never change on an application, so reading them unlocked
    # is safe. The call lock serialises submissions in the call (the one-province-one-slot
    # rule): it is taken after the rest of the check, which reads only what the other locks
    # guard, so 50 submissions in a track queue for the slot check alone (issue 18).
    call_id, consortium_id = Application.objects.values_list("call_id", "consortium_id").get(
        pk=application_id
    )
    locks.lock_consortium(consortium_id)
    application = locks.lock_application(application_id, "call", "track", "consortium__representative")
    if not permissions.can_submit(actor, application):
        raise PermissionDenied
    if not can_proceed(application.submit):
        raise InvalidTransition(
            _("Only a draft can be submitted."),
            fields={"state": [application.get_state_display()]},
            code="application.not_draft",
        )
    _check_not_reviewer(actor, application.call)
    # Every contact of the consortium is an applicant: none may sit in the call's reviewer pool.
    for contact in application.consortium.contacts.all():
        if contact.pk != actor.pk and is_reviewer_in_call(contact, application.call):
            raise InvalidInput(
                _("A contact of this consortium is in this call's reviewer pool: %(name)s.")
                % {"name": contact},
                fields={"consortium": [_("A reviewer in this call's pool cannot apply to it.")]},
                code="application.contact_in_reviewer_pool",
            )
    if not permissions.is_verified_staff(actor, application.consortium.representative):
        raise InvalidInput(
            _("Only verified staff of the representative local government can submit for it."),
            fields={
                "consortium": [
                    _("You are not verified staff of %(org)s.")
                    % {"org": application.consortium.representative}
                ]
            },
            code="application.not_verified_staff",
        )
    locks.lock_people(application.people.values_list("person_id", flat=True))
    now = at or timezone.now()
    failures = check_application(application, at=now, slots=False)
    if not failures:
        call = locks.lock_call(call_id)
        if call_rules_locked(call):
            # Frozen rules (update_call refuses to change them now): only the slots and the
            # call's window can have moved since the check above.
            failures = check_call_guarded(application, at=now)
        else:
            # The first submission of the call: the rules may have changed before this lock.
            failures = check_application(application, at=now)
    if failures:
        raise RulesBroken(_("The application does not meet the call's rules."), failures=failures)
    before = application.state
    application.submit(at=now)
    application.receipt_number = receipt_number_for(application)
    application.save(update_fields=["state", "submitted_at", "receipt_number"])
    snapshot_lead_provinces(application)
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
    transaction.on_commit(
        lambda: application_submitted.send(sender=Application, application_id=application.pk)
    )
    return application


def snapshot_lead_provinces(application: Application) -> list[ApplicationLeadProvince]:
    """Keeps each lead local government's province as the call used it (its opening date); the
    move job and later edits never rewrite these rows. Called inside the submit transaction."""
    members = members_with_province_on(application.consortium_id, application.call.opening_date)
    representative_id = application.consortium.representative_id
    ApplicationLeadProvince.objects.filter(application=application).delete()
    return ApplicationLeadProvince.objects.bulk_create(
        [
            ApplicationLeadProvince(
                application=application,
                organisation_id=m.organisation_id,
                province=m.province_on,
                is_representative=m.organisation_id == representative_id,
            )
            for m in members
            if m.role == ConsortiumMember.Role.LEAD_GOVERNMENT
        ]
    )


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
            code="application.not_withdrawable",
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
    "reopen_review": Application.State.UNDER_REVIEW,
}


@transaction.atomic
def decide_application(*, actor, application_id: int, step: str, reason: str = "") -> Application:
    """An officer's workflow step: screening, review, selected or not selected, with the reason."""
    if step not in OFFICER_STEPS:
        raise InvalidInput(
            _("Unknown step."), fields={"step": [_("Unknown step.")]}, code="application.step_unknown"
        )
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
            code="application.step_not_possible",
        )
    if step in ("select", "reject", "reopen_review") and not reason.strip():
        raise InvalidInput(
            _("A decision needs its reason."),
            fields={"reason": [_("Required.")]},
            code="application.reason_required",
        )
    before = application.state
    method()
    application.save(update_fields=["state"])
    event = _record(application, actor, before, reason)
    notify_state_change(application, event=event)  # the applicants' email, once per change
    return application

"""Writes to programs, calls and reference data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import fields_from_django
from consortia.documents import PDF, DocumentRefused, check_document, spooled_copy
from consortia.locks import lock_call
from programs.exceptions import InvalidCall, RulesLocked
from programs.models import (
    Call,
    DeadlineExtension,
    MatchingRule,
    MemberTypeRequirement,
    Program,
    Province,
    ProvinceCorrection,
    ProvinceSuccession,
    Region,
    RegionScheme,
    RequiredDocument,
    Track,
    WorkerHeartbeat,
)
from programs.permissions import can_change_call, can_create_call, is_admin
from programs.selectors import call_rules_locked, ended_province_message

# Fields that make up the call's rules: frozen once the first application is submitted.
RULE_FIELDS = frozenset(
    {
        "opens_at",
        "closes_at",
        "stage",
        "parent",
        "region_scheme",
        "eligible_regions",
        "eligible_provinces",
        "cutoff_score",
        "enforce_concurrency_limit",
        "per_firm_cost_sharing",
        "tracks",
        "matching_rules",
        "member_requirements",
        "required_documents",
    }
)
SCALAR_FIELDS = (
    "year",
    "title",
    "title_en",
    "description",
    "opens_at",
    "closes_at",
    "stage",
    "parent",
    "region_scheme",
    "cutoff_score",
    "enforce_concurrency_limit",
    "per_firm_cost_sharing",
    "code",
    "project_starts_on",
)


def call_errors(
    *,
    program: Program,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    stage: str,
    parent: Call | None,
    region_scheme: RegionScheme,
    eligible_regions: Iterable[Region],
    eligible_provinces: Iterable[Province],
) -> dict[str, list[str]]:
    """Every inconsistency between a call's dates, stage, regions and provinces, by field."""
    errors: dict[str, list[str]] = {}
    if opens_at and closes_at and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(_("The call must close after it opens."))
    if stage == Call.Stage.SECOND and parent is None:
        errors.setdefault("parent", []).append(_("A second-stage call names its first-stage call."))
    if stage != Call.Stage.SECOND and parent is not None:
        errors.setdefault("parent", []).append(_("Only a second-stage call has a first-stage call."))
    if parent is not None:
        if parent.program_id != program.pk:
            errors.setdefault("parent", []).append(_("The first-stage call must be of the same program."))
        elif parent.stage != Call.Stage.FIRST:
            errors.setdefault("parent", []).append(_("The parent call is not a first-stage call."))
        elif opens_at and opens_at < parent.closes_at:
            errors.setdefault("opens_at", []).append(
                _("A second-stage call opens after its first stage closes.")
            )
    regions = list(eligible_regions)
    if not regions:
        errors.setdefault("eligible_regions", []).append(_("Name at least one eligible region."))
    for region in regions:
        if region.scheme_id != region_scheme.pk:
            errors.setdefault("eligible_regions", []).append(
                _("Region %(region)s is not part of the scheme %(scheme)s.")
                % {"region": region.name, "scheme": region_scheme.name}
            )
    if opens_at:
        day = timezone.localdate(opens_at)
        region_ids = {r.pk for r in regions}
        for province in eligible_provinces:
            if province.effective_to is not None and province.effective_to < day:
                errors.setdefault("eligible_provinces", []).append(ended_province_message(province, on=day))
            elif not province.in_force_on(day):
                errors.setdefault("eligible_provinces", []).append(
                    _("%(province)s is not in force on the opening date %(day)s.")
                    % {"province": province, "day": day.isoformat()}
                )
            elif not region_ids & {r.pk for r in province.regions.all()}:
                errors.setdefault("eligible_provinces", []).append(
                    _("%(province)s is not in an eligible region.") % {"province": province}
                )
    return errors


def _replace_children(call: Call, model, related: str, rows: list[dict[str, Any]]) -> None:
    getattr(call, related).all().delete()
    model.objects.bulk_create([model(call=call, **row) for row in rows])


def _set_required_documents(call: Call, kinds: list[str]) -> None:
    call.required_documents.exclude(kind__in=kinds).delete()
    for kind in kinds:
        RequiredDocument.objects.get_or_create(call=call, kind=kind)


def _update_tracks(call: Call, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Tracks by their code, in place: applications point at them (PROTECT), so a track keeps its
    row; a new code adds a track; a code left out is removed only while nothing points at it."""
    existing = {t.code: t for t in call.tracks.all()}
    for row in rows:
        track = existing.get(row["code"]) or Track(call=call)
        for key, value in row.items():
            setattr(track, key, value)
        track.save()
    errors: dict[str, list[str]] = {}
    for code, track in existing.items():
        if code in {row["code"] for row in rows}:
            continue
        if track.applications.exists():
            errors.setdefault("tracks", []).append(
                _("The track %(code)s has applications and cannot be removed.") % {"code": code}
            )
        else:
            track.delete()
    return errors


def _check_children(tracks, matching_rules, member_requirements) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if tracks is not None:
        if not tracks:
            errors["tracks"] = [_("A call has at least one track.")]
        codes = [t["code"] for t in tracks]
        if len(codes) != len(set(codes)):
            errors.setdefault("tracks", []).append(_("Track codes must differ."))
    if matching_rules is not None:
        for i, rule in enumerate(matching_rules):
            probe = MatchingRule(**rule)
            if not probe.numerator_sources or not probe.base_sources:
                errors.setdefault(f"matching_rules.{i}", []).append(
                    _("A matching rule needs at least one numerator source and one base source.")
                )
    if member_requirements is not None:
        types = [r["organisation_type"] for r in member_requirements]
        if len(types) != len(set(types)):
            errors.setdefault("member_requirements", []).append(_("Name each organisation type once."))
    return errors


@transaction.atomic
def create_call(
    *,
    actor,
    program: Program,
    eligible_regions: list[Region],
    eligible_provinces: list[Province] | None = None,
    tracks: list[dict[str, Any]],
    matching_rules: list[dict[str, Any]] | None = None,
    member_requirements: list[dict[str, Any]] | None = None,
    required_documents: list[str] | None = None,
    **fields: Any,
) -> Call:
    """Creates a call with its tracks and rules, all or nothing."""
    if not can_create_call(actor, program):
        raise PermissionDenied
    eligible_provinces = eligible_provinces or []
    matching_rules = matching_rules or []
    member_requirements = member_requirements or []
    fields.setdefault("stage", Call.Stage.SINGLE)
    fields.setdefault("parent", None)
    errors = call_errors(
        program=program,
        opens_at=fields["opens_at"],
        closes_at=fields["closes_at"],
        stage=fields["stage"],
        parent=fields["parent"],
        region_scheme=fields["region_scheme"],
        eligible_regions=eligible_regions,
        eligible_provinces=eligible_provinces,
    )
    errors |= _check_children(tracks, matching_rules, member_requirements)
    if Call.objects.filter(code=fields.get("code")).exists():
        errors.setdefault("code", []).append(_("Another call has this code."))
    if errors:
        raise InvalidCall(_("The call is not valid."), fields=errors)
    call = Call.objects.create(program=program, **fields)
    call.eligible_regions.set(eligible_regions)
    call.eligible_provinces.set(eligible_provinces)
    _replace_children(call, Track, "tracks", tracks)
    _replace_children(call, MatchingRule, "matching_rules", matching_rules)
    _replace_children(call, MemberTypeRequirement, "member_requirements", member_requirements)
    _set_required_documents(call, required_documents or [])
    return call


@transaction.atomic
def update_call(*, actor, call_id: int, changes: dict[str, Any]) -> Call:
    """Changes a call; its rules only while no application has been submitted."""
    # Lock 4 of consortia/locks.py, which submit_application takes too: a submission either
    # commits before this reads call_rules_locked, or checks the rules after this commits.
    lock_call(call_id)
    call = Call.objects.select_related("program", "region_scheme").get(pk=call_id)
    if not can_change_call(actor, call):
        raise PermissionDenied
    if "program" in changes and changes["program"].pk != call.program_id:
        raise InvalidCall(
            _("A call cannot move to another program."),
            fields={"program": [_("Cannot change.")]},
            code="call.program_locked",
        )
    touched = RULE_FIELDS & changes.keys()
    changed_rules = sorted(f for f in touched if _differs(call, f, changes[f]))
    if changed_rules and call_rules_locked(call):
        raise RulesLocked(
            _("The call's rules cannot change once an application has been submitted."),
            fields={f: [_("Locked: applications have been submitted.")] for f in changed_rules},
        )
    merged = {f: changes.get(f, getattr(call, f)) for f in SCALAR_FIELDS}
    regions = changes.get("eligible_regions", list(call.eligible_regions.all()))
    provinces = changes.get("eligible_provinces", list(call.eligible_provinces.all()))
    errors = call_errors(
        program=call.program,
        opens_at=merged["opens_at"],
        closes_at=merged["closes_at"],
        stage=merged["stage"],
        parent=merged["parent"],
        region_scheme=merged["region_scheme"],
        eligible_regions=regions,
        eligible_provinces=provinces,
    )
    errors |= _check_children(
        changes.get("tracks"), changes.get("matching_rules"), changes.get("member_requirements")
    )
    if Call.objects.filter(code=merged["code"]).exclude(pk=call.pk).exists():
        errors.setdefault("code", []).append(_("Another call has this code."))
    if errors:
        raise InvalidCall(_("The call is not valid."), fields=errors)
    for f, value in merged.items():
        setattr(call, f, value)
    call.save()
    if "eligible_regions" in changes:
        call.eligible_regions.set(regions)
    if "eligible_provinces" in changes:
        call.eligible_provinces.set(provinces)
    if "tracks" in changes and (errors := _update_tracks(call, changes["tracks"])):
        raise InvalidCall(_("The call is not valid."), fields=errors)
    if "matching_rules" in changes:
        _replace_children(call, MatchingRule, "matching_rules", changes["matching_rules"])
    if "member_requirements" in changes:
        _replace_children(call, MemberTypeRequirement, "member_requirements", changes["member_requirements"])
    if "required_documents" in changes:
        _set_required_documents(call, changes["required_documents"])
    return call


def _differs(call: Call, field: str, value: Any) -> bool:
    if field in ("eligible_regions", "eligible_provinces"):
        return {o.pk for o in value} != set(getattr(call, field).values_list("pk", flat=True))
    if field == "tracks":
        keys = (
            "code",
            "name",
            "name_en",
            "national_cap_per_year_krw",
            "duration_years",
            "min_provinces",
            "quota_per_region",
        )
        return _rows(call.tracks.all(), keys) != _rows_from(value, keys, Track)
    if field == "matching_rules":
        keys = tuple(f.name for f in MatchingRule._meta.fields if f.name not in ("id", "call"))
        return _rows(call.matching_rules.all(), keys) != _rows_from(value, keys, MatchingRule)
    if field == "required_documents":
        return set(value) != set(call.required_documents.values_list("kind", flat=True))
    if field == "member_requirements":
        keys = ("organisation_type", "min_count")
        return _rows(call.member_requirements.all(), keys) != _rows_from(value, keys, MemberTypeRequirement)
    return getattr(call, field) != value


def _rows(qs, keys) -> list[tuple]:
    return sorted(tuple(str(getattr(o, k)) for k in keys) for o in qs)


def _rows_from(rows, keys, model) -> list[tuple]:
    return sorted(tuple(str(getattr(model(**r), k)) for k in keys) for r in rows)


@transaction.atomic
def attach_guideline(*, actor, call_id: int, upload: UploadedFile) -> Call:
    """Records the call's guideline PDF (checked by content, name and size); allowed after lock.
    The file is written to storage after commit, so a rollback leaves no orphan file."""
    call = Call.objects.select_for_update().get(pk=call_id)
    if not can_change_call(actor, call):
        raise PermissionDenied
    check_pdf(upload, field="guideline")
    field = call.guideline.field
    previous = call.guideline.name
    name = field.storage.get_available_name(field.generate_filename(call, upload.name))
    call.guideline.name = name
    call.save(update_fields=["guideline"])
    transaction.on_commit(partial(_store_guideline_file, call.pk, name, spooled_copy(upload)))
    if previous:
        transaction.on_commit(partial(field.storage.delete, previous))
    return call


def _store_guideline_file(call_id: int, name: str, content: File) -> None:
    storage = Call._meta.get_field("guideline").storage
    try:
        content.seek(0)
        stored = storage.save(name, content)
    except Exception:
        Call.objects.filter(pk=call_id, guideline=name).update(guideline="")  # no row without its file
        raise
    finally:
        content.close()
    if stored != name:
        Call.objects.filter(pk=call_id, guideline=name).update(guideline=stored)


def check_pdf(upload: UploadedFile, *, field: str) -> None:
    try:
        check_document(upload, max_bytes=settings.GUIDELINE_MAX_BYTES, accepted=(PDF,))
    except DocumentRefused as exc:
        raise InvalidCall(exc.message, fields={field: exc.fields["file"]}) from None


@transaction.atomic
def record_province_change(
    *,
    predecessors: list[Province],
    code: str,
    name: str,
    name_en: str,
    effective_from: dt.date,
) -> Province:
    """Ends `predecessors` the day before `effective_from` and creates their successor.

    The successor joins every region (of every scheme) that held a predecessor, so calls
    opening on or after the date see it where its predecessors were.
    """
    successor = Province.objects.create(code=code, name=name, name_en=name_en, effective_from=effective_from)
    last_day = effective_from - dt.timedelta(days=1)
    for old in predecessors:
        if old.effective_to is None or old.effective_to > last_day:
            old.effective_to = last_day
            old.full_clean()
            old.save(update_fields=["effective_to"])
        ProvinceSuccession.objects.create(predecessor=old, successor=successor)
    inherit_regions(successor)
    return successor


PROVINCE_FIELDS = ("code", "name", "name_en", "effective_from", "effective_to")


@transaction.atomic
def correct_province(*, actor, province_id: int, **changes: Any) -> Province:
    """An administrator corrects a province row in place (e.g. the code public data reported);
    every changed field is logged with its old and new value. History keeps pointing at the row."""
    if not is_admin(actor):
        raise PermissionDenied
    unknown = set(changes) - set(PROVINCE_FIELDS)
    if unknown:
        raise InvalidCall(
            _("These fields cannot be changed here."),
            fields={f: [_("Not editable.")] for f in unknown},
            code="call.fields_not_editable",
        )
    province = Province.objects.select_for_update().get(pk=province_id)
    old = {f: getattr(province, f) for f in changes}
    for field, value in changes.items():
        setattr(province, field, value)
    try:
        province.full_clean()
    except ValidationError as exc:
        raise InvalidCall(
            _("Please correct the highlighted fields."), fields=fields_from_django(exc)
        ) from None
    changed = [f for f in changes if old[f] != getattr(province, f)]
    if changed:
        province.save(update_fields=changed)
        ProvinceCorrection.objects.bulk_create(
            [
                ProvinceCorrection(
                    province=province,
                    field=f,
                    old_value="" if old[f] is None else str(old[f]),
                    new_value="" if getattr(province, f) is None else str(getattr(province, f)),
                    actor=actor,
                )
                for f in changed
            ]
        )
    return province


def inherit_regions(successor: Province) -> None:
    for region in Region.objects.filter(provinces__in=successor.predecessors.all()).distinct():
        region.provinces.add(successor)


def record_heartbeat(*, name: str = "worker") -> WorkerHeartbeat:
    """Upserts the heartbeat row; celery beat calls it through programs.tasks."""
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        name=name, defaults={"last_seen_at": now, "runs": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(last_seen_at=now, runs=F("runs") + 1)
        beat.refresh_from_db()
    return beat


@transaction.atomic
def extend_call_deadline(*, actor, call_id: int, closes_at: dt.datetime, reason: str) -> DeadlineExtension:
    """Moves a call's close time later (its rules may be frozen), records why, and tells its applicants."""
    call = Call.objects.select_for_update().get(pk=call_id)
    if not can_change_call(actor, call):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Required.")]
    if closes_at <= call.closes_at:
        errors["closes_at"] = [_("An extension moves the close time later than the current one.")]
    elif closes_at <= timezone.now():
        errors["closes_at"] = [_("The new close time must be in the future.")]
    if errors:
        raise InvalidCall(
            _("The deadline was not extended."), fields=errors, code="call.deadline_not_extended"
        )
    extension = DeadlineExtension.objects.create(
        call=call, old_closes_at=call.closes_at, new_closes_at=closes_at, actor=actor, reason=reason.strip()
    )
    call.closes_at = closes_at
    call.save(update_fields=["closes_at"])
    from consortia.notifications import notify_deadline_extended

    notify_deadline_extended(extension)
    return extension

"""Reads of reference data and calls."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config.josa import josa
from programs.models import Call, Province, Region, RegionScheme


def provinces_in_force(*, on: dt.date) -> QuerySet[Province]:
    """The provinces in force on `on` (Asia/Seoul date)."""
    return Province.objects.in_force_on(on).order_by("code")


def province_successors(*, province: Province, on: dt.date | None = None) -> list[Province]:
    """What `province` became: its successors, followed until ones in force on `on` (today)."""
    on = on or timezone.localdate()
    if province.in_force_on(on):
        return [province]
    found: dict[int, Province] = {}
    frontier = list(province.successors.all())
    seen: set[int] = {province.pk}
    while frontier:
        nxt = []
        for p in frontier:
            if p.pk in seen:
                continue
            seen.add(p.pk)
            if p.in_force_on(on):
                found[p.pk] = p
            elif p.effective_from <= on:
                nxt.extend(p.successors.all())
        frontier = nxt
    return sorted(found.values(), key=lambda p: p.code)


def ended_province_message(province: Province, *, on: dt.date | None = None) -> str:
    """ "광주광역시 (29) ended on 2026-06-30; its successor is 전남광주통합특별시 (12)." for every
    refusal that names an ended province (or "…; it has no successor." when none is recorded)."""
    on = on or timezone.localdate()
    successors = [p for p in province_successors(province=province, on=on) if p.pk != province.pk]
    values = {
        "province": province,
        "day": province.effective_to.isoformat() if province.effective_to else "",
        "successors": ", ".join(str(p) for p in successors),
    }
    if not successors:
        message = _("%(province)s ended on %(day)s; it has no successor.")
    elif len(successors) == 1:
        message = _("%(province)s ended on %(day)s; its successor is %(successors)s.")
    else:
        message = _("%(province)s ended on %(day)s; its successors are %(successors)s.")
    return josa(message % values)  # "광주광역시 (29)는", wherever the message is shown


def region_schemes() -> QuerySet[RegionScheme]:
    """Every scheme with its regions and their provinces (all periods) preloaded."""
    return RegionScheme.objects.prefetch_related(
        Prefetch(
            "regions",
            queryset=Region.objects.prefetch_related(
                Prefetch("provinces", queryset=Province.objects.prefetch_related("successors"))
            ).order_by("order"),
        )
    ).order_by("-is_default", "name")


def calls_with_rules() -> QuerySet[Call]:
    """Calls with program, tracks, rules, eligible regions and provinces preloaded."""
    return Call.objects.select_related("program", "region_scheme", "parent").prefetch_related(
        "tracks",
        "matching_rules",
        "member_requirements",
        "required_documents",
        "eligible_provinces",
        Prefetch("eligible_regions", queryset=Region.objects.prefetch_related("provinces")),
    )


def eligible_provinces(call: Call) -> list[Province]:
    """The call's eligible provinces in force on its opening date (uses the prefetched sets)."""
    day = call.opening_date
    if explicit := list(call.eligible_provinces.all()):
        return sorted((p for p in explicit if p.in_force_on(day)), key=lambda p: p.code)
    seen: dict[int, Province] = {}
    for region in call.eligible_regions.all():
        for p in region.provinces.all():
            if p.in_force_on(day):
                seen[p.pk] = p
    return sorted(seen.values(), key=lambda p: p.code)


def call_rules_locked(call: Call) -> bool:
    """True once any application to the call has been submitted (even if later withdrawn)."""
    return call.applications.filter(submitted_at__isnull=False).exists()


def open_calls(*, at: dt.datetime | None = None) -> QuerySet[Call]:
    return calls_with_rules().open_at(at or timezone.now()).order_by("closes_at")


def province_by_code(code: str, *, on: dt.date | None = None) -> Province | None:
    """The province with administrative code `code` in force on `on` (today); if none is, the
    latest row with that code (an ended province, for history)."""
    rows = Province.objects.filter(code=code)
    day = on or timezone.localdate()
    return rows.in_force_on(day).first() or rows.order_by("-effective_from").first()


def call_freeze(call: Call, rule_fields: frozenset[str]) -> dict | None:
    """Why a call's rules are frozen (None if they are not): since the first submission, how many,
    and the labels of the frozen fields (tracks, matching rules and member minimums included)."""
    submitted = call.applications.filter(submitted_at__isnull=False)
    first = submitted.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    if first is None:
        return None
    labels = []
    for name in sorted(rule_fields):
        field = Call._meta.get_field(name)
        model = field.related_model if field.one_to_many else None
        labels.append(str(model._meta.verbose_name_plural if model else field.verbose_name))
    return {"first_submitted_at": first, "count": submitted.count(), "fields": labels}

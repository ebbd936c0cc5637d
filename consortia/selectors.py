"""Reads of consortia and applications, each saying what it preloads."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from consortia.models import (
    Application,
    ApplicationEvent,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    Organisation,
)
from programs.models import Province, Region
from programs.permissions import is_admin


def consortia_for(user) -> QuerySet[Consortium]:
    """The consortia the user is a contact of (all for an administrator), members preloaded."""
    qs = Consortium.objects.select_related("representative__province").prefetch_related(
        Prefetch("members", queryset=ConsortiumMember.objects.select_related("organisation__province"))
    )
    return qs.order_by("name") if is_admin(user) else qs.filter(contacts=user).order_by("name")


def applications_for(user) -> QuerySet[Application]:
    """Applications the user may read: own consortia's, or their programs' calls' (officers)."""
    qs = Application.objects.select_related("call__program", "track", "consortium__representative__province")
    if is_admin(user):
        return qs
    return qs.filter(Q(consortium__contacts=user) | Q(call__program__officers=user)).distinct()


def application_detail(pk: int) -> Application:
    """One application with members, budget, people, KPIs, milestones, documents and events."""
    return (
        Application.objects.select_related("call__program", "track", "consortium__representative__province")
        .prefetch_related(
            Prefetch(
                "consortium__members",
                queryset=ConsortiumMember.objects.select_related("organisation__province").order_by("id"),
            ),
            Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("year", "member_id")),
            "call__matching_rules",
            "people__person",
            "kpi_targets",
            "milestones",
            "documents",
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


SOURCES = ("national_krw", "local_cash_krw", "private_cash_krw", "private_in_kind_krw")


def budget_totals_by_year(application_ids: list[int]) -> dict[int, dict[int, dict[str, int]]]:
    """{application: {year: {source: won}}} in one query."""
    rows = (
        BudgetLine.objects.filter(application__in=application_ids)
        .values("application_id", "year")
        .annotate(**{s: Sum(s) for s in SOURCES})
    )
    out: dict[int, dict[int, dict[str, int]]] = defaultdict(dict)
    for row in rows:
        out[row["application_id"]][row["year"]] = {s: row[s] or 0 for s in SOURCES}
    return out


def applications_with_region(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Annotates `region_name`: the region of the call's scheme holding the representative's province."""
    region = Region.objects.filter(
        scheme=OuterRef("call__region_scheme_id"),
        provinces=OuterRef("consortium__representative__province_id"),
    ).order_by("order", "code")
    return applications.annotate(region_name=Subquery(region.values("name")[:1]))


def organisation_search(
    query: str, *, queryset: QuerySet[Organisation] | None = None
) -> QuerySet[Organisation]:
    """Organisations by (part of) their name, English name or business number (dashes optional).

    The one search behind the portal's "add a member" and the API's `?q=`.
    """
    qs = Organisation.objects.all() if queryset is None else queryset
    query = query.strip()
    if not query:
        return qs.none()
    digits = query.replace("-", "")
    match = Q(name__icontains=query) | Q(name_en__icontains=query)
    if digits.isdigit():
        match |= Q(business_number__startswith=digits)
    # Short names as people write them: "충북" finds 충청북도, "충북 테크노파크" 충청북도 테크노파크.
    for short, full in Province.objects.exclude(short_name="").values_list("short_name", "name").distinct():
        if short in query:
            match |= Q(name__icontains=query.replace(short, full))
    return qs.filter(match)

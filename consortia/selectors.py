"""Reads of consortia and applications, each saying what it preloads."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import BigIntegerField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.text import smart_split, unescape_string_literal

from config.inputs import is_ascii_digits
from consortia.models import (
    Application,
    ApplicationEvent,
    ApplicationLeadProvince,
    BudgetLine,
    CoLeadInvitation,
    Consortium,
    ConsortiumMember,
    Organisation,
    OrganisationProvinceChange,
    OrganisationStaff,
)
from programs.models import Program, Province, Region
from programs.permissions import is_admin


def province_on_expression(day: dt.date, *, organisation: str = "pk", province: str = "province_id"):
    """The province id an organisation had on `day`, computed in the database (for lists).

    The first move after `day` names the province it left; without one, today's is the one.
    `organisation` and `province` are the paths to the organisation's id and province id.
    """
    left = (
        OrganisationProvinceChange.objects.filter(organisation=OuterRef(organisation), effective_on__gt=day)
        .order_by("effective_on", "id")
        .values("from_province")[:1]
    )
    return Coalesce(Subquery(left), F(province), output_field=BigIntegerField())


def province_on(organisation: Organisation, day: dt.date) -> Province:
    """The organisation's province on `day` (a call uses the one of its opening date)."""
    left = (
        OrganisationProvinceChange.objects.filter(organisation=organisation, effective_on__gt=day)
        .select_related("from_province")
        .order_by("effective_on", "id")
        .first()
    )
    return left.from_province if left else organisation.province


def members_with_province_on(consortium_id: int, day: dt.date) -> list[ConsortiumMember]:
    """The consortium's members, each with `province_on` (its organisation's province on `day`),
    in two queries whatever their number."""
    members = list(
        ConsortiumMember.objects.filter(consortium=consortium_id)
        .select_related("organisation__province")
        .annotate(
            province_on_id=province_on_expression(
                day, organisation="organisation_id", province="organisation__province_id"
            )
        )
        .order_by("id")
    )
    moved = {m.province_on_id for m in members if m.province_on_id != m.organisation.province_id}
    earlier = Province.objects.in_bulk(moved) if moved else {}
    for m in members:
        m.province_on = earlier.get(m.province_on_id, m.organisation.province)
    return members


def lead_provinces_of(application_ids: list[int]) -> dict[int, list[ApplicationLeadProvince]]:
    """{application: its lead governments' provinces as submitted}, representative first, one query.

    What awards and history show: later moves of the organisations never change it."""
    out: dict[int, list[ApplicationLeadProvince]] = defaultdict(list)
    for row in ApplicationLeadProvince.objects.filter(application__in=application_ids).select_related(
        "organisation", "province"
    ):
        out[row.application_id].append(row)
    return dict(out)


# The lead provinces as submitted (empty for a draft), with their names.
_LEAD_PROVINCES = Prefetch(
    "lead_provinces", queryset=ApplicationLeadProvince.objects.select_related("organisation", "province")
)


def invitations() -> QuerySet[CoLeadInvitation]:
    return CoLeadInvitation.objects.select_related("consortium", "organisation").order_by(
        "-created_at", "-id"
    )


def pending_invitations_for(user) -> QuerySet[CoLeadInvitation]:
    """Pending invitations to co-lead addressed to local governments the user is verified staff of."""
    if not user.is_authenticated:
        return CoLeadInvitation.objects.none()
    staff_of = OrganisationStaff.objects.filter(user=user, verified_at__isnull=False).values("organisation")
    return invitations().filter(state=CoLeadInvitation.State.PENDING, organisation__in=staff_of)


def consortia_for(user) -> QuerySet[Consortium]:
    """The consortia the user is a contact of (all for an administrator), members preloaded."""
    qs = Consortium.objects.select_related("representative__province").prefetch_related(
        Prefetch("members", queryset=ConsortiumMember.objects.select_related("organisation__province"))
    )
    return qs.order_by("name") if is_admin(user) else qs.filter(contacts=user).order_by("name")


def applications_for(user) -> QuerySet[Application]:
    """Applications the user may read: own consortia's, or their programs' calls (officers)."""
    qs = Application.objects.select_related(
        "call__program", "track", "consortium__representative__province"
    ).prefetch_related(_LEAD_PROVINCES)
    if is_admin(user):
        return qs
    # Two EXISTS, not an OR of joins with DISTINCT: DISTINCT compared every selected column
    # of every joined row before the top-50 sort (issue 18: 7.8x the SQL the list needs).
    return qs.filter(Exists(_contact_of(user, OuterRef("consortium_id"))) | Exists(_officer_of(user)))


def _contact_of(user, consortium) -> QuerySet:
    return Consortium.contacts.through.objects.filter(consortium=consortium, user=user)


def _officer_of(user) -> QuerySet:
    return Program.officers.through.objects.filter(program=OuterRef("call__program_id"), user=user)


def applications_of_contact(user) -> QuerySet[Application]:
    """The applications of the consortia the user is a contact of (/my/), newest first."""
    return (
        Application.objects.select_related("call", "track", "consortium__representative__province")
        .filter(Exists(_contact_of(user, OuterRef("consortium_id"))))
        .order_by("-created_at", "-id")
    )


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
            _LEAD_PROVINCES,
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
        # No ORDER BY: BudgetLine.Meta.ordering (member -> consortium) would join three tables.
        .order_by()
    )
    out: dict[int, dict[int, dict[str, int]]] = defaultdict(dict)
    for row in rows:
        out[row["application_id"]][row["year"]] = {s: row[s] or 0 for s in SOURCES}
    return out


def applications_with_region(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Annotates `lead_province_id` (the representative's province as submitted, else today's) and
    `region_name`: the region of the call's scheme holding that province."""
    # order_by("id"): the model's ordering starts with the application, a join and a sort per row.
    snapshot = ApplicationLeadProvince.objects.filter(
        application=OuterRef("pk"), is_representative=True
    ).order_by("id")
    applications = applications.annotate(
        lead_province_id=Coalesce(
            Subquery(snapshot.values("province")[:1]),
            F("consortium__representative__province_id"),
            output_field=BigIntegerField(),
        ),
        lead_province_name=Coalesce(
            Subquery(snapshot.values("province__name")[:1]), F("consortium__representative__province__name")
        ),
    )
    region = Region.objects.filter(
        scheme=OuterRef("call__region_scheme_id"), provinces=OuterRef("lead_province_id")
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
    if is_ascii_digits(digits):
        match |= Q(business_number__startswith=digits)
    # Short names as people write them: "충북" finds 충청북도, "충북 테크노파크" 충청북도 테크노파크.
    for short, full in Province.objects.exclude(short_name="").values_list("short_name", "name").distinct():
        if short in query:
            match |= Q(name__icontains=query.replace(short, full))
    return qs.filter(match)


def search_applications(applications: QuerySet[Application], terms: str) -> QuerySet[Application]:
    """Applications whose title, receipt number, consortium or a member organisation's name holds
    every word of `terms` (the admin's search), each as EXISTS: no join multiplies the rows.

    On PostgreSQL the trigram indexes of consortia/migrations/0006 serve these LIKEs."""
    for term in smart_split(terms):
        term = unescape_string_literal(term) if term[0] in "\"'" and term[-1] == term[0] else term
        members = ConsortiumMember.objects.filter(
            consortium=OuterRef("consortium_id"), organisation__name__icontains=term
        )
        consortium = Consortium.objects.filter(pk=OuterRef("consortium_id"), name__icontains=term)
        applications = applications.filter(
            Q(title__icontains=term)
            | Q(receipt_number__icontains=term)
            | Exists(consortium)
            | Exists(members)
        )
    return applications

"""The officer's case file of one application: what the admin's application page shows.

Reads only. The budget arithmetic is consortia.budget's, the same the portal, the API and the rule check
use; every year is shown as the calendar year it falls in (2027년), never as a plan year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django_fsm import can_proceed

from consortia import budget, selectors
from consortia.choices import KpiIndicator
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationLeadProvince,
    ApplicationPerson,
    ConsortiumMember,
    Notice,
)

MONEY_KPIS = {KpiIndicator.SALES_KRW, KpiIndicator.ROYALTIES_KRW, KpiIndicator.FOLLOW_ON_INVESTMENT_KRW}


@dataclass
class BudgetTable:
    years: list[budget.BudgetYear]
    totals: dict[str, int]
    cap_krw: int

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def all_ok(self) -> bool:
        return all(y.cap_ok and all(r.ok for r in y.ratios) for y in self.years)


def budget_table(application: Application) -> BudgetTable:
    """Year x source totals and each matching rule per year, by the presenter the portal, the API
    and the rule check use (consortia.budget); years shown as calendar years."""
    per_year = selectors.budget_totals_by_year([application.pk]).get(application.pk, {})
    rules = list(application.call.matching_rules.all())
    cap = application.track.national_cap_per_year_krw
    years = []
    for year in sorted(per_year):
        totals = {f: per_year[year].get(f, 0) for f in selectors.SOURCES}
        years.append(
            budget.BudgetYear(
                year=year,
                calendar_year=application.call.calendar_year(year),
                totals=totals,
                ratios=budget.ratios(rules, totals),
                cap_krw=cap,
            )
        )
    totals = {f: sum(y.totals[f] for y in years) for f in selectors.SOURCES}
    return BudgetTable(years=years, totals=totals, cap_krw=cap)


@dataclass
class YearLabel:
    year: int  # plan year
    label: str  # its calendar year as people write it ("2028년")


@dataclass
class KpiRow:
    label: str
    values: list[int | None]
    money: bool


@dataclass
class CaseFile:
    application: Application
    members: list[ConsortiumMember]
    people: list[ApplicationPerson]
    budget: BudgetTable
    plan_years: list[YearLabel]
    kpis: list[KpiRow]
    milestones: list[tuple[str, list]] = field(default_factory=list)
    documents: list[ApplicationDocument] = field(default_factory=list)
    events: list[ApplicationEvent] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    lead_provinces: list[ApplicationLeadProvince] = field(default_factory=list)


def case_file(application_id: int, *, scope: QuerySet[Application] | None = None) -> CaseFile:
    """Everything the officer's page shows, in a fixed number of queries.

    `scope`: the applications the reader may open (the admin's get_queryset); outside it the
    application does not exist (Application.DoesNotExist). The case's application is the admin's
    object too, so the page reads the row once."""
    application = (
        (Application.objects.all() if scope is None else scope)
        .select_related("call__program", "track", "consortium__representative__province", "created_by")
        .prefetch_related(
            Prefetch(
                "consortium__members",
                queryset=ConsortiumMember.objects.select_related("organisation__province").order_by("id"),
            ),
            Prefetch(
                "people",
                queryset=ApplicationPerson.objects.select_related("person", "member__organisation").order_by(
                    "member_id", "role", "id"
                ),
            ),
            "kpi_targets",
            "milestones",
            Prefetch("documents", queryset=ApplicationDocument.objects.order_by("kind", "uploaded_at")),
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
            Prefetch("notices", queryset=Notice.objects.order_by("created_at", "id")),
            Prefetch("lead_provinces", queryset=ApplicationLeadProvince.objects.select_related("province")),
            "call__matching_rules",
        )
        .get(pk=application_id)
    )
    plan_years = [
        YearLabel(y, budget.year_label(application.call.calendar_year(y)))
        for y in range(1, application.track.duration_years + 1)
    ]
    by_indicator: dict[str, dict[int, int]] = defaultdict(dict)
    for target in application.kpi_targets.all():
        by_indicator[target.indicator][target.year] = target.value
    kpis = [
        KpiRow(
            label=str(KpiIndicator(code).label),
            values=[by_indicator[code].get(y.year) for y in plan_years],
            money=code in MONEY_KPIS,
        )
        for code in KpiIndicator.values
        if code in by_indicator
    ]
    milestones: dict[int, list] = defaultdict(list)
    for milestone in application.milestones.all():
        milestones[milestone.year].append(milestone)
    return CaseFile(
        application=application,
        members=list(application.consortium.members.all()),
        people=list(application.people.all()),
        budget=budget_table(application),
        plan_years=plan_years,
        kpis=kpis,
        milestones=[
            (budget.year_label(application.call.calendar_year(year)), items)
            for year, items in sorted(milestones.items())
        ],
        documents=list(application.documents.all()),
        events=list(application.events.all()),
        notices=list(application.notices.all()),
        lead_provinces=list(application.lead_provinces.all()),
    )


# The officer's steps, in workflow order: (service step, FSM method, needs a reason).
STEPS = [
    ("start_screening", False),
    ("start_review", False),
    ("select", True),
    ("reject", True),
]


def possible_steps(application: Application) -> list[str]:
    """The officer's steps the application's state allows now."""
    return [step for step, _reason in STEPS if can_proceed(getattr(application, step))]

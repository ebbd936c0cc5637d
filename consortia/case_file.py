"""The officer's case file of one application: what the admin's application page shows.

Reads only. The budget arithmetic is taken in one place (`budget_table`), so it can switch to the
one budget selector the page, the API and the rule check will share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from consortia import selectors
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
from programs.models import MatchingRule, MoneySource

# BudgetLine column -> MatchingRule source name.
SOURCE_OF_FIELD = {f"{source}_krw": source for source in MoneySource.values}
MONEY_KPIS = {KpiIndicator.SALES_KRW, KpiIndicator.ROYALTIES_KRW, KpiIndicator.FOLLOW_ON_INVESTMENT_KRW}


@dataclass
class RatioCheck:
    rule: MatchingRule
    numerator: int
    base: int
    ok: bool

    @property
    def percent(self) -> str:
        """Truncated to basis points, so a ratio 1 won short never shows as the limit."""
        if not self.base:
            return "—"
        bp = self.numerator * 10000 // self.base
        return f"{bp // 100}.{bp % 100:02d}%"


@dataclass
class BudgetYear:
    year: int
    amounts: dict[str, int]  # by BudgetLine column, in source order
    ratios: list[RatioCheck]
    cap_ok: bool

    @property
    def total(self) -> int:
        return sum(self.amounts.values())

    @property
    def label(self) -> str:
        return _("Year %(n)d") % {"n": self.year}


@dataclass
class BudgetTable:
    years: list[BudgetYear]
    totals: dict[str, int]
    cap_krw: int

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def all_ok(self) -> bool:
        return all(y.cap_ok and all(r.ok for r in y.ratios) for y in self.years)


def budget_table(application: Application) -> BudgetTable:
    """Year x source totals, and each matching rule checked per year in exact integers."""
    per_year = selectors.budget_totals_by_year([application.pk]).get(application.pk, {})
    rules = list(application.call.matching_rules.all())
    years = []
    totals = dict.fromkeys(selectors.SOURCES, 0)
    for year in sorted(per_year):
        amounts = {f: per_year[year].get(f, 0) for f in selectors.SOURCES}
        by_source = {SOURCE_OF_FIELD[f]: amount for f, amount in amounts.items()}
        ratios = [
            RatioCheck(
                rule=rule,
                numerator=sum(by_source[s] for s in rule.numerator_sources),
                base=sum(by_source[s] for s in rule.base_sources),
                ok=rule.holds(by_source),
            )
            for rule in rules
        ]
        cap_ok = amounts["national_krw"] <= application.track.national_cap_per_year_krw
        years.append(BudgetYear(year=year, amounts=amounts, ratios=ratios, cap_ok=cap_ok))
        for f, amount in amounts.items():
            totals[f] += amount
    return BudgetTable(years=years, totals=totals, cap_krw=application.track.national_cap_per_year_krw)


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
    plan_years: list[int]
    kpis: list[KpiRow]
    milestones: list[tuple[int, list]] = field(default_factory=list)
    documents: list[ApplicationDocument] = field(default_factory=list)
    events: list[ApplicationEvent] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    lead_provinces: list[ApplicationLeadProvince] = field(default_factory=list)


def case_file(application_id: int) -> CaseFile:
    """Everything the officer's page shows, in a fixed number of queries."""
    application = (
        Application.objects.select_related(
            "call__program", "track", "consortium__representative__province", "created_by"
        )
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
        )
        .get(pk=application_id)
    )
    plan_years = list(range(1, application.track.duration_years + 1))
    by_indicator: dict[str, dict[int, int]] = defaultdict(dict)
    for target in application.kpi_targets.all():
        by_indicator[target.indicator][target.year] = target.value
    kpis = [
        KpiRow(
            label=str(KpiIndicator(code).label),
            values=[by_indicator[code].get(y) for y in plan_years],
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
        milestones=sorted(milestones.items()),
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

"""The KPI catalogue (domain.md, "Monitoring"), typed with units, and the national 2030
indicators officers compare the program's contribution against.

The codes are the application's (`consortia.choices.KpiIndicator`): targets come from the
application's plan and actuals are reported against the same codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from consortia.choices import KpiIndicator


class Unit:
    PERSONS = "persons"
    FIRMS = "firms"
    CASES = "cases"
    PAPERS = "papers"
    KRW = "krw"


UNIT_LABELS = {
    Unit.PERSONS: _("persons"),
    Unit.FIRMS: _("firms"),
    Unit.CASES: _("cases"),
    Unit.PAPERS: _("papers"),
    Unit.KRW: _("won"),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str
    # A part of another indicator (youth jobs are part of new jobs): never above it.
    part_of: str | None = None


CATALOGUE: dict[str, Indicator] = {
    i.code: i
    for i in [
        Indicator(KpiIndicator.NEW_JOBS, Unit.PERSONS),
        Indicator(KpiIndicator.NEW_JOBS_REGULAR, Unit.PERSONS, part_of=KpiIndicator.NEW_JOBS),
        Indicator(KpiIndicator.NEW_JOBS_YOUTH, Unit.PERSONS, part_of=KpiIndicator.NEW_JOBS),
        Indicator(KpiIndicator.FIRMS_ATTRACTED, Unit.FIRMS),
        Indicator(KpiIndicator.FIRMS_FROM_CAPITAL, Unit.FIRMS, part_of=KpiIndicator.FIRMS_ATTRACTED),
        Indicator(KpiIndicator.SALES_KRW, Unit.KRW),
        Indicator(KpiIndicator.PATENTS_FILED, Unit.CASES),
        Indicator(KpiIndicator.PATENTS_REGISTERED, Unit.CASES),
        Indicator(KpiIndicator.PAPERS, Unit.PAPERS),
        Indicator(KpiIndicator.DEEPTECH_STARTUPS, Unit.FIRMS),
        Indicator(KpiIndicator.RESEARCHERS, Unit.PERSONS),
        Indicator(KpiIndicator.TECH_TRANSFERS, Unit.CASES),
        Indicator(KpiIndicator.ROYALTIES_KRW, Unit.KRW),
        Indicator(KpiIndicator.FOLLOW_ON_INVESTMENT_KRW, Unit.KRW),
    ]
}
assert set(CATALOGUE) == set(KpiIndicator.values), "every indicator of the application has a unit"


def unit_of(code: str) -> str:
    return CATALOGUE[code].unit


@dataclass(frozen=True)
class NationalIndicator:
    """A 2030 indicator of the national strategy; `indicator` is ours that contributes to it."""

    code: str
    label: str
    baseline: str
    target_2030: str
    indicator: str | None


NATIONAL_2030 = [
    NationalIndicator(
        "innovation_capacity",
        _("non-capital innovation capacity, as a share of the capital region's"),
        "44%",
        "70%",
        None,
    ),
    NationalIndicator(
        "regional_researchers", _("regional researchers"), "200,000", "220,000", KpiIndicator.RESEARCHERS
    ),
    NationalIndicator("regional_rnd_share", _("regional share of national R&D"), "3.96%", "7%", None),
    NationalIndicator(
        "deeptech_startups",
        _("deep-tech startups (cumulative)"),
        "77",
        "600",
        KpiIndicator.DEEPTECH_STARTUPS,
    ),
]

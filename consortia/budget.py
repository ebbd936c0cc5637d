"""The budget arithmetic, once: per-year totals by source, the track's cap and each matching ratio
against its rule. The portal's budget step and review, the API and the rule check all read it.

Years are plan years (1, 2, 3 …) in storage and calendar years (2027, 2028 …) everywhere a person
or a client reads them: `call.calendar_year(plan_year)`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import pgettext

from consortia.rule_codes import matching_code
from programs.models import Call, MatchingRule, MoneySource, Track

MONEY_FIELDS = ("national_krw", "local_cash_krw", "private_cash_krw", "private_in_kind_krw")
SOURCE_FIELDS = {s: f"{s}_krw" for s in MoneySource.values}


def percent_text(part: int, whole: int) -> str:
    """part / whole as "20.00%", truncated to basis points so that a share 1 won short of (or
    over) a limit never shows as the limit itself; "—" for a zero whole."""
    if not whole:
        return "—"
    bp = part * 10000 // whole
    return f"{bp // 100}.{bp % 100:02d}%"


def year_label(year: int) -> str:
    """A calendar year as people write it: "2028년"."""
    return pgettext("calendar year", "%(year)d") % {"year": year}


@dataclass
class Ratio:
    """One matching rule in one year: numerator and base in whole won, compared exactly."""

    rule: MatchingRule
    numerator: int
    base: int
    ok: bool

    @property
    def code(self) -> str:
        return matching_code(self.rule)

    @property
    def percent(self) -> str:
        return percent_text(self.numerator, self.base)


def ratios(rules: Iterable[MatchingRule], totals: dict[str, int]) -> list[Ratio]:
    """Each rule against one year's totals ({"national_krw": …})."""
    amounts = {s: totals.get(f, 0) for s, f in SOURCE_FIELDS.items()}
    return [
        Ratio(
            rule=rule,
            numerator=sum(amounts[s] for s in rule.numerator_sources),
            base=sum(amounts[s] for s in rule.base_sources),
            ok=rule.holds(amounts),
        )
        for rule in rules
    ]


@dataclass
class BudgetYear:
    year: int | None  # plan year; None for the blank template of the editor
    calendar_year: int | None = None
    rows: list = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    ratios: list[Ratio] = field(default_factory=list)
    cap_krw: int = 0
    failures: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def cap_ok(self) -> bool:
        return self.totals.get("national_krw", 0) <= self.cap_krw

    @property
    def label(self) -> str:
        return year_label(self.calendar_year) if self.calendar_year else ""


def budget_year(
    year: int | None,
    rows: list,
    amounts_of: Callable[[object], dict[str, int]],
    *,
    rules: list[MatchingRule],
    track: Track,
    call: Call,
) -> BudgetYear:
    """One year: sums `amounts_of(row)` over the rows (each row gets its `total_krw`)."""
    totals = dict.fromkeys(MONEY_FIELDS, 0)
    for row in rows:
        row_amounts = amounts_of(row)
        row.total_krw = sum(row_amounts.values())
        for f, amount in row_amounts.items():
            totals[f] += amount
    return BudgetYear(
        year=year,
        calendar_year=call.calendar_year(year) if year else None,
        rows=rows,
        totals=totals,
        ratios=ratios(rules, totals),
        cap_krw=track.national_cap_per_year_krw,
    )


def budget_sheet(lines: Iterable, *, rules: list[MatchingRule], track: Track, call: Call) -> list[BudgetYear]:
    """Budget lines (or anything with `year` and the money fields) by plan year, in order."""
    groups: dict[int, list] = defaultdict(list)
    for line in lines:
        groups[line.year].append(line)
    return [
        budget_year(
            year,
            rows,
            lambda line: {m: getattr(line, m) for m in MONEY_FIELDS},
            rules=rules,
            track=track,
            call=call,
        )
        for year, rows in sorted(groups.items())
    ]

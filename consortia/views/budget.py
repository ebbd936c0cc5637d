"""The budget step: per year and member, with totals and matching ratios."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils.translation import gettext as _

from consortia import forms, services
from consortia.models import (
    BudgetLine,
    ConsortiumMember,
)
from consortia.rules import Failure
from consortia.views._common import SOURCE_FIELDS, _editor, _int, _member_label, _members, _save_rows, _saved
from programs.models import MatchingRule

# --- budget ---------------------------------------------------------------------------------------


@dataclass
class Ratio:
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


def _ratios(rules: list[MatchingRule], totals: dict[str, int]) -> list[Ratio]:
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
    year: int | None
    rows: list = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    ratios: list[Ratio] = field(default_factory=list)
    cap_ok: bool = True
    failures: list[Failure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def label(self) -> str:
        return _("Year %(n)d") % {"n": self.year} if self.year else ""


def _budget_year(year, rows, amounts_of, rules, track) -> BudgetYear:
    totals = {f: 0 for f in forms.MONEY_FIELDS}
    for row in rows:
        row_amounts = amounts_of(row)
        row.total_krw = sum(row_amounts.values())
        for f, amount in row_amounts.items():
            totals[f] += amount
    return BudgetYear(
        year=year,
        rows=rows,
        totals=totals,
        ratios=_ratios(rules, totals),
        cap_ok=totals["national_krw"] <= track.national_cap_per_year_krw,
    )


def _budget_form_years(formset, rules, track) -> list[BudgetYear]:
    groups: dict[int | None, list] = defaultdict(list)
    for form in formset.forms:
        value = str(form["year"].value() or "")
        groups[int(value) if value.isdigit() else None].append(form)
    return [
        _budget_year(year, rows, lambda f: {m: _int(f[m].value()) for m in forms.MONEY_FIELDS}, rules, track)
        for year, rows in sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or 0))
    ]


def _budget_sheet(
    lines: list[BudgetLine], members: dict[int, ConsortiumMember], rules, track
) -> list[BudgetYear]:
    groups: dict[int, list] = defaultdict(list)
    for line in lines:
        line.member_obj = members.get(line.member_id)
        groups[line.year].append(line)
    return [
        _budget_year(year, rows, lambda line: {m: getattr(line, m) for m in forms.MONEY_FIELDS}, rules, track)
        for year, rows in sorted(groups.items())
    ]


def _budget(request, application) -> HttpResponse:
    members = _members(application.consortium_id)
    choices = [(m.pk, _member_label(m)) for m in members]
    kwargs = {"members": choices}
    track = application.track
    errors: list[str] = []
    if request.method == "POST":
        formset = forms.BudgetFormSet(request.POST, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
        errors = _save_rows(request, application, formset, services.set_budget)
        if errors is None:
            return _saved(request, application, "budget")
    else:
        initial = [
            {"member": line.member_id, "year": line.year, **{f: getattr(line, f) for f in forms.MONEY_FIELDS}}
            for line in application.budget_lines.order_by("year", "member_id")
        ] or [
            {"member": m.pk, "year": year, **dict.fromkeys(forms.MONEY_FIELDS, 0)}
            for year in range(1, track.duration_years + 1)
            for m in members
        ]
        formset = forms.BudgetFormSet(initial=initial, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
    rules = list(application.call.matching_rules.all())
    # Blank rows the script clones: one per member for a new year, and one for "add a row".
    template_rows = [
        formset.form(
            auto_id=formset.auto_id,
            prefix=formset.add_prefix("__prefix__"),
            initial={"member": m.pk, **dict.fromkeys(forms.MONEY_FIELDS, 0)},
            use_required_attribute=False,
            **kwargs,
        )
        for m in members
    ]
    years = _budget_form_years(formset, rules, track)
    grand = {f: sum(y.totals[f] for y in years) for f in forms.MONEY_FIELDS}
    live = {
        "rules": [
            {
                "label": rule.describe(),
                "numerator": [SOURCE_FIELDS[s] for s in rule.numerator_sources],
                "base": [SOURCE_FIELDS[s] for s in rule.base_sources],
                "comparison": rule.comparison,
                "basis_points": int(rule.percent * 100),
            }
            for rule in rules
        ],
        "cap": track.national_cap_per_year_krw,
        "duration": track.duration_years,
        "prefix": forms.ROWS_PREFIX,
        "labels": {"year": _("Year %(n)d"), "ok": _("met"), "bad": _("not met")},
    }
    return _editor(
        request,
        application,
        "budget",
        "consortia/step_budget.html",
        formset=formset,
        years=years,
        blank_year=_budget_year(
            None, template_rows, lambda f: dict.fromkeys(forms.MONEY_FIELDS, 0), rules, track
        ),
        grand=grand,
        grand_total=sum(grand.values()),
        members=members,
        rules=rules,
        track=track,
        live=live,
        errors=errors,
    )

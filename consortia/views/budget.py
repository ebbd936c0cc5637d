"""The budget step: per year and member, with totals and matching ratios."""

from __future__ import annotations

from collections import defaultdict

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config.inputs import is_ascii_digits
from consortia import forms, services
from consortia.budget import BudgetYear, budget_sheet, budget_year
from consortia.models import (
    BudgetLine,
    ConsortiumMember,
)
from consortia.views._common import SOURCE_FIELDS, _editor, _int, _member_label, _members, _save_rows, _saved


def _budget_form_years(formset, rules, track, call) -> list[BudgetYear]:
    groups: dict[int | None, list] = defaultdict(list)
    for form in formset.forms:
        value = str(form["year"].value() or "")
        groups[int(value) if is_ascii_digits(value) and len(value) <= 4 else None].append(form)
    return [
        budget_year(
            year,
            rows,
            lambda f: {m: _int(f[m].value()) for m in forms.MONEY_FIELDS},
            rules=rules,
            track=track,
            call=call,
        )
        for year, rows in sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or 0))
    ]


def _budget_sheet(lines: list[BudgetLine], members: dict[int, ConsortiumMember], rules, track, call):
    for line in lines:
        line.member_obj = members.get(line.member_id)
    return budget_sheet(lines, rules=rules, track=track, call=call)


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
    years = _budget_form_years(formset, rules, track, application.call)
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
        "first_year": application.call.first_budget_year,
        "labels": {
            "year": pgettext("calendar year", "%(year)d").replace("%(year)d", "%(n)d"),
            "ok": _("met"),
            "bad": _("not met"),
        },
    }
    return _editor(
        request,
        application,
        "budget",
        "consortia/step_budget.html",
        formset=formset,
        years=years,
        blank_year=budget_year(
            None,
            template_rows,
            lambda f: dict.fromkeys(forms.MONEY_FIELDS, 0),
            rules=rules,
            track=track,
            call=application.call,
        ),
        grand=grand,
        grand_total=sum(grand.values()),
        members=members,
        rules=rules,
        track=track,
        live=live,
        errors=errors,
    )

"""Review and submit, the read-only application, its timeline, withdraw."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DomainError
from consortia import forms, selectors, services
from consortia.exceptions import RulesBroken
from consortia.models import (
    Application,
)
from consortia.rules import Failure, check_application
from consortia.views._common import _application_or_404, _editor
from consortia.views.budget import BudgetYear, _budget_sheet

# --- review, submit, the read-only view, withdraw ---------------------------------------------


@dataclass
class Sections:
    """The application laid out by section, each failure placed beside what it concerns."""

    members: list = field(default_factory=list)  # (member, [failures])
    people: list = field(default_factory=list)  # (application person, member, [failures])
    budget: list[BudgetYear] = field(default_factory=list)
    general: dict[str, list[Failure]] = field(default_factory=dict)  # call, members, budget, people, other
    count: int = 0
    problems: list[tuple[str, str, int]] = field(default_factory=list)  # (anchor, label, failures)


def _sections(application: Application, failures: list[Failure] | None) -> Sections:
    members = list(application.consortium.members.all())
    by_id = {m.pk: m for m in members}
    by_member: dict[int, list[Failure]] = defaultdict(list)
    by_year: dict[int, list[Failure]] = defaultdict(list)
    by_person: dict[int, list[Failure]] = defaultdict(list)
    general: dict[str, list[Failure]] = defaultdict(list)
    people = list(application.people.all())
    person_ids = {p.person_id for p in people}
    years = {line.year for line in application.budget_lines.all()}
    for failure in failures or []:
        section = failure.field.split(".")[0]
        if section == "members" and failure.member_id in by_id:
            by_member[failure.member_id].append(failure)
        elif section == "budget" and failure.year in years:
            by_year[failure.year].append(failure)
        elif section == "people" and failure.person_id in person_ids:
            by_person[failure.person_id].append(failure)
        elif section in ("members", "budget", "people"):
            general[section].append(failure)
        elif section in ("call", "track", "consortium"):
            general["call"].append(failure)
        else:
            general["other"].append(failure)
    budget = _budget_sheet(
        list(application.budget_lines.all()),
        by_id,
        list(application.call.matching_rules.all()),
        application.track,
    )
    for year in budget:
        year.failures = by_year[year.year]
    problems = [
        ("section-call", _("Call"), len(general["call"]) + len(general["other"])),
        ("section-members", _("Members"), len(general["members"]) + sum(map(len, by_member.values()))),
        ("section-people", _("Researchers"), len(general["people"]) + sum(map(len, by_person.values()))),
        ("section-budget", _("Budget plan"), len(general["budget"])),
        *((f"budget-year-{y.year}", y.label, len(y.failures)) for y in budget),
    ]
    return Sections(
        members=[(m, by_member[m.pk]) for m in members],
        people=[(p, by_id.get(p.member_id), by_person[p.person_id]) for p in people],
        budget=budget,
        general=dict(general),
        count=len(failures or []),
        problems=[p for p in problems if p[2]],
    )


def _review(request, application) -> HttpResponse:
    if application.state != Application.State.DRAFT:
        return redirect("portal:application", application.pk)
    failures: list[Failure] | None = None
    if request.method == "POST":
        try:
            services.submit_application(actor=request.user, application_id=application.pk)
        except RulesBroken as exc:
            failures = exc.failures
            messages.error(request, exc.message)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("portal:step", application.pk, "review")
        else:
            messages.success(request, _("The application was submitted. A receipt is on its way by email."))
            return redirect("portal:application", application.pk)
    elif request.GET.get("check"):
        failures = check_application(application, at=timezone.now())
    detail = selectors.application_detail(application.pk)
    return _editor(
        request,
        detail,
        "review",
        "consortia/step_review.html",
        sections=_sections(detail, failures),
        checked=failures is not None,
    )


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _application_or_404(request.user, pk)
    application = selectors.application_detail(pk)
    return render(
        request,
        "consortia/application_detail.html",
        {
            "application": application,
            "sections": _sections(application, None),
            "events": application.events.all(),
            "can_withdraw": application.state in (Application.State.DRAFT, Application.State.SUBMITTED),
        },
    )


@login_required
@require_GET
def application_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request.user, pk)
    events = application.events.select_related("actor").order_by("at", "id")
    return render(
        request, "consortia/application_timeline.html", {"application": application, "events": events}
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request.user, pk)
    if application.state not in (Application.State.DRAFT, Application.State.SUBMITTED):
        messages.info(request, _("Only a draft or a submitted application can be withdrawn."))
        return redirect("portal:application", application.pk)
    form = forms.WithdrawForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(
                actor=request.user, application_id=application.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            errors = forms.apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The application was withdrawn."))
            return redirect(reverse("portal:application", args=[application.pk]) + "#timeline")
    return render(
        request,
        "consortia/application_withdraw.html",
        {"application": application, "form": form, "errors": errors},
    )

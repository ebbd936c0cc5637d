"""The applicant portal: my consortia and applications, the step-by-step editor, submit, withdraw.

Views are thin. They look objects up within what the user may edit (anything else is a 404,
so ids cannot be probed), call one service per change and put the DomainError's field
messages beside the inputs, re-rendering what was posted so nothing typed is lost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.errors import DomainError
from config.inputs import is_ascii_digits
from consortia import forms, permissions, selectors, services
from consortia.exceptions import RulesBroken
from consortia.models import (
    Application,
    ApplicationDocument,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    Organisation,
)
from consortia.rules import Failure, check_application
from programs.models import MatchingRule, MoneySource, Track
from programs.selectors import open_calls

STEPS = [
    ("basics", gettext_lazy("Basics")),
    ("members", gettext_lazy("Members and researchers")),
    ("budget", gettext_lazy("Budget")),
    ("kpis", gettext_lazy("KPI targets")),
    ("milestones", gettext_lazy("Milestones")),
    ("documents", gettext_lazy("Documents")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]
SOURCE_FIELDS = {s: f"{s}_krw" for s in MoneySource.values}
SEARCH_LIMIT = 20


# --- lookups: only what the user may edit, 404 otherwise ---------------------------------------


def _consortium_or_404(user, pk: int) -> Consortium:
    consortium = get_object_or_404(Consortium.objects.select_related("representative__province"), pk=pk)
    if not permissions.can_edit_consortium(user, consortium):
        raise Http404
    return consortium


def _application_or_404(user, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("call__program", "track", "consortium__representative"), pk=pk
    )
    if not permissions.can_edit_application(user, application):
        raise Http404
    return application


def _unless_draft(request: HttpRequest, application: Application) -> HttpResponse | None:
    if application.state == Application.State.DRAFT:
        return None
    messages.info(request, _("Only a draft can be edited; this is the submitted application."))
    return redirect("portal:application", application.pk)


def _members(consortium_id: int) -> list[ConsortiumMember]:
    return list(
        ConsortiumMember.objects.filter(consortium=consortium_id)
        .select_related("organisation__province")
        .order_by("id")
    )


def _member_label(member: ConsortiumMember) -> str:
    return f"{member.organisation} · {member.get_role_display()}"


def _int(value) -> int:
    """A posted amount for live totals: anything that is not whole won counts as zero."""
    text = str(value if value is not None else "").replace(",", "").replace(" ", "").removesuffix("원")
    return int(text) if is_ascii_digits(text) and len(text) <= 18 else 0


# --- my consortia and applications ---------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    consortia = list(selectors.consortia_for(request.user))
    applications = list(
        selectors.applications_for(request.user).filter(consortium__in=[c.pk for c in consortia])
    )
    totals = selectors.budget_totals_by_year([a.pk for a in applications])
    for application in applications:
        years = totals.get(application.pk, {})
        application.national_total_krw = sum(y["national_krw"] for y in years.values())
        application.plan_total_krw = sum(sum(y.values()) for y in years.values())
    return render(request, "consortia/home.html", {"consortia": consortia, "applications": applications})


@login_required
@require_http_methods(["GET", "POST"])
def consortium_create(request: HttpRequest) -> HttpResponse:
    form = forms.ConsortiumCreateForm(request.POST or None)
    # Staff of a local government form its consortium: offer only the user's own.
    field = form.fields["representative"]
    field.queryset = field.queryset.filter(staff=request.user)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["representative_mode"] == form.NEW:
                consortium = services.create_consortium_with_new_government(
                    actor=request.user,
                    name=data["name"],
                    government_name=data["new_name"],
                    province=data["new_province"],
                )
            else:
                consortium = services.create_consortium(
                    actor=request.user, name=data["name"], representative=data["representative"]
                )
        except DomainError as exc:
            errors = forms.apply_domain_errors(
                form, exc, rename={"government_name": "new_name", "government_province": "new_province"}
            )
        else:
            messages.success(request, _("The consortium was created."))
            return redirect("portal:consortium", consortium.pk)
    return render(request, "consortia/consortium_new.html", {"form": form, "errors": errors})


def _organisation_search(query: str, consortium: Consortium | None) -> list[Organisation]:
    query = query.strip()
    if not query:
        return []
    digits = query.replace("-", "")
    match = Q(name__icontains=query) | Q(name_en__icontains=query)
    if is_ascii_digits(digits):
        match |= Q(business_number__startswith=digits)
    qs = Organisation.objects.filter(match).select_related("province").order_by("name")
    if consortium is not None:
        qs = qs.exclude(memberships__consortium=consortium)
    return list(qs[:SEARCH_LIMIT])


@login_required
@require_GET
def organisation_search(request: HttpRequest) -> HttpResponse:
    """The htmx search beside "add a member": organisations by name or business number."""
    consortium = None
    if is_ascii_digits(consortium_id := request.GET.get("consortium", "")) and len(consortium_id) <= 18:
        consortium = _consortium_or_404(request.user, int(consortium_id))
    query = request.GET.get("q", "")
    return render(
        request,
        "consortia/_org_results.html",
        {"results": _organisation_search(query, consortium), "q": query, "selected": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consortium_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = _consortium_or_404(request.user, pk)
    action = request.POST.get("action")
    existing = forms.ExistingMemberForm(request.POST if action == "add_existing" else None, prefix="existing")
    new = forms.NewMemberForm(request.POST if action == "add_new" else None, prefix="new")
    errors: list[str] = []
    if action == "add_existing" and existing.is_valid():
        data = existing.cleaned_data
        try:
            services.add_member(
                actor=request.user,
                consortium_id=consortium.pk,
                organisation=data["organisation"],
                role=data["role"],
                department=data["department"],
            )
        except DomainError as exc:
            errors = forms.apply_domain_errors(existing, exc)
        else:
            messages.success(request, _("%(org)s was added.") % {"org": data["organisation"]})
            return redirect("portal:consortium", consortium.pk)
    elif action == "add_new" and new.is_valid():
        data = new.cleaned_data
        try:
            member = services.register_member(
                actor=request.user,
                consortium_id=consortium.pk,
                role=data["role"],
                department=data["department"],
                name=data["name"],
                type=data["type"],
                province=data["province"],
                business_number=data["business_number"],
            )
        except DomainError as exc:
            errors = forms.apply_domain_errors(new, exc)
        else:
            messages.success(request, _("%(org)s was registered and added.") % {"org": member.organisation})
            return redirect("portal:consortium", consortium.pk)
    elif action and action not in ("add_existing", "add_new"):
        raise Http404
    query = request.POST.get("q", "") if action == "add_existing" else request.GET.get("q", "")
    picked = existing["organisation"].value() if action == "add_existing" else None
    context = {
        "consortium": consortium,
        "members": _members(consortium.pk),
        "applications": consortium.applications.select_related("call", "track").order_by("-created_at"),
        "locked": consortium.applications.exclude(
            state__in=[Application.State.DRAFT, Application.State.WITHDRAWN]
        ).exists(),
        "existing": existing,
        "new": new,
        "action": action,
        "errors": errors,
        "q": query,
        "results": _organisation_search(query, consortium),
        "selected": str(picked or ""),
    }
    return render(request, "consortia/consortium_detail.html", context)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    consortium = _consortium_or_404(request.user, pk)
    member = get_object_or_404(
        ConsortiumMember.objects.select_related("organisation"), pk=member_pk, consortium=consortium
    )
    try:
        services.remove_member(actor=request.user, member_id=member.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(org)s was removed.") % {"org": member.organisation})
    return redirect("portal:consortium", consortium.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    consortium = _consortium_or_404(request.user, pk)
    calls = list(open_calls())
    form = forms.ApplicationStartForm(request.POST or None, calls=calls)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        track: Track = form.cleaned_data["track"]
        try:
            application = services.create_application(
                actor=request.user,
                consortium_id=consortium.pk,
                call=track.call,
                track=track,
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            errors = forms.apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The draft application was created."))
            return redirect("portal:step", application.pk, "basics")
    return render(
        request,
        "consortia/application_new.html",
        {"consortium": consortium, "form": form, "calls": calls, "errors": errors},
    )


# --- the editor ---------------------------------------------------------------------------------


def _editor(request, application, step: str, template: str, **context) -> HttpResponse:
    index = STEP_NAMES.index(step)
    context.update(
        application=application,
        steps=STEPS,
        step=step,
        previous_step=STEP_NAMES[index - 1] if index else None,
        next_step=STEP_NAMES[index + 1] if index + 1 < len(STEP_NAMES) else None,
    )
    return render(request, template, context)


def _saved(request, application, step: str) -> HttpResponse:
    messages.success(request, _("Saved."))
    if "continue" in request.POST:
        index = STEP_NAMES.index(step)
        return redirect("portal:step", application.pk, STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)])
    return redirect("portal:step", application.pk, step)


def _save_rows(request, application, formset, service) -> list[str] | None:
    """Calls the row service; None when saved, else the messages that belong to no input."""
    if not formset.is_valid():
        return [_("Please correct the highlighted fields."), *formset.non_form_errors()]
    try:
        service(actor=request.user, application_id=application.pk, rows=[f.row() for f in formset.forms])
    except DomainError as exc:
        return forms.apply_domain_errors(formset, exc)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    application = _application_or_404(request.user, pk)
    if step == "review":
        return _review(request, application)
    if response := _unless_draft(request, application):
        return response
    return {
        "basics": _basics,
        "members": _people,
        "budget": _budget,
        "kpis": _kpis,
        "milestones": _milestones,
        "documents": _documents,
    }[step](request, application)


def _basics(request, application) -> HttpResponse:
    form = forms.BasicsForm(request.POST or None, initial=forms.BasicsForm.initial_from(application))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(
                actor=request.user, application_id=application.pk, **form.cleaned_data
            )
        except DomainError as exc:
            errors = forms.apply_domain_errors(form, exc)
        else:
            return _saved(request, application, "basics")
    return _editor(request, application, "basics", "consortia/step_basics.html", form=form, errors=errors)


def _people(request, application) -> HttpResponse:
    members = _members(application.consortium_id)
    kwargs = {"members": [(m.pk, _member_label(m)) for m in members]}
    errors: list[str] = []
    if request.method == "POST":
        formset = forms.PersonFormSet(request.POST, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
        errors = _save_rows(request, application, formset, services.set_people)
        if errors is None:
            return _saved(request, application, "members")
    else:
        initial = [
            {
                "member": p.member_id,
                "role": p.role,
                "name": p.person.name,
                "researcher_number": p.person.researcher_number,
                "email": p.person.email,
            }
            for p in application.people.select_related("person").order_by("id")
        ]
        formset = forms.PersonFormSet(initial=initial, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
    return _editor(
        request,
        application,
        "members",
        "consortia/step_members.html",
        members=members,
        formset=formset,
        errors=errors,
        locked=False,
    )


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
        groups[int(value) if is_ascii_digits(value) and len(value) <= 4 else None].append(form)
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


# --- KPI targets, milestones, documents ----------------------------------------------------------


def _row_step(request, application, step: str, formset_class, service, initial: list[dict]) -> HttpResponse:
    """A step edited as rows per plan year (KPI targets, milestones): save replaces them all."""
    kwargs = {"years": forms.year_choices(application.track.duration_years)}
    errors: list[str] = []
    if request.method == "POST":
        formset = formset_class(request.POST, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
        errors = _save_rows(request, application, formset, service)
        if errors is None:
            return _saved(request, application, step)
    else:
        formset = formset_class(initial=initial, prefix=forms.ROWS_PREFIX, form_kwargs=kwargs)
    return _editor(request, application, step, f"consortia/step_{step}.html", formset=formset, errors=errors)


def _kpis(request, application) -> HttpResponse:
    initial = list(application.kpi_targets.values("indicator", "year", "value"))
    return _row_step(request, application, "kpis", forms.KpiFormSet, services.set_kpi_targets, initial)


def _milestones(request, application) -> HttpResponse:
    initial = list(application.milestones.values("year", "title", "description"))
    return _row_step(
        request, application, "milestones", forms.MilestoneFormSet, services.set_milestones, initial
    )


def _documents(request, application) -> HttpResponse:
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_document(
                actor=request.user,
                application_id=application.pk,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            errors = forms.apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect("portal:step", application.pk, "documents")
    return _editor(
        request,
        application,
        "documents",
        "consortia/step_documents.html",
        form=form,
        documents=application.documents.order_by("kind", "uploaded_at"),
        errors=errors,
    )


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    application = _application_or_404(request.user, pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    try:
        services.delete_document(actor=request.user, document_id=document.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s was deleted.") % {"name": document.original_name})
    return redirect("portal:step", application.pk, "documents")


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    application = _application_or_404(request.user, pk)
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


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

"""The call's rules, checked on an application all at once (domain.md, "Consortia and applications").

`check_application` returns every failure, each naming its rule, the field it belongs to and
the member, year or person concerned, so the applicant can fix them in one pass. Submission
is all-or-nothing: any failure refuses it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.josa import josa
from consortia.budget import budget_sheet, percent_text
from consortia.business_number import validate_business_number
from consortia.choices import FIRM_TYPES, OrganisationType
from consortia.models import (
    Application,
    ApplicationPerson,
    BudgetLine,
    ConsortiumMember,
    DeclaredProject,
)
from consortia.rule_codes import RuleCode
from consortia.selectors import members_with_province_on, province_on_expression
from programs.models import (
    DECREE_EXEMPT_KINDS,
    Call,
    CostShareRate,
    MatchingRule,
    MoneySource,
    ProjectKind,
    Province,
)
from programs.money import format_won
from programs.selectors import eligible_provinces, ended_province_message


@dataclass(frozen=True)
class Failure:
    rule: str
    field: str
    message: str
    year: int | None = None
    member_id: int | None = None
    person_id: int | None = None

    def __post_init__(self) -> None:
        # "%(org)s이(가)" in Korean: the particle follows the organisation's name.
        object.__setattr__(self, "message", josa(str(self.message)))

    def as_dict(self) -> dict:
        return {k: str(v) if k == "rule" else v for k, v in self.__dict__.items() if v is not None}


def fields_of(failures: list[Failure]) -> dict[str, list[str]]:
    """Failures in the one error shape: {field: [messages]}."""
    out: dict[str, list[str]] = defaultdict(list)
    for f in failures:
        out[f.field].append(f.message)
    return dict(out)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _sources(line: BudgetLine) -> dict[str, int]:
    return {
        MoneySource.NATIONAL: line.national_krw,
        MoneySource.LOCAL_CASH: line.local_cash_krw,
        MoneySource.PRIVATE_CASH: line.private_cash_krw,
        MoneySource.PRIVATE_IN_KIND: line.private_in_kind_krw,
    }


def participating_provinces(members: list[ConsortiumMember]) -> list[Province]:
    """The provinces of the consortium's lead local governments (each holds a slot), as of the
    call's opening date where the members carry `province_on` (selectors.members_with_province_on)."""
    seen: dict[int, Province] = {}
    for m in members:
        if m.role == ConsortiumMember.Role.LEAD_GOVERNMENT:
            province = getattr(m, "province_on", None) or m.organisation.province
            seen[province.pk] = province
    return list(seen.values())


def check_application(
    application: Application, *, at: dt.datetime | None = None, slots: bool = True
) -> list[Failure]:
    """Every rule of the call that the application breaks, as of instant `at` (now).

    `slots=False` leaves out the one rule that reads other applications of the track (the
    province slots): submit checks it apart, under the call lock (`check_call_guarded`)."""
    at = at or timezone.now()
    call: Call = (
        Call.objects.select_related("program", "parent")
        .prefetch_related(
            "matching_rules",
            "member_requirements",
            "required_documents",
            "eligible_provinces",
            "eligible_regions__provinces",
        )
        .get(pk=application.call_id)
    )
    track = application.track
    # A call uses the provinces in force on its opening date for its whole life (domain.md):
    # each member's province is the one it had on that date, whatever moved since.
    members = members_with_province_on(application.consortium_id, call.opening_date)
    lines = list(application.budget_lines.select_related("member__organisation"))
    failures: list[Failure] = []

    failures += _check_window(call, at)
    if track.call_id != call.pk:
        failures.append(
            Failure(RuleCode.CALL_TRACK_MISMATCH, "track", _("The track is not a track of this call."))
        )

    failures += _check_lead_governments(application, call, track, members)
    if slots:
        failures += _check_slots(application, call, track, members)
    failures += _check_members(call, members)
    failures += _check_budget(call, track, lines)
    if call.per_firm_cost_sharing:
        failures += _check_cost_sharing(call, lines)
    failures += _check_business_numbers(members)
    failures += _check_core(application, call, track)
    if call.enforce_concurrency_limit:
        failures += _check_concurrency(application, call)
    if call.stage == Call.Stage.SECOND:
        selected_first = Application.objects.filter(
            call=call.parent_id, consortium=application.consortium_id, state=Application.State.SELECTED
        ).exists()
        if not selected_first:
            failures.append(
                Failure(
                    RuleCode.CALL_FIRST_STAGE_REQUIRED,
                    "consortium",
                    _("Only consortia selected in the first stage (%(call)s) may apply.")
                    % {"call": call.parent.title},
                )
            )
    return failures


def member_failures(application: Application) -> list[Failure]:
    """The failures that only a change of members can fix (lead governments, composition, business
    numbers): what a consortium whose members are frozen can never fix."""
    call = application.call
    members = list(application.consortium.members.select_related("organisation__province").order_by("id"))
    return [
        *_check_lead_governments(application, call, application.track, members),
        *_check_members(call, members),
        *_check_business_numbers(members),
    ]


def check_call_guarded(application: Application, *, at: dt.datetime) -> list[Failure]:
    """What the call lock guards once the call's rules are frozen: its window and the slots."""
    call = Call.objects.get(pk=application.call_id)
    members = members_with_province_on(application.consortium_id, call.opening_date)
    return _check_window(call, at) + _check_slots(application, call, application.track, members)


def _check_window(call: Call, at: dt.datetime) -> list[Failure]:
    """The call is open: half-open [opens_at, closes_at), to the second."""
    if call.is_open_at(at):
        return []
    return [
        Failure(
            RuleCode.CALL_CLOSED,
            "call",
            _("The call is not open: submissions are accepted from %(o)s until before %(c)s.")
            % {
                "o": timezone.localtime(call.opens_at).strftime("%Y-%m-%d %H:%M:%S"),
                "c": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M:%S"),
            },
        )
    ]


def _check_lead_governments(application, call, track, members) -> list[Failure]:
    failures = []
    leads = [m for m in members if m.role == ConsortiumMember.Role.LEAD_GOVERNMENT]
    representative = application.consortium.representative
    if not leads or representative.pk not in {m.organisation_id for m in leads}:
        failures.append(
            Failure(
                RuleCode.LEAD_REPRESENTATIVE,
                "members",
                _("The representative local government must be a lead member."),
            )
        )
    eligible = {p.pk for p in eligible_provinces(call)}
    day = call.opening_date
    for m in leads:
        org = m.organisation
        province = getattr(m, "province_on", None) or org.province
        if org.type != OrganisationType.LOCAL_GOVERNMENT:
            failures.append(
                Failure(
                    RuleCode.LEAD_NOT_LOCAL_GOVERNMENT,
                    f"members.{m.pk}",
                    _("%(org)s is not a local government.") % {"org": org},
                    member_id=m.pk,
                )
            )
        elif province.effective_to is not None and province.effective_to < day:
            failures.append(
                Failure(
                    RuleCode.LEAD_PROVINCE_ENDED,
                    f"members.{m.pk}",
                    f"{org}: {ended_province_message(province, on=day)}",
                    member_id=m.pk,
                )
            )
        elif province.pk not in eligible:
            failures.append(
                Failure(
                    RuleCode.LEAD_REGION_INELIGIBLE,
                    f"members.{m.pk}",
                    _("%(org)s: %(province)s is not an eligible province of this call (in force on %(day)s).")
                    % {"org": org, "province": province, "day": day.isoformat()},
                    member_id=m.pk,
                )
            )
    provinces = participating_provinces(members)
    if len(provinces) < track.min_provinces:
        failures.append(
            Failure(
                RuleCode.LEAD_MIN_PROVINCES,
                "members",
                _(
                    "The track %(track)s needs local governments of at least %(n)d provinces; "
                    "this consortium has %(have)d."
                )
                % {"track": track.name, "n": track.min_provinces, "have": len(provinces)},
            )
        )
    return failures


def _check_slots(application, call, track, members) -> list[Failure]:
    """At most one slot-holding application per province per track (super-regional: every province)."""
    failures = []
    provinces = participating_provinces(members)
    if not provinces:
        return failures
    # Other holders' lead governments count with their provinces of the call's opening date too,
    # so a merger during the call neither frees nor merges slots.
    names = {p.pk: p.name for p in provinces}
    holding = Application.objects.filter(call=call, track=track, state__in=Application.SLOT_HOLDING).exclude(
        pk=application.pk
    )
    holders = (
        ConsortiumMember.objects.filter(
            role=ConsortiumMember.Role.LEAD_GOVERNMENT, consortium__applications__in=holding
        )
        .annotate(
            province_on_id=province_on_expression(
                call.opening_date, organisation="organisation_id", province="organisation__province_id"
            )
        )
        .filter(province_on_id__in=list(names))
        .values_list("province_on_id", "consortium__name")
        .distinct()
        .order_by("province_on_id", "consortium__name")
    )
    for province_id, consortium_name in holders:
        failures.append(
            Failure(
                RuleCode.SLOT_PROVINCE_TAKEN,
                "members",
                _("%(province)s already takes part in another application to %(track)s (%(consortium)s).")
                % {"province": names[province_id], "track": track.name, "consortium": consortium_name},
            )
        )
    return failures


def _check_members(call, members) -> list[Failure]:
    failures = []
    leads = [m for m in members if m.role == ConsortiumMember.Role.LEAD_INSTITUTION]
    if len(leads) != 1:
        failures.append(
            Failure(
                RuleCode.MEMBERS_LEAD_INSTITUTION,
                "members",
                _("A consortium has exactly one lead institution (주관연구개발기관); it has %(n)d.")
                % {"n": len(leads)},
            )
        )
    counts: dict[str, int] = defaultdict(int)
    for m in members:
        counts[m.organisation.type] += 1
    for req in call.member_requirements.all():
        # A minimum may name a group of types ("firms of any size ≥ 2").
        have = sum(counts[t] for t in req.types)
        if have < req.min_count:
            failures.append(
                Failure(
                    RuleCode.MEMBERS_MIN_TYPE,
                    "members",
                    _("At least %(n)d member(s) of type %(type)s are required; there are %(have)d.")
                    % {
                        "n": req.min_count,
                        "type": req.get_organisation_type_display(),
                        "have": have,
                    },
                )
            )
    return failures


def _check_budget(call, track, lines) -> list[Failure]:
    failures = []
    if not lines:
        return [Failure(RuleCode.BUDGET_EMPTY, "budget", _("The budget plan is empty."))]
    for line in lines:
        if line.year > track.duration_years:
            year = call.calendar_year(line.year)
            failures.append(
                Failure(
                    RuleCode.BUDGET_DURATION,
                    f"budget.{year}",
                    _("%(year)d is outside the track's duration of %(n)d years (%(member)s).")
                    % {"year": year, "n": track.duration_years, "member": line.member.organisation},
                    year=year,
                    member_id=line.member_id,
                )
            )
    rules: list[MatchingRule] = list(call.matching_rules.all())
    # The same per-year totals and ratios the budget page and the API show.
    for sheet in budget_sheet(lines, rules=rules, track=track, call=call):
        year = sheet.calendar_year
        if not sheet.cap_ok:
            failures.append(
                Failure(
                    RuleCode.BUDGET_CAP,
                    f"budget.{year}",
                    _("%(year)d: national grant %(amount)s exceeds the track's cap of %(cap)s per year.")
                    % {
                        "year": year,
                        "amount": format_won(sheet.totals["national_krw"]),
                        "cap": format_won(track.national_cap_per_year_krw),
                    },
                    year=year,
                )
            )
        for ratio in sheet.ratios:
            if not ratio.ok:
                failures.append(
                    Failure(
                        ratio.code,
                        f"budget.{year}",
                        _(
                            "%(year)d: matching rule not met: %(rule)s "
                            "(here %(num)s against a base of %(base)s)."
                        )
                        % {
                            "year": year,
                            "rule": ratio.rule.describe(),
                            "num": format_won(ratio.numerator),
                            "base": format_won(ratio.base),
                        },
                        year=year,
                    )
                )
    return failures


def cost_share_rates(on: dt.date) -> dict[str, CostShareRate]:
    """The rate of each firm type in force on `on` (the latest row from that day or before)."""
    rates: dict[str, CostShareRate] = {}
    for rate in CostShareRate.objects.filter(effective_from__lte=on).order_by(
        "organisation_type", "-effective_from"
    ):
        rates.setdefault(rate.organisation_type, rate)
    return rates


def _check_cost_sharing(call, lines) -> list[Failure]:
    """Each firm's yearly budget against its size's cost-share rate, in exact integers: government
    money (national and local cash) at most the rate's share of the firm's total, and the firm's
    own share (private cash and in kind) at least the rate's part in cash."""
    rates = cost_share_rates(call.opening_date)
    sums: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    members = {}
    for line in lines:
        if line.member.organisation.type in rates:
            members[line.member_id] = line.member
            for field, amount in _sources(line).items():
                sums[(line.member_id, line.year)][field] += amount
    failures = []
    for (member_id, plan_year), money in sorted(sums.items()):
        member = members[member_id]
        rate = rates[member.organisation.type]
        government = money["national"] + money["local_cash"]
        own = money["private_cash"] + money["private_in_kind"]
        total = government + own
        year = call.calendar_year(plan_year)
        values = {"year": year, "org": member.organisation, "rate": rate}
        if government * 100 > rate.government_max_percent * total:
            failures.append(
                Failure(
                    RuleCode.COST_SHARE_GOVERNMENT,
                    f"budget.{year}",
                    _(
                        "%(year)d: government money for %(org)s is %(share)s of its cost; "
                        "a firm of its size may receive at most %(max)d%%."
                    )
                    % {
                        **values,
                        "share": percent_text(government, total),
                        "max": rate.government_max_percent,
                    },
                    year=year,
                    member_id=member_id,
                )
            )
        if money["private_cash"] * 100 < rate.own_cash_min_percent * own:
            failures.append(
                Failure(
                    RuleCode.COST_SHARE_OWN_CASH,
                    f"budget.{year}",
                    _(
                        "%(year)d: %(org)s pays %(share)s of its own share in cash; "
                        "a firm of its size pays at least %(min)d%% in cash."
                    )
                    % {
                        **values,
                        "share": percent_text(money["private_cash"], own),
                        "min": rate.own_cash_min_percent,
                    },
                    year=year,
                    member_id=member_id,
                )
            )
    return failures


def _check_business_numbers(members) -> list[Failure]:
    failures = []
    for m in members:
        org = m.organisation
        if org.type not in FIRM_TYPES:
            continue
        try:
            validate_business_number(org.business_number)
        except ValidationError:
            failures.append(
                Failure(
                    RuleCode.MEMBERS_BUSINESS_NUMBER,
                    f"members.{m.pk}",
                    _("%(org)s: a valid business registration number is required for a firm.") % {"org": org},
                    member_id=m.pk,
                )
            )
    return failures


def planned_period(*, closes_at: dt.datetime, duration_years: int) -> tuple[dt.date, dt.date]:
    """An application's planned project period, for 3책5공: it starts the day after its call
    closes and runs its track's duration (both ends inclusive). An award's agreed period,
    once there is one, is the better source."""
    start = timezone.localdate(closes_at) + dt.timedelta(days=1)
    return start, add_months(start, 12 * duration_years) - dt.timedelta(days=1)


@dataclass(frozen=True)
class CountedProject:
    """A project 3책5공 counted for a researcher, named in the refusal."""

    title: str
    source: str
    ends_on: dt.date
    as_lead: bool
    foreign: bool = False

    def __str__(self) -> str:
        return _("%(title)s (%(source)s, until %(end)s)") % {
            "title": self.title,
            "source": self.source,
            "end": self.ends_on.isoformat(),
        }


def concurrent_projects(
    application: Application, call: Call, person_ids: list[int] | None = None
) -> dict[int, list[CountedProject]]:
    """Per person on the application: the other projects that count towards 3책5공.

    Counted: other applications that are submitted or later (not drafts, withdrawn or not
    selected) and declared outside projects, each only while it runs past the call's deadline
    plus the grace period (6 months: one ending on or before that day does not count), and
    only if its kind is counted: the decree's excluded kinds never are, the program may
    exempt more; a first-stage (pre-planning) application is a planning project.
    """
    program = call.program
    exempt = DECREE_EXEMPT_KINDS | set(program.concurrency_exemptions.values_list("kind", flat=True))
    cutoff = add_months(timezone.localdate(call.closes_at), program.concurrency_grace_months)
    if person_ids is None:
        person_ids = list(application.people.values_list("person_id", flat=True))
    counted: dict[int, list[CountedProject]] = defaultdict(list)
    if not person_ids:
        return counted
    others = (
        ApplicationPerson.objects.filter(
            person__in=person_ids, application__state__in=Application.SLOT_HOLDING
        )
        .exclude(application=application)
        .values_list(
            "person_id",
            "role",
            "application__title",
            "application__state",
            "application__call__stage",
            "application__call__closes_at",
            "application__track__duration_years",
        )
    )
    states = dict(Application.State.choices)
    for person_id, role, title, state, stage, closes_at, duration in others:
        kind = ProjectKind.PLANNING if stage == Call.Stage.FIRST else ProjectKind.RESEARCH
        _start, ends_on = planned_period(closes_at=closes_at, duration_years=duration)
        if kind in exempt or ends_on <= cutoff:
            continue
        source = _("application, %(state)s") % {"state": states[state]}
        counted[person_id].append(
            CountedProject(title, source, ends_on, as_lead=role in ApplicationPerson.LEAD_ROLES)
        )
    declared = DeclaredProject.objects.filter(
        Q(application__isnull=True) | Q(application=application),
        person__in=person_ids,
        ends_on__gt=cutoff,
    ).exclude(kind__in=exempt)
    for project in declared:
        counted[project.person_id].append(
            CountedProject(
                project.title,
                _("declared"),
                project.ends_on,
                as_lead=project.as_principal_investigator,
                foreign=project.with_foreign_partner,
            )
        )
    return counted


def _check_concurrency(application, call) -> list[Failure]:
    """3책5공 (국가연구개발혁신법 시행령 제64조) with the program's limits and exemptions."""
    if call.stage == Call.Stage.FIRST:
        return []  # a pre-planning application is a planning project: excluded by the decree
    program = call.program
    people = list(application.people.select_related("person"))
    if not people:
        return []
    counted = concurrent_projects(application, call, [ap.person_id for ap in people])
    failures = []
    for ap in people:
        is_lead = ap.role in ApplicationPerson.LEAD_ROLES
        projects = counted[ap.person_id]
        foreign = any(p.foreign for p in projects)
        total, as_lead = len(projects) + 1, sum(p.as_lead for p in projects) + is_lead
        max_total = program.max_concurrent_projects_foreign if foreign else program.max_concurrent_projects
        max_lead = program.max_concurrent_lead_foreign if foreign else program.max_concurrent_lead
        if total > max_total:
            failures.append(
                Failure(
                    RuleCode.CONCURRENCY_LIMIT,
                    f"people.{ap.person_id}",
                    _("%(person)s would take part in %(n)d projects at once; the limit is %(max)d.")
                    % {"person": ap.person.name, "n": total, "max": max_total}
                    + " "
                    + _counted_list(projects),
                    person_id=ap.person_id,
                )
            )
        if is_lead and as_lead > max_lead:
            failures.append(
                Failure(
                    RuleCode.CONCURRENCY_LEAD_LIMIT,
                    f"people.{ap.person_id}",
                    _(
                        "%(person)s would lead %(n)d projects at once as principal investigator; "
                        "the limit is %(max)d."
                    )
                    % {"person": ap.person.name, "n": as_lead, "max": max_lead}
                    + " "
                    + _counted_list([p for p in projects if p.as_lead]),
                    person_id=ap.person_id,
                )
            )
    return failures


def _counted_list(projects: list[CountedProject]) -> str:
    return _("Counted besides this application: %(projects)s.") % {
        "projects": "; ".join(str(p) for p in sorted(projects, key=lambda p: (p.ends_on, p.title)))
    }


def _check_core(application, call, track) -> list[Failure]:
    """The core of an application: a project director, KPI targets and milestones in every plan
    year, and the documents the call requires."""
    failures = []
    people = application.people.all()
    if not any(p.role == ApplicationPerson.Role.DIRECTOR for p in people):
        failures.append(
            Failure(
                RuleCode.PEOPLE_DIRECTOR,
                "people",
                _("Name the project director (연구책임자 of the project)."),
            )
        )
    years = range(1, track.duration_years + 1)
    kpi_years = set(application.kpi_targets.values_list("year", flat=True))
    milestone_years = set(application.milestones.values_list("year", flat=True))
    for year in years:
        label = call.calendar_year(year)
        if year not in kpi_years:
            failures.append(
                Failure(
                    RuleCode.KPIS_YEAR,
                    "kpis",
                    _("%(year)d: set at least one KPI target for this year.") % {"year": label},
                    year=label,
                )
            )
        if year not in milestone_years:
            failures.append(
                Failure(
                    RuleCode.MILESTONES_YEAR,
                    "milestones",
                    _("%(year)d: plan at least one milestone for this year.") % {"year": label},
                    year=label,
                )
            )
    present = set(application.documents.values_list("kind", flat=True))
    for required in call.required_documents.all():
        if required.kind not in present:
            failures.append(
                Failure(
                    RuleCode.DOCUMENTS_MISSING,
                    "documents",
                    _("The call requires a document of kind %(kind)s.")
                    % {"kind": required.get_kind_display()},
                )
            )
    return failures

"""Each rule of the call: a test that passes when it holds and fails when it is broken."""

import datetime as dt

import pytest
from django.utils import timezone

from consortia.choices import OrganisationType
from consortia.models import (
    Application,
    ApplicationPerson,
    BudgetLine,
    ConsortiumMember,
    DeclaredProject,
    Organisation,
    Person,
)
from consortia.rules import add_months, check_application
from programs.models import ConcurrencyExemption, MemberTypeRequirement, Province
from tests.factories import (
    KST,
    CallFactory,
    OrganisationFactory,
    complete_application,
    province,
    submitted,
)

pytestmark = pytest.mark.django_db


def rules_of(app, at=None) -> set[str]:
    """The rule codes that fail, and their areas ("matching.local_share" and "matching")."""
    codes = {str(f.rule) for f in check_application(app, at=at)}
    return codes | {c.split(".")[0] for c in codes}


def test_a_complete_application_passes():
    assert check_application(complete_application()) == []


# --- the call is open ---------------------------------------------------------------------


def test_deadline_is_exact_to_the_second():
    call = CallFactory(
        opens_at=timezone.now() - dt.timedelta(days=5),
        closes_at=dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(18), tzinfo=KST),
    )
    app = complete_application(call=call)
    close = call.closes_at
    assert "call.closed" not in rules_of(app, at=close - dt.timedelta(seconds=1))
    assert "call.closed" in rules_of(app, at=close)
    assert "call.closed" in rules_of(app, at=call.opens_at - dt.timedelta(seconds=1))


# --- lead local government, provinces, slots ----------------------------------------------


def test_lead_government_of_a_non_eligible_province_fails():
    app = complete_application(province_code="11")  # Seoul: the capital region is not eligible
    assert "lead.region_ineligible" in rules_of(app)


def test_lead_government_of_an_ended_province_fails():
    app = complete_application(province_code="27")
    gov = app.consortium.representative
    Organisation.objects.filter(pk=gov.pk).update(
        province=Province.objects.get(code="29")
    )  # ended 2026-06-30
    assert "lead.province_ended" in rules_of(app)


def test_representative_must_be_a_lead_member():
    app = complete_application()
    app.consortium.members.filter(role="lead_government").update(role="partner")
    assert "lead.representative_not_lead" in rules_of(app)


def test_super_regional_track_needs_two_provinces():
    app = complete_application(track_code="super-regional", province_code="47")
    assert "lead.min_provinces" in rules_of(app)
    daegu = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT, province=province("27"))
    ConsortiumMember.objects.create(consortium=app.consortium, organisation=daegu, role="lead_government")
    assert "lead.min_provinces" not in rules_of(app)


@pytest.mark.parametrize(
    ("other_state", "blocked"),
    [
        (Application.State.DRAFT, False),
        (Application.State.SUBMITTED, True),
        (Application.State.SCREENING, True),
        (Application.State.UNDER_REVIEW, True),
        (Application.State.SELECTED, True),
        (Application.State.WITHDRAWN, False),
        (Application.State.NOT_SELECTED, False),
    ],
)
def test_one_application_per_province_per_track(other_state, blocked):
    call = CallFactory()
    mine = complete_application(call=call, province_code="44")
    other = complete_application(call=call, province_code="44")
    Application.objects.filter(pk=other.pk).update(state=other_state, submitted_at=timezone.now())
    assert ("slot.province_taken" in rules_of(mine)) is blocked


def test_the_slot_is_per_track():
    call = CallFactory()
    mine = complete_application(call=call, province_code="44", track_code="leap")
    other = complete_application(call=call, province_code="44", track_code="super-regional")
    submitted(other)
    assert "slot.province_taken" not in rules_of(mine)


def test_a_super_regional_application_holds_every_participating_province():
    call = CallFactory()
    sr = complete_application(call=call, track_code="super-regional", province_code="47")
    daegu = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT, province=province("27"))
    ConsortiumMember.objects.create(consortium=sr.consortium, organisation=daegu, role="lead_government")
    submitted(sr)
    daegu_alone = complete_application(call=call, track_code="super-regional", province_code="27")
    ulsan = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT, province=province("31"))
    ConsortiumMember.objects.create(
        consortium=daegu_alone.consortium, organisation=ulsan, role="lead_government"
    )
    assert "slot.province_taken" in rules_of(daegu_alone)


# --- members --------------------------------------------------------------------------------


def test_exactly_one_lead_institution():
    app = complete_application()
    app.consortium.members.filter(role="lead").update(role="partner")
    assert "members.lead_institution" in rules_of(app)
    app.consortium.members.filter(role="partner").update(role="lead")
    assert "members.lead_institution" in rules_of(app)  # now two


def test_member_type_minimums():
    app = complete_application()
    MemberTypeRequirement.objects.create(call=app.call, organisation_type="university", min_count=2)
    failures = [f for f in check_application(app) if f.rule == "members.min_type"]
    assert len(failures) == 1 and "2" in failures[0].message
    MemberTypeRequirement.objects.filter(call=app.call).update(min_count=1)
    assert "members.min_type" not in rules_of(app)


def test_every_firm_needs_a_valid_business_number():
    app = complete_application()
    firm = app.consortium.members.get(organisation__type="sme")
    Organisation.objects.filter(pk=firm.organisation_id).update(business_number="1234567890")
    failures = [f for f in check_application(app) if f.rule == "members.business_number"]
    assert [f.member_id for f in failures] == [firm.pk]


# --- money ------------------------------------------------------------------------------------


def _set_local(app, year, amount):
    BudgetLine.objects.filter(application=app, year=year, local_cash_krw__gt=0).update(local_cash_krw=amount)


def test_matching_ratio_one_won_short_fails_though_it_rounds_to_twenty_percent():
    app = complete_application()  # national 1,000,000,000 per year: local cash needs 250,000,000
    _set_local(app, 2, 250_000_000)
    assert "matching" not in rules_of(app)
    _set_local(app, 2, 249_999_999)  # 19.99999992% -> "20.00%" when rounded
    failures = [f for f in check_application(app) if f.rule == "matching.local_share"]
    assert [(f.year, f.field) for f in failures] == [(2, "budget.2")]


def test_in_kind_cap_is_checked_with_its_own_base():
    app = complete_application()
    app.call.matching_rules.create(
        numerator_private_in_kind=True,
        comparison="lte",
        percent=50,
        base_private_cash=True,
        base_private_in_kind=True,
    )
    assert "matching" not in rules_of(app)  # in kind 50M of private 150M
    BudgetLine.objects.filter(application=app, year=1, private_in_kind_krw__gt=0).update(
        private_in_kind_krw=100_000_001
    )
    assert [f.year for f in check_application(app) if f.rule == "matching.in_kind_cap"] == [1]


def test_national_cap_per_year():
    app = complete_application()  # cap 2,000,000,000 per year
    line = BudgetLine.objects.filter(application=app, year=3, national_krw=800_000_000).get()
    line.national_krw = 1_800_000_000  # year 3 total: 2,000,000,000: at the cap is fine
    line.local_cash_krw = 250_000_000
    line.save()
    assert "budget.cap" not in rules_of(app)
    BudgetLine.objects.filter(pk=line.pk).update(national_krw=1_800_000_001)
    assert [f.year for f in check_application(app) if f.rule == "budget.cap"] == [3]


def test_no_budget_year_outside_the_duration():
    app = complete_application()
    member = app.consortium.members.get(role="lead")
    BudgetLine.objects.create(application=app, member=member, year=4, national_krw=0)
    failures = [f for f in check_application(app) if f.rule == "budget.duration"]
    assert [(f.year, f.member_id) for f in failures] == [(4, member.pk)]


def test_an_empty_budget_fails():
    app = complete_application()
    app.budget_lines.all().delete()
    assert "budget" in rules_of(app)


# --- 3책5공 ------------------------------------------------------------------------------------


def _person_on(app, person, role="researcher"):
    member = app.consortium.members.get(role="lead")
    return ApplicationPerson.objects.create(application=app, member=member, person=person, role=role)


def _declare(person, n, *, pi=False, ends_on=None, kind="research", foreign=False):
    for i in range(n):
        DeclaredProject.objects.create(
            person=person,
            title=f"외부 과제 {i}",
            kind=kind,
            as_principal_investigator=pi,
            with_foreign_partner=foreign,
            starts_on=dt.date(2024, 1, 1),
            ends_on=ends_on or dt.date(2030, 12, 31),
        )


@pytest.fixture
def researcher():
    return Person.objects.create(name="김연구", researcher_number="11112222")


def test_five_projects_at_once_is_the_limit(researcher):
    app = complete_application()
    _person_on(app, researcher)
    _declare(researcher, 4)
    assert "concurrency" not in rules_of(app)
    _declare(researcher, 1)
    failures = [f for f in check_application(app) if f.rule == "concurrency.limit"]
    assert [f.person_id for f in failures] == [researcher.pk]


def test_three_as_principal_investigator_is_the_limit(researcher):
    app = complete_application()
    _person_on(app, researcher, role="pi")
    _declare(researcher, 2, pi=True)
    assert "concurrency" not in rules_of(app)
    _declare(researcher, 1, pi=True)
    assert "concurrency" in rules_of(app)


def test_other_submitted_applications_count_but_drafts_do_not(researcher):
    app = complete_application()
    _person_on(app, researcher, role="pi")
    others = [complete_application() for _ in range(3)]
    for other in others:
        _person_on(other, researcher, role="pi")
    assert "concurrency" not in rules_of(app)  # three drafts do not count
    for other in others:
        submitted(other)
    assert "concurrency" in rules_of(app)
    Application.objects.filter(pk=others[0].pk).update(state=Application.State.WITHDRAWN)
    assert "concurrency" not in rules_of(app)


def test_projects_ending_within_six_months_of_the_deadline_do_not_count(researcher):
    app = complete_application()
    _person_on(app, researcher, role="pi")
    limit = add_months(timezone.localdate(app.call.closes_at), 6)
    _declare(researcher, 3, pi=True, ends_on=limit)  # ends on deadline + 6 months: not counted
    assert "concurrency" not in rules_of(app)
    _declare(researcher, 1, pi=True, ends_on=limit + dt.timedelta(days=1))
    _declare(researcher, 2, pi=True)
    assert "concurrency" in rules_of(app)


def test_exempt_kinds_do_not_count(researcher):
    app = complete_application()
    _person_on(app, researcher, role="pi")
    _declare(researcher, 3, pi=True, kind="planning")
    assert "concurrency" in rules_of(app)
    ConcurrencyExemption.objects.create(program=app.call.program, kind="planning")
    assert "concurrency" not in rules_of(app)


def test_a_foreign_partner_raises_the_limits(researcher):
    app = complete_application()
    _person_on(app, researcher)
    _declare(researcher, 5, foreign=True)  # 6 with this one: within the foreign limit of 6
    assert "concurrency" not in rules_of(app)


def test_the_program_may_not_apply_the_limit(researcher):
    app = complete_application()
    _person_on(app, researcher)
    _declare(researcher, 9)
    assert "concurrency" in rules_of(app)
    type(app.call).objects.filter(pk=app.call_id).update(enforce_concurrency_limit=False)
    assert "concurrency" not in rules_of(Application.objects.get(pk=app.pk))


def test_program_limits_are_settings(researcher):
    app = complete_application()
    _person_on(app, researcher)
    _declare(researcher, 3)
    program = app.call.program
    program.max_concurrent_projects = 3
    program.save()
    assert "concurrency" in rules_of(app)


# --- stages and everything at once -------------------------------------------------------


def test_second_stage_accepts_only_consortia_selected_in_the_first():
    first = CallFactory(
        stage="first",
        opens_at=timezone.now() - dt.timedelta(days=60),
        closes_at=timezone.now() - dt.timedelta(days=30),
    )
    second = CallFactory(stage="second", parent=first)
    app = complete_application(call=second)
    assert "call.first_stage_required" in rules_of(app)
    earlier = Application.objects.create(
        call=first,
        track=first.tracks.first(),
        consortium=app.consortium,
        title="사전기획",
        created_by=app.created_by,
    )
    Application.objects.filter(pk=earlier.pk).update(state=Application.State.SELECTED)
    assert "call.first_stage_required" not in rules_of(app)


def test_all_failures_are_reported_at_once():
    app = complete_application(track_code="super-regional", province_code="11")
    app.consortium.members.filter(role="lead").update(role="partner")
    _set_local(app, 1, 0)
    rules = rules_of(app)
    assert {"lead.region_ineligible", "lead.min_provinces", "members.lead_institution", "matching"} <= rules


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 12, 15), 6) == dt.date(2027, 6, 15)


def test_the_rule_check_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    app = complete_application()
    for _ in range(20):
        m = ConsortiumMember.objects.create(
            consortium=app.consortium, organisation=OrganisationFactory(), role="partner"
        )
        for year in (1, 2, 3):
            BudgetLine.objects.create(application=app, member=m, year=year, national_krw=1)
        _person_on_member = ApplicationPerson.objects.create(
            application=app,
            member=m,
            person=Person.objects.create(name="연구원", researcher_number=f"{m.pk:08d}"),
            role="researcher",
        )
    # 13 whatever the size: 20 more members, 60 budget lines and 20 people add none.
    with django_assert_max_num_queries(13):
        check_application(app)

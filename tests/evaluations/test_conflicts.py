"""Conflicts of interest computed in the database, with reasons; waivers; recomputation withdraws."""

import datetime as dt

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from consortia.models import Affiliation, ApplicationPerson, ConsortiumMember, Notice, Person
from evaluations import selectors, services
from evaluations.exceptions import AssignmentRefused, ConflictOfInterest
from evaluations.models import (
    Assignment,
    Conflict,
    ReviewerAffiliation,
    ReviewerRelative,
    Sanction,
    Score,
    Waiver,
)
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    ReviewerFactory,
    assign,
    make_panel,
    officer_of,
    province,
    seat,
    under_review,
)

pytestmark = pytest.mark.django_db
_numbers = iter(range(10000000, 99999999))


def person(name="김연구"):
    return Person.objects.create(name=name, researcher_number=str(next(_numbers)))


def researcher(app, who, *, role=ApplicationPerson.Role.PRINCIPAL_INVESTIGATOR, org=None, department=""):
    org = org or OrganisationFactory()
    member, _ = ConsortiumMember.objects.get_or_create(
        consortium=app.consortium, organisation=org, defaults={"role": "partner", "department": department}
    )
    Affiliation.objects.create(person=who, organisation=org, department=department, since=dt.date(2020, 1, 1))
    return ApplicationPerson.objects.create(application=app, member=member, person=who, role=role)


@pytest.fixture
def setup():
    panel = make_panel()
    app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    return panel, app, officer_of(panel.call.program, email="officer@example.kr")


def kinds(panel, app, reviewer):
    services.recompute_conflicts(panel_id=panel.pk)
    return set(
        Conflict.objects.filter(panel=panel, application=app, reviewer=reviewer).values_list(
            "kind", flat=True
        )
    )


def test_a_researcher_of_the_application_and_a_declared_relative(setup):
    panel, app, officer = setup
    me = person()
    reviewer = seat(panel, ReviewerFactory(person=me))
    researcher(app, me, role=ApplicationPerson.Role.RESEARCHER)
    assert kinds(panel, app, reviewer) == {"researcher"}
    cousin = person("박친척")
    other = seat(panel)
    ReviewerRelative.objects.create(reviewer=other, person=cousin, relation="배우자")
    researcher(app, cousin, role=ApplicationPerson.Role.RESEARCHER)
    assert kinds(panel, app, other) == {"relative"}


def test_same_lowest_department_as_a_principal_investigator_is_the_national_default(setup):
    panel, app, officer = setup
    uni = OrganisationFactory(name="경북대학교")
    researcher(app, person(), org=uni, department="화학과")
    same = seat(panel)
    ReviewerAffiliation.objects.create(
        reviewer=same, organisation=uni, department="화학과", since=dt.date(2015, 3, 1)
    )
    other_dept = seat(panel)
    ReviewerAffiliation.objects.create(
        reviewer=other_dept, organisation=uni, department="물리학과", since=dt.date(2015, 3, 1)
    )
    assert kinds(panel, app, same) == {"same_department"}
    assert kinds(panel, app, other_dept) == set()
    detail = Conflict.objects.get(reviewer=same).detail
    assert "경북대학교" in detail and "화학과" in detail


def test_same_institution_within_the_window_where_the_program_widens_it():
    panel = make_panel(conflict_same_institution=True, conflict_window_years=3)
    app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    uni = OrganisationFactory()
    ConsortiumMember.objects.create(consortium=app.consortium, organisation=uni, role="partner")
    day = timezone.localdate(panel.opens_at)
    recent = seat(panel)
    ReviewerAffiliation.objects.create(
        reviewer=recent, organisation=uni, since=dt.date(2010, 1, 1), until=day - dt.timedelta(days=2 * 365)
    )
    long_ago = seat(panel)
    ReviewerAffiliation.objects.create(
        reviewer=long_ago, organisation=uni, since=dt.date(2000, 1, 1), until=day - dt.timedelta(days=4 * 365)
    )
    assert kinds(panel, app, recent) == {"same_institution"}
    assert kinds(panel, app, long_ago) == set()


def test_officials_sanctions_and_the_lead_province(setup):
    panel, app, officer = setup
    official = seat(panel, is_official=True)
    sanctioned = seat(panel)
    today = timezone.localdate()
    Sanction.objects.create(
        reviewer=sanctioned, decided_on=today - dt.timedelta(days=700), reason="평가 누설"
    )
    old = seat(panel)
    Sanction.objects.create(reviewer=old, decided_on=today - dt.timedelta(days=4 * 365), reason="오래전")
    local = seat(panel, province=app.consortium.representative.province)
    assert kinds(panel, app, official) == {"official"}
    assert kinds(panel, app, sanctioned) == {"sanction"}
    assert kinds(panel, app, old) == set()
    assert kinds(panel, app, local) == set()  # only when the call says so
    panel.conflict_lead_province = True
    panel.save(update_fields=["conflict_lead_province"])
    assert kinds(panel, app, local) == {"lead_province"}
    elsewhere = seat(panel, province=province("44"))
    assert kinds(panel, app, elsewhere) == set()


def test_reciprocal_pairs_in_the_same_call(setup):
    panel, a, officer = setup
    b = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    p1, p2 = person("가"), person("나")
    r1, r2 = seat(panel, ReviewerFactory(person=p1)), seat(panel, ReviewerFactory(person=p2))
    researcher(b, p1)  # r1 works on B
    researcher(a, p2)  # r2 works on A
    assert kinds(panel, a, r1) == {"reciprocal"}
    assert kinds(panel, b, r2) == {"reciprocal"}
    assert kinds(panel, a, r2) == {"researcher"}


def test_waiver_is_a_recorded_decision_and_never_for_ones_own_work(setup):
    panel, app, officer = setup
    official = seat(panel, is_official=True)
    services.recompute_conflicts(panel_id=panel.pk)
    with pytest.raises(ConflictOfInterest):
        services.assign_reviewer(
            actor=officer, panel_id=panel.pk, application_id=app.pk, reviewer_id=official.pk
        )
    with pytest.raises(ConflictOfInterest, match="면제 사유"):
        services.waive_conflict(
            actor=officer, panel_id=panel.pk, application_id=app.pk, reviewer_id=official.pk, reason=" "
        )
    waiver = services.waive_conflict(
        actor=officer,
        panel_id=panel.pk,
        application_id=app.pk,
        reviewer_id=official.pk,
        reason="수소 저장 전문가 부족",
    )
    assert waiver.decided_by == officer and waiver.reason == "수소 저장 전문가 부족"
    assert services.assign_reviewer(
        actor=officer, panel_id=panel.pk, application_id=app.pk, reviewer_id=official.pk
    )
    assert [c.waived for c in selectors.conflicts_for(panel)] == [True]
    me = person()
    own = seat(panel, ReviewerFactory(person=me))
    researcher(app, me)
    services.recompute_conflicts(panel_id=panel.pk)
    with pytest.raises(ConflictOfInterest, match="면제할 수 없습니다"):
        services.waive_conflict(
            actor=officer, panel_id=panel.pk, application_id=app.pk, reviewer_id=own.pk, reason="필요"
        )


def test_a_new_conflict_withdraws_the_assignment_voids_the_draft_and_tells_the_officer(
    setup, django_capture_on_commit_callbacks, mailoutbox
):
    panel, app, officer = setup
    reviewer = seat(panel)
    assignment = assign(panel, app, reviewer)
    services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points={"fit": "10"})
    uni = OrganisationFactory(name="충남대학교")
    researcher(app, person(), org=uni, department="기계공학과")
    with django_capture_on_commit_callbacks(execute=True):
        services.set_reviewer_affiliations(
            actor=officer,
            reviewer_id=reviewer.pk,
            rows=[{"organisation": uni, "department": "기계공학과", "since": dt.date(2019, 3, 1)}],
        )
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.withdrawn_at is not None
    assert Score.objects.get(assignment=assignment).state == Score.State.VOID
    with pytest.raises(ObjectDoesNotExist):
        services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points={"fit": "11"})
    assert Notice.objects.filter(kind="evaluation.assignment_withdrawn").count() == 1
    assert len(mailoutbox) == 1 and "officer@example.kr" in mailoutbox[0].to
    assert "충돌" in mailoutbox[0].subject and str(reviewer) in mailoutbox[0].body


def test_reviewer_declares_a_conflict_from_the_form(setup):
    panel, app, officer = setup
    reviewer = seat(panel)
    assignment = assign(panel, app, reviewer)
    with pytest.raises(ConflictOfInterest):
        services.declare_conflict(actor=reviewer.user, assignment_id=assignment.pk, reason="")
    services.declare_conflict(
        actor=reviewer.user, assignment_id=assignment.pk, reason="전 직장 동료가 책임자"
    )
    assert Conflict.objects.get(reviewer=reviewer).kind == "declared"
    assert Assignment.objects.get(pk=assignment.pk).withdrawn_at is not None
    services.recompute_conflicts(panel_id=panel.pk)  # a recomputation keeps declared conflicts
    assert Conflict.objects.filter(reviewer=reviewer, kind="declared").exists()


def test_manual_assignment_keeps_L_and_one_reviewer_per_institution(setup):
    panel, app, officer = setup
    panel.max_per_reviewer = 1
    panel.save(update_fields=["max_per_reviewer"])
    other_app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    uni = OrganisationFactory()
    r1, r2 = seat(panel), seat(panel)
    for r in (r1, r2):
        ReviewerAffiliation.objects.create(reviewer=r, organisation=uni, since=dt.date(2010, 1, 1))
    services.assign_reviewer(actor=officer, panel_id=panel.pk, application_id=app.pk, reviewer_id=r1.pk)
    with pytest.raises(AssignmentRefused, match="최대치"):
        services.assign_reviewer(
            actor=officer, panel_id=panel.pk, application_id=other_app.pk, reviewer_id=r1.pk
        )
    with pytest.raises(AssignmentRefused, match="같은 기관"):
        services.assign_reviewer(actor=officer, panel_id=panel.pk, application_id=app.pk, reviewer_id=r2.pk)


def test_conflicts_take_a_bounded_number_of_queries(setup, django_assert_max_num_queries):
    panel, app, officer = setup
    for _ in range(10):
        a = under_review(ApplicationFactory(call=panel.call, track=panel.track))
        researcher(a, person())
    for _ in range(10):
        seat(panel, is_official=True)
    with django_assert_max_num_queries(20):
        services.recompute_conflicts(panel_id=panel.pk)
    assert Conflict.objects.filter(panel=panel).count() == 110


def test_the_department_named_for_a_principal_investigators_member_counts_too(setup):
    panel, app, officer = setup
    uni = OrganisationFactory(name="부산대학교")
    member = ConsortiumMember.objects.create(
        consortium=app.consortium, organisation=uni, role="partner", department="조선해양공학과"
    )
    ApplicationPerson.objects.create(
        application=app, member=member, person=person(), role=ApplicationPerson.Role.PRINCIPAL_INVESTIGATOR
    )
    reviewer = seat(panel)
    ReviewerAffiliation.objects.create(
        reviewer=reviewer, organisation=uni, department="조선해양공학과", since=dt.date(2012, 3, 1)
    )
    assert kinds(panel, app, reviewer) == {"same_department"}


def test_a_reviewer_in_a_calls_panels_is_in_its_pool(setup):
    from evaluations.permissions import is_reviewer_in_call

    panel, app, officer = setup
    seated = seat(panel)
    elsewhere = ReviewerFactory()
    assert is_reviewer_in_call(seated.user, panel.call)
    assert not is_reviewer_in_call(elsewhere.user, panel.call)
    assert not is_reviewer_in_call(app.created_by, panel.call)


def test_the_solver_reads_the_same_blocked_pairs_as_the_blocking_conflicts(setup):
    panel, app, officer = setup
    other = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    official = seat(panel, is_official=True)
    me = person()
    own = seat(panel, ReviewerFactory(person=me))
    researcher(app, me)
    seat(panel)  # no conflict
    services.recompute_conflicts(panel_id=panel.pk)
    services.waive_conflict(
        actor=officer, panel_id=panel.pk, application_id=app.pk, reviewer_id=official.pk, reason="필요"
    )
    # A waiver row on one's own work (the service refuses it; the rule must ignore it anyway).
    Waiver.objects.create(panel=panel, application=app, reviewer=own, reason="잘못", decided_by=officer)
    pairs = {tuple(int(x) for x in row) for row in selectors.blocked_pairs(panel)}
    assert pairs == {(other.pk, official.pk), (app.pk, own.pk)}
    assert pairs == set(selectors.blocking_conflicts(panel.pk).values_list("application_id", "reviewer_id"))

"""Optimal assignment: k, L, conflicts, one reviewer per institution, Korean affinity; infeasible
settings explained; a Celery task with progress; proposal reviewed, then applied."""

import datetime as dt

import pytest

from evaluations import affinity, assignment, services
from evaluations.exceptions import AssignmentRefused
from evaluations.models import Assignment, AssignmentRun, Reviewer, ReviewerAffiliation
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    OrganisationFactory,
    make_panel,
    officer_of,
    seat,
    under_review,
)

pytestmark = pytest.mark.django_db

THEMES = [
    ("이차전지 양극재 소재 혁신", "차세대 이차전지 양극재와 전고체 배터리 소재를 개발한다"),
    ("수소 연료전지 실증", "그린수소 생산과 저장, 연료전지 발전 실증 기반을 만든다"),
    ("자율주행 모빌리티", "자율주행 차량과 미래 모빌리티 부품 시험 인프라를 구축한다"),
    ("해양 조선 스마트화", "스마트 조선소와 친환경 선박 기자재를 개발한다"),
]
EXPERTISE = ["이차전지, 배터리 소재", "수소, 연료전지", "자율주행, 모빌리티", "조선, 해양"]


def test_korean_affinity_prefers_the_matching_expertise():
    apps = [affinity.tokens(t + " " + s) for t, s in THEMES]
    revs = [affinity.reviewer_tokens(e, "") for e in EXPERTISE]
    scores = affinity.affinity_matrix(apps, revs)
    assert [int(row.argmax()) for row in scores] == [0, 1, 2, 3]


@pytest.fixture
def panel_setup():
    panel = make_panel(reviewers_per_application=2, max_per_reviewer=2)
    officer = officer_of(panel.call.program)
    apps = []
    for title, summary in THEMES:
        apps.append(
            under_review(ApplicationFactory(call=panel.call, track=panel.track, title=title, summary=summary))
        )
    reviewers = [seat(panel, expertise=e) for e in EXPERTISE for _ in range(1)]
    reviewers += [seat(panel, expertise=e) for e in EXPERTISE]
    return panel, officer, apps, reviewers


def test_the_run_proposes_then_the_officer_applies(panel_setup, django_capture_on_commit_callbacks):
    panel, officer, apps, reviewers = panel_setup
    uni = OrganisationFactory()
    # The two battery experts share an institution: they may not review the same application.
    for r in (reviewers[0], reviewers[4]):
        ReviewerAffiliation.objects.create(reviewer=r, organisation=uni, since=dt.date(2010, 1, 1))
    official = seat(panel, is_official=True, expertise="이차전지")
    services.recompute_conflicts(panel_id=panel.pk)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_assignment_run(actor=officer, panel_id=panel.pk)
    run = AssignmentRun.objects.get(pk=run.pk)
    assert run.state == "proposed" and run.progress == 100, run.explanation
    pairs = run.proposal["pairs"]
    assert len(pairs) == 8
    per_app, per_rev = {}, {}
    for a, r, _f in pairs:
        per_app[a] = per_app.get(a, 0) + 1
        per_rev[r] = per_rev.get(r, 0) + 1
    assert set(per_app.values()) == {2} and max(per_rev.values()) <= 2
    assert official.pk not in per_rev
    battery = apps[0].pk
    assert {r for a, r, _f in pairs if a == battery} != {reviewers[0].pk, reviewers[4].pk}
    assert not Assignment.objects.exists()  # nothing before the officer applies
    services.apply_assignment_run(actor=officer, run_id=run.pk)
    assert Assignment.objects.filter(panel=panel).count() == 8
    with pytest.raises(Exception, match="제안 상태"):
        services.apply_assignment_run(actor=officer, run_id=run.pk)


def test_infeasible_settings_are_explained(panel_setup):
    panel, officer, apps, reviewers = panel_setup
    panel.reviewers_per_application = 3
    panel.max_per_reviewer = 1
    panel.save()
    run = AssignmentRun.objects.create(panel=panel, started_by=officer)
    services.execute_assignment_run(run_id=run.pk)
    run = AssignmentRun.objects.get(pk=run.pk)
    assert run.state == "infeasible"
    assert run.explanation["needed"] == 12 and run.explanation["capacity"] == 8
    assert run.explanation["capacity_short"] == 4


def test_a_group_lacking_reviewers_is_named(panel_setup):
    panel, officer, apps, reviewers = panel_setup
    # Every reviewer but one is an official: conflicted everywhere; capacity looks fine on paper.
    panel.reviewers_per_application = 2
    panel.max_per_reviewer = 8
    panel.save()
    for r in reviewers[1:]:
        r.is_official = True
        r.save()
    services.recompute_conflicts(panel_id=panel.pk)
    run = AssignmentRun.objects.create(panel=panel, started_by=officer)
    services.execute_assignment_run(run_id=run.pk)
    explanation = AssignmentRun.objects.get(pk=run.pk).explanation
    assert explanation["capacity_short"] == 0
    assert {row["application"] for row in explanation["lacking"]} == {a.pk for a in apps}
    assert any(c["reason"] == "official" for c in explanation["lacking"][0]["removed"])
    assert (
        explanation["hall"]["size"] == 4
        and explanation["hall"]["need"] > explanation["hall"]["reviewer_capacity"]
    )


def test_runs_through_the_api_for_the_programs_officer_only(
    api, panel_setup, django_capture_on_commit_callbacks
):
    panel, officer, apps, reviewers = panel_setup
    api.force_authenticate(officer_of(CallFactory().program))
    assert api.post(f"/api/panels/{panel.pk}/assignment-runs/").status_code == 404
    api.force_authenticate(officer)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/api/panels/{panel.pk}/assignment-runs/")
    assert started.status_code == 202
    run = api.get(f"/api/assignment-runs/{started.json()['id']}/").json()
    assert run["state"] == "proposed" and run["progress"] == 100
    api.force_authenticate(reviewers[0].user)
    assert api.post(f"/api/assignment-runs/{run['id']}/apply/").status_code == 404
    api.force_authenticate(officer)
    assert api.post(f"/api/assignment-runs/{run['id']}/apply/").json()["state"] == "applied"


def test_load_does_not_retokenise_unchanged_text(panel_setup, django_assert_max_num_queries):
    panel, officer, apps, reviewers = panel_setup
    assignment.load(panel)
    from evaluations.models import ApplicationText

    before = dict(ApplicationText.objects.values_list("application_id", "text_hash"))
    assignment.refresh_application_texts([a.pk for a in apps])
    assert dict(ApplicationText.objects.values_list("application_id", "text_hash")) == before


def test_the_sparse_candidate_graph_keeps_every_rule(panel_setup, monkeypatch):
    panel, officer, apps, reviewers = panel_setup
    monkeypatch.setattr(assignment, "CANDIDATES", 3)  # fewer arcs than reviewers: the sparse path
    uni = OrganisationFactory()
    for r in (reviewers[0], reviewers[4]):
        ReviewerAffiliation.objects.create(reviewer=r, organisation=uni, since=dt.date(2010, 1, 1))
    seat(panel, is_official=True, expertise="이차전지")
    services.recompute_conflicts(panel_id=panel.pk)
    problem = assignment.load(panel)
    rows, cols, mask = assignment._pairs(problem, candidates=3)
    assert mask is None and len(rows) <= 3 * len(apps)
    solution = assignment.solve(problem)
    pairs = solution["pairs"]
    assert len(pairs) == 8
    official = {r for r in problem.reviewers if r not in {x.pk for x in reviewers}}
    assert not {r for _a, r, _f in pairs} & official
    assert {r for a, r, _f in pairs if a == apps[0].pk} != {reviewers[0].pk, reviewers[4].pk}


def test_a_pair_conflicted_since_the_run_refuses_the_whole_proposal(panel_setup):
    panel, officer, apps, reviewers = panel_setup
    problem = assignment.load(panel)
    solution = assignment.solve(problem)
    run = AssignmentRun.objects.create(
        panel=panel,
        started_by=officer,
        state=AssignmentRun.State.PROPOSED,
        proposal={"pairs": solution["pairs"]},
    )
    # After the run, one proposed reviewer turns out to be an official: every pair of theirs is stale.
    a, r, _f = solution["pairs"][0]
    Reviewer.objects.filter(pk=r).update(is_official=True)
    services.recompute_conflicts(panel_id=panel.pk)
    theirs = sorted((x, y) for x, y, _f in solution["pairs"] if y == r)
    with pytest.raises(AssignmentRefused) as refused:
        services.apply_assignment_run(actor=officer, run_id=run.pk)
    assert refused.value.fields["proposal"] == [f"{x}×{y}" for x, y in theirs]
    assert str(len(theirs)) in str(refused.value)
    assert not Assignment.objects.filter(panel=panel).exists()  # nothing written, not even the others
    assert AssignmentRun.objects.get(pk=run.pk).state == AssignmentRun.State.PROPOSED


def test_the_applied_rows_carry_the_run_the_officer_and_the_affinity(panel_setup):
    panel, officer, apps, reviewers = panel_setup
    solution = assignment.solve(assignment.load(panel))
    run = AssignmentRun.objects.create(
        panel=panel,
        started_by=officer,
        state=AssignmentRun.State.PROPOSED,
        proposal={"pairs": solution["pairs"]},
    )
    written = services.apply_assignment_run(actor=officer, run_id=run.pk)
    rows = set(
        Assignment.objects.filter(panel=panel).values_list(
            "application_id",
            "reviewer_id",
            "affinity",
            "run_id",
            "created_by_id",
            "withdrawn_at",
            "withdrawn_reason",
        )
    )
    assert rows == {(a, r, f, run.pk, officer.pk, None, "") for a, r, f in solution["pairs"]}
    assert len(written) == len(solution["pairs"]) == 8
    assert all(x.created_at is not None for x in written)
    assert AssignmentRun.objects.get(pk=run.pk).state == AssignmentRun.State.APPLIED


def test_a_submission_tokenises_its_text_once(django_capture_on_commit_callbacks):
    """The text is final at submission: its tokens are kept then, not in the first run."""
    from consortia.services import submit_application
    from evaluations.models import ApplicationText
    from tests.factories import complete_application

    application = complete_application()
    with django_capture_on_commit_callbacks(execute=True):
        submit_application(actor=application.consortium.contacts.get(), application_id=application.pk)
    text = ApplicationText.objects.get(application=application)
    assert text.tokens and text.text_hash

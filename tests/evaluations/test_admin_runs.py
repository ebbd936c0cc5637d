"""Assignment runs from the panel's admin page: start, progress (htmx), cancel, review, apply;
another program's officer gets 404, reviewers and applicants nothing."""

import pytest

from evaluations import assignment, services
from evaluations.exceptions import ConflictOfInterest
from evaluations.models import Assignment, AssignmentRun
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    UserFactory,
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
]
EXPERTISE = ["이차전지, 배터리 소재", "수소, 연료전지", "자율주행, 모빌리티"]


@pytest.fixture
def world():
    panel = make_panel(reviewers_per_application=2, max_per_reviewer=2)
    officer = officer_of(panel.call.program)
    apps = [
        under_review(ApplicationFactory(call=panel.call, track=panel.track, title=t, summary=s))
        for t, s in THEMES
    ]
    reviewers = [seat(panel, expertise=e) for e in EXPERTISE for _ in range(2)]
    return panel, officer, apps, reviewers


def page(pk):
    return f"/admin/evaluations/panel/runs/{pk}/"


def test_officer_starts_a_run_reviews_the_proposal_and_applies_it(
    client, world, django_capture_on_commit_callbacks
):
    panel, officer, apps, reviewers = world
    client.force_login(officer)
    panel_page = client.get(f"/admin/evaluations/panel/{panel.pk}/change/").content.decode()
    assert 'data-testid="run-start"' in panel_page
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/admin/evaluations/panel/{panel.pk}/runs/")
    run = AssignmentRun.objects.get()
    assert started.status_code == 302 and started["Location"] == page(run.pk)
    assert (run.state, run.progress, run.message) == ("proposed", 100, "proposed")
    body = client.get(page(run.pk)).content.decode()
    assert all(a.title in body for a in apps)
    assert str(reviewers[0]) in body and 'data-testid="run-apply"' in body
    assert 'hx-trigger="every 1s"' not in body  # finished: no more polling
    assert not Assignment.objects.exists()
    applied = client.post(f"{page(run.pk)}apply/")
    assert applied.status_code == 302
    assert Assignment.objects.filter(panel=panel, run=run).count() == 6
    assert AssignmentRun.objects.get().state == "applied"
    with django_capture_on_commit_callbacks(execute=True):
        again = services.start_assignment_run(actor=officer, panel_id=panel.pk)
    assert 'data-testid="run-nothing"' in client.get(page(again.pk)).content.decode()


def test_the_progress_fragment_polls_until_the_run_ends_and_a_queued_run_can_be_cancelled(client, world):
    panel, officer, apps, reviewers = world
    run = services.start_assignment_run(actor=officer, panel_id=panel.pk)  # not executed: queued
    client.force_login(officer)
    fragment = client.get(page(run.pk), headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert fragment.status_code == 200 and text.lstrip().startswith('<div id="run-progress"')
    assert "<html" not in text and 'hx-trigger="every 1s"' in text and 'data-state="queued"' in text
    assert client.post(f"{page(run.pk)}cancel/").status_code == 302
    services.execute_assignment_run(run_id=run.pk)  # the worker picks it up late: nothing happens
    run = AssignmentRun.objects.get(pk=run.pk)
    assert run.state == "cancelled" and run.proposal == {} and run.progress == 0
    text = client.get(page(run.pk), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' not in text and 'data-state="cancelled"' in text


def test_a_run_cancelled_while_running_stops_at_the_next_phase(world, monkeypatch):
    panel, officer, apps, reviewers = world
    run = services.start_assignment_run(actor=officer, panel_id=panel.pk)
    seen = []
    real = assignment.refresh_application_texts

    def officer_cancels_meanwhile(app_ids):
        # The officer's click lands while the worker reads the texts (between two phases).
        seen.append(AssignmentRun.objects.get(pk=run.pk).progress)
        services.cancel_assignment_run(actor=officer, run_id=run.pk)
        return real(app_ids)

    solved = []
    real_solve = assignment.solve

    def solve(problem):
        solved.append(problem)
        return real_solve(problem)

    monkeypatch.setattr(assignment, "refresh_application_texts", officer_cancels_meanwhile)
    monkeypatch.setattr(assignment, "solve", solve)
    services.execute_assignment_run(run_id=run.pk)
    run = AssignmentRun.objects.get(pk=run.pk)
    assert seen == [20]  # the task recorded its own progress before the phase
    assert solved == []  # it stopped at the next phase boundary instead of solving
    assert run.state == "cancelled" and run.proposal == {} and run.explanation == {}
    assert run.progress == 20 and not Assignment.objects.exists()


def test_an_infeasible_run_is_explained_in_korean(client, world):
    panel, officer, apps, reviewers = world
    panel.reviewers_per_application = 3
    panel.max_per_reviewer = 1
    panel.save()
    for r in reviewers[1:]:
        r.is_official = True
        r.save()
    services.recompute_conflicts(panel_id=panel.pk)
    run = AssignmentRun.objects.create(panel=panel, started_by=officer)
    services.execute_assignment_run(run_id=run.pk)
    assert AssignmentRun.objects.get(pk=run.pk).state == "infeasible"
    client.force_login(officer)
    body = client.get(page(run.pk)).content.decode()
    assert 'data-testid="run-explanation"' in body
    assert "부족" in body and "평가가 필요" in body  # capacity short, in Korean
    assert apps[0].title in body and str(reviewers[1]) in body
    assert "부처" in body or "공무원" in body  # the conflict's reason as its label, not "official"
    assert 'data-testid="run-apply"' not in body


@pytest.mark.parametrize("who", ["other_officer", "reviewer", "applicant"])
def test_nobody_else_reaches_the_run_pages(client, world, who, django_capture_on_commit_callbacks):
    panel, officer, apps, reviewers = world
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_assignment_run(actor=officer, panel_id=panel.pk)
    user = {
        "other_officer": lambda: officer_of(CallFactory().program),
        "reviewer": lambda: reviewers[0].user,
        "applicant": lambda: apps[0].consortium.contacts.first() or UserFactory(),
    }[who]()
    if who == "reviewer":
        type(user).objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    expected = {"other_officer": (404,), "reviewer": (403,), "applicant": (302,)}[who]
    assert client.get(page(run.pk)).status_code in expected
    assert client.get(page(run.pk), headers={"HX-Request": "true"}).status_code in expected
    assert client.post(f"{page(run.pk)}apply/").status_code in expected
    assert client.post(f"{page(run.pk)}cancel/").status_code in expected
    assert client.post(f"/admin/evaluations/panel/{panel.pk}/runs/").status_code in expected + (404,)
    assert client.get(page(987654)).status_code in expected + (404,)
    assert AssignmentRun.objects.get(pk=run.pk).state == "proposed"
    assert AssignmentRun.objects.count() == 1 and not Assignment.objects.exists()


def test_a_guessed_run_id_is_a_404_for_an_officer(client, world):
    panel, officer, apps, reviewers = world
    client.force_login(officer)
    assert client.get(page(987654)).status_code == 404
    assert client.post(f"{page(987654)}apply/").status_code == 404


def test_manual_changes_after_apply_still_refuse_conflicts(api, world, django_capture_on_commit_callbacks):
    panel, officer, apps, reviewers = world
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_assignment_run(actor=officer, panel_id=panel.pk)
    services.apply_assignment_run(actor=officer, run_id=run.pk)
    newcomer = seat(panel, is_official=True, expertise="이차전지")  # conflicted everywhere
    services.recompute_conflicts(panel_id=panel.pk)
    removed = Assignment.objects.filter(application=apps[0]).first()
    services.unassign_reviewer(actor=officer, assignment_id=removed.pk, reason="일정 충돌")
    with pytest.raises(ConflictOfInterest):
        services.assign_reviewer(
            actor=officer, panel_id=panel.pk, application_id=apps[0].pk, reviewer_id=newcomer.pk
        )
    api.force_authenticate(officer)
    refused = api.post(
        f"/api/panels/{panel.pk}/assignments/", {"application": apps[0].pk, "reviewer": newcomer.pk}
    )
    assert refused.status_code == 400
    assert not Assignment.objects.filter(reviewer=newcomer).exists()

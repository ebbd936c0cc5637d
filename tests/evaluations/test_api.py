"""The evaluation API from the outside: officers, reviewers, applicants; guessed ids give 404."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from consortia.models import ApplicationDocument, Notice
from evaluations import services
from evaluations.models import Panel, Score
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    UserFactory,
    assign,
    make_panel,
    officer_of,
    seat,
    under_review,
)

pytestmark = pytest.mark.django_db
FULL = {"planning": "25", "fit": "18", "organisation": "15", "impact": "22"}


@pytest.fixture
def world():
    panel = make_panel()
    officer = officer_of(panel.call.program)
    app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    doc = ApplicationDocument(
        application=app,
        kind="proposal",
        original_name="계획서.pdf",
        content_type="application/pdf",
        size=8,
        uploaded_by=app.created_by,
    )
    doc.file.save("plan.pdf", ContentFile(b"%PDF-1.4"), save=True)
    reviewer = seat(panel)
    assignment = assign(panel, app, reviewer)
    conflicted = seat(panel, is_official=True)
    conflicted_assignment = assign(panel, app, conflicted)
    services.recompute_conflicts(panel_id=panel.pk)  # withdraws the official's assignment
    unassigned = seat(panel)
    unpledged = seat(panel, pledged=False)
    unpledged_assignment = assign(panel, app, unpledged)
    return {
        "panel": panel,
        "officer": officer,
        "app": app,
        "doc": doc,
        "reviewer": reviewer,
        "assignment": assignment,
        "conflicted": conflicted,
        "conflicted_assignment": conflicted_assignment,
        "unassigned": unassigned,
        "unpledged": unpledged,
        "unpledged_assignment": unpledged_assignment,
        "stranger_officer": officer_of(CallFactory().program),
        "applicant": app.consortium.contacts.first(),
    }


def test_officer_creates_a_panel_by_track_and_region_codes(api):
    call = CallFactory()
    api.force_authenticate(officer_of(call.program))
    now = timezone.now()
    body = {
        "call": call.pk,
        "track": "leap",
        "region": "dongnam",
        "name": "동남권 서면평가",
        "opens_at": now.isoformat(),
        "closes_at": (now + dt.timedelta(days=3)).isoformat(),
        "criteria": [
            {"code": "tech", "name": "기술성", "max_points": "40"},
            {"code": "biz", "max_points": "60"},
        ],
        "bonus_items": [{"code": "local", "name": "지역기업 참여", "max_points": "3"}],
        "bonus_cap": "3",
        "tie_break": "tech",
    }
    response = api.post("/api/panels/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["track"] == "leap" and response.json()["tie_break"] == "tech"
    assert response.json()["region"] == "dongnam"
    assert api.post("/api/panels/", {**body, "track": "nope"}, format="json").status_code == 404
    body["criteria"][1]["max_points"] = "50"
    bad = api.post("/api/panels/", body, format="json")
    assert bad.status_code == 400 and "criteria" in bad.json()["fields"]
    assert "90" in bad.json()["detail"]


def test_another_programs_officer_and_reviewers_see_no_panel(api, world):
    panel = world["panel"]
    for user in (world["stranger_officer"], world["reviewer"].user, world["applicant"]):
        api.force_authenticate(user)
        assert api.get("/api/panels/").json() == []
        for suffix in ("", "conflicts/", "waivers/", "assignments/", "scores/", "results/", "objections/"):
            assert api.get(f"/api/panels/{panel.pk}/{suffix}").status_code == 404, suffix
        assert api.post(f"/api/panels/{panel.pk}/close/").status_code == 404
        assert (
            api.post(f"/api/panels/{panel.pk}/selection/", {"selected": []}, format="json").status_code == 404
        )
    assert Panel.objects.get(pk=panel.pk).closed_at is None


def test_officer_reads_conflicts_waives_with_a_reason_and_reads_scores(api, world):
    panel, officer = world["panel"], world["officer"]
    api.force_authenticate(officer)
    conflicts = api.get(f"/api/panels/{panel.pk}/conflicts/").json()
    assert [(c["reviewer"], c["kind"], c["waived"]) for c in conflicts] == [
        (world["conflicted"].pk, "official", False)
    ]
    no_reason = api.post(
        f"/api/panels/{panel.pk}/waivers/",
        {"application": world["app"].pk, "reviewer": world["conflicted"].pk, "reason": ""},
        format="json",
    )
    assert no_reason.status_code == 400
    ok = api.post(
        f"/api/panels/{panel.pk}/waivers/",
        {"application": world["app"].pk, "reviewer": world["conflicted"].pk, "reason": "수소 전문가"},
        format="json",
    )
    assert ok.status_code == 201
    assert api.get(f"/api/panels/{panel.pk}/conflicts/").json()[0]["waived"] is True
    services.save_score(
        actor=world["reviewer"].user, assignment_id=world["assignment"].pk, points=FULL, submit=True
    )
    scores = api.get(f"/api/panels/{panel.pk}/scores/").json()
    assert [s["total"] for s in scores] == ["80.00"]
    progress = api.get(f"/api/panels/{panel.pk}/").json()["progress"]
    assert progress["assigned"] == 2 and progress["scored"] == 1


def test_reviewer_scores_through_the_api_and_sees_only_their_own(api, world):
    a = world["assignment"]
    api.force_authenticate(world["reviewer"].user)
    queue = api.get("/api/reviews/").json()
    assert [r["id"] for r in queue] == [a.pk] and queue[0]["progress"] == "todo"
    sheet = api.get(f"/api/reviews/{a.pk}/").json()
    assert sheet["application"]["title"] == world["app"].title and len(sheet["criteria"]) == 4
    bad = api.put(f"/api/reviews/{a.pk}/", {"points": {**FULL, "fit": "21"}}, format="json")
    assert bad.status_code == 400 and "points.fit" in bad.json()["fields"]
    assert api.put(f"/api/reviews/{a.pk}/", {"points": {"fit": "10"}}, format="json").status_code == 200
    doc = world["doc"]
    assert api.get(f"/api/reviews/{a.pk}/documents/{doc.pk}/").status_code == 200
    done = api.post(f"/api/reviews/{a.pk}/submit/", {"points": FULL, "comment": "우수"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "submitted"
    again = api.post(f"/api/reviews/{a.pk}/submit/", {"points": FULL}, format="json")
    assert again.status_code == 400 and "already submitted" in again.json()["detail"]


@pytest.mark.parametrize(
    "who", ["conflicted", "unassigned", "unpledged", "stranger_officer", "applicant", "officer"]
)
def test_nobody_else_reaches_a_review_or_its_documents(api, world, who):
    user = world[who].user if hasattr(world[who], "user") else world[who]
    api.force_authenticate(user)
    mine = {"conflicted": world["conflicted_assignment"], "unpledged": world["unpledged_assignment"]}.get(who)
    targets = [world["assignment"].pk, world["conflicted_assignment"].pk, 999999] + (
        [mine.pk] if mine else []
    )
    for pk in targets:
        assert api.get(f"/api/reviews/{pk}/").status_code == 404
        assert api.put(f"/api/reviews/{pk}/", {"points": FULL}, format="json").status_code == 404
        assert api.post(f"/api/reviews/{pk}/submit/", {"points": FULL}, format="json").status_code == 404
        assert api.post(f"/api/reviews/{pk}/conflict/", {"reason": "x"}, format="json").status_code == 404
        assert api.get(f"/api/reviews/{pk}/documents/{world['doc'].pk}/").status_code == 404
    assert not Score.objects.exists()
    if who == "conflicted":
        # Nor through the applicant's own API.
        assert api.get(f"/api/applications/{world['app'].pk}/").status_code == 404
        assert (
            api.get(f"/api/applications/{world['app'].pk}/documents/{world['doc'].pk}/download/").status_code
            == 404
        )


def test_unpledged_reviewer_signs_then_reaches_the_sheet(api, world):
    api.force_authenticate(world["unpledged"].user)
    assert api.get(f"/api/reviews/{world['unpledged_assignment'].pk}/").status_code == 404
    assert api.post(f"/api/panels/{world['panel'].pk}/pledge/").status_code == 200
    assert api.get(f"/api/reviews/{world['unpledged_assignment'].pk}/").status_code == 200
    api.force_authenticate(UserFactory())
    assert api.post(f"/api/panels/{world['panel'].pk}/pledge/").status_code == 404


def test_declaring_a_conflict_removes_the_review(api, world):
    a = world["assignment"]
    api.force_authenticate(world["reviewer"].user)
    assert (
        api.post(f"/api/reviews/{a.pk}/conflict/", {"reason": "공동연구 중"}, format="json").status_code
        == 204
    )
    assert api.get(f"/api/reviews/{a.pk}/").status_code == 404
    assert api.get("/api/reviews/").json() == []


def test_selection_results_and_objection_through_the_api(api, world, django_capture_on_commit_callbacks):
    panel, officer, app = world["panel"], world["officer"], world["app"]
    services.save_score(
        actor=world["reviewer"].user, assignment_id=world["assignment"].pk, points=FULL, submit=True
    )
    api.force_authenticate(officer)
    assert (
        api.post(f"/api/panels/{panel.pk}/selection/", {"selected": [app.pk]}, format="json").status_code
        == 400
    )
    assert api.post(f"/api/panels/{panel.pk}/close/").status_code == 200
    results = api.get(f"/api/panels/{panel.pk}/results/").json()
    assert (
        results[0]["score"] == "80.00" and results[0]["proposed"] is True and results[0]["selected"] is None
    )
    no = api.post(f"/api/panels/{panel.pk}/selection/", {"selected": []}, format="json")
    assert no.status_code == 400 and f"reasons.{app.pk}" in no.json()["fields"]
    assert (
        api.post(f"/api/panels/{panel.pk}/selection/", {"selected": [app.pk]}, format="json").status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/panels/{panel.pk}/notify/").status_code == 200
    assert Notice.objects.filter(kind="evaluation.result").count() == 1
    api.force_authenticate(world["applicant"])
    mine = api.get("/api/results/").json()
    assert len(mine) == 1
    filed = api.post(f"/api/results/{mine[0]['id']}/objections/", {"text": "재검토 요청"}, format="json")
    assert filed.status_code == 201
    api.force_authenticate(world["stranger_officer"])
    assert (
        api.post(f"/api/results/{mine[0]['id']}/objections/", {"text": "x"}, format="json").status_code == 404
    )
    assert (
        api.post(
            f"/api/objections/{filed.json()['id']}/answer/", {"answer": "x", "upheld": False}, format="json"
        ).status_code
        == 404
    )
    api.force_authenticate(officer)
    answered = api.post(
        f"/api/objections/{filed.json()['id']}/answer/",
        {"answer": "기각합니다", "upheld": False},
        format="json",
    )
    assert answered.status_code == 200 and answered.json()["upheld"] is False


def test_lists_take_a_bounded_number_of_queries(api, world, django_assert_max_num_queries):
    panel = world["panel"]
    for _ in range(5):
        app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
        r = seat(panel)
        assign(panel, app, r)
        a2 = assign(panel, app, seat(panel))
        services.save_score(actor=a2.reviewer.user, assignment_id=a2.pk, points=FULL, submit=True)
    services.recompute_conflicts(panel_id=panel.pk)
    api.force_authenticate(world["officer"])
    for suffix, limit in (("conflicts/", 6), ("assignments/", 6), ("scores/", 8), ("results/", 14), ("", 10)):
        with django_assert_max_num_queries(limit):
            assert api.get(f"/api/panels/{panel.pk}/{suffix}").status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get("/api/panels/").status_code == 200
    api.force_authenticate(world["reviewer"].user)
    with django_assert_max_num_queries(6):
        assert api.get("/api/reviews/").status_code == 200

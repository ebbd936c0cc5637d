"""The reviewer's and the officer's work in the admin, tried from the outside."""

import pytest
from django.contrib.auth import get_user_model

from evaluations import services
from evaluations.models import Score, SelectionEntry
from tests.export_helpers import export_workbook, rows
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
QUEUE = "/admin/evaluations/review/"
FULL = {"points_planning": "25", "points_fit": "18", "points_organisation": "15", "points_impact": "22"}


def staff(reviewer):
    get_user_model().objects.filter(pk=reviewer.user_id).update(is_staff=True)
    return reviewer


@pytest.fixture
def world():
    panel = make_panel()
    officer = officer_of(panel.call.program)
    app = under_review(ApplicationFactory(call=panel.call, track=panel.track, summary="수소 저장 실증"))
    reviewer = staff(seat(panel, pledged=False))
    assignment = assign(panel, app, reviewer)
    other = staff(seat(panel))
    other_assignment = assign(panel, app, other)
    conflicted = staff(seat(panel, is_official=True))
    conflicted_assignment = assign(panel, app, conflicted)
    services.recompute_conflicts(panel_id=panel.pk)
    return locals()


def test_reviewer_signs_the_pledge_before_the_queue(client, world):
    client.force_login(world["reviewer"].user)
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/pledge/" in response["Location"]
    assert (
        client.get(f"{QUEUE}{world['assignment'].pk}/change/").status_code == 404
    )  # nothing before the pledge
    client.post(response["Location"], {"agree": "yes"})
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    body = queue.content.decode()
    assert world["app"].title in body and "D-" in body


def test_reviewer_scores_beside_the_application_then_it_is_read_only(client, world):
    services.sign_pledge(actor=world["reviewer"].user, panel_id=world["panel"].pk)
    client.force_login(world["reviewer"].user)
    url = f"{QUEUE}{world['assignment'].pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "수소 저장 실증" in page.content.decode()
    bad = client.post(url, {**FULL, "points_fit": "25", "action": "submit"})
    assert bad.status_code == 200 and not Score.objects.exists()
    assert client.post(url, {"points_fit": "10", "action": "draft"}).status_code == 302
    assert Score.objects.get().state == "draft"
    assert client.post(url, {**FULL, "comment": "우수", "action": "submit"}).status_code == 302
    assert Score.objects.get().total == 80
    again = client.get(url).content.decode()
    assert "read-only" in again or "읽기" in again
    client.post(url, {**FULL, "points_fit": "1", "action": "submit"})
    assert Score.objects.get().total == 80


@pytest.mark.parametrize("who", ["other", "conflicted", "officer"])
def test_nobody_else_opens_the_reviewers_form(client, world, who):
    user = world[who].user if who != "officer" else world["officer"]
    client.force_login(user)
    for pk in (world["assignment"].pk, world["conflicted_assignment"].pk, 987654):
        assert client.get(f"{QUEUE}{pk}/change/").status_code == 404
        assert client.post(f"{QUEUE}{pk}/change/", {**FULL, "action": "submit"}).status_code == 404
    assert not Score.objects.exists()
    if who == "conflicted":
        assert world["app"].title not in client.get(QUEUE).content.decode()


def test_reviewer_declares_a_conflict_from_the_form(client, world):
    client.force_login(world["other"].user)
    url = f"{QUEUE}{world['other_assignment'].pk}/change/"
    assert client.post(url, {"action": "declare", "conflict_reason": "지도교수"}).status_code == 302
    assert client.get(url).status_code == 404


def test_applicants_and_another_programs_officer_see_no_panel(client, world):
    for user in (
        UserFactory(is_staff=True),
        officer_of(CallFactory().program),
        world["app"].consortium.contacts.first(),
    ):
        client.force_login(user)
        assert client.get(f"/admin/evaluations/panel/{world['panel'].pk}/change/").status_code in (
            302,
            403,
            404,
        )
        assert client.post(f"/admin/evaluations/panel/{world['panel'].pk}/export/").status_code in (
            302,
            403,
            404,
        )
        assert client.get(f"{QUEUE}{world['assignment'].pk}/change/").status_code in (302, 403, 404)


def test_officer_closes_sees_the_ranking_confirms_with_a_deviation_and_exports(
    client, world, django_capture_on_commit_callbacks
):
    panel, officer = world["panel"], world["officer"]
    services.save_score(
        actor=world["other"].user,
        assignment_id=world["other_assignment"].pk,
        points={"planning": 25, "fit": 18, "organisation": 15, "impact": 22},
        submit=True,
    )
    client.force_login(officer)
    url = f"/admin/evaluations/panel/{panel.pk}/change/"
    assert client.post(url, {"action": "close"}).status_code == 302
    page = client.get(url).content.decode()
    assert "80.00" in page and world["app"].title in page
    refused = client.post(
        url, {"action": "confirm"}
    )  # deviation (not selecting the proposal) without a reason
    assert refused.status_code == 200 and not SelectionEntry.objects.exists()
    done = client.post(url, {"action": "confirm", f"reason_{world['app'].pk}": "예산 부족"})
    assert done.status_code == 302
    assert SelectionEntry.objects.get().reason == "예산 부족"
    book = export_workbook(
        client, django_capture_on_commit_callbacks, f"/admin/evaluations/panel/{panel.pk}/export/"
    )
    assert [(r[1], r[-2], r[-1]) for r in rows(book.active)] == [(world["app"].title, "X", "예산 부족")]
    sheet = client.get(f"/admin/evaluations/panel/{panel.pk}/sheet/{world['app'].pk}/")
    assert sheet.status_code == 200


def test_panel_list_and_queue_take_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    panel = world["panel"]
    for _ in range(5):
        app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
        assign(panel, app, world["other"])
    client.force_login(world["officer"])
    client.get("/admin/evaluations/panel/")
    with django_assert_max_num_queries(15):
        assert client.get("/admin/evaluations/panel/").status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(f"/admin/evaluations/panel/{panel.pk}/change/").status_code == 200
    client.force_login(world["other"].user)
    client.get(QUEUE)
    with django_assert_max_num_queries(15):
        assert client.get(QUEUE).status_code == 200


def test_only_administrators_import_the_pool(client, world):
    client.force_login(world["officer"])
    assert client.get("/admin/evaluations/reviewer/import/").status_code == 403
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/evaluations/reviewer/import/").status_code == 200

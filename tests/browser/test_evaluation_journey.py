"""Reviewer → officer → applicant: pledge, score and submit; close, rank, confirm with one deviation
and its reason, notify; the applicant reads the result and files an objection.

Elements are found by id, name and data-testid: the pages speak Korean once translated.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from consortia.models import Application
from evaluations import services
from evaluations.models import Objection, Score, SelectionEntry
from tests.factories import (
    ApplicationFactory,
    ConsortiumFactory,
    OrganisationFactory,
    UserFactory,
    assign,
    make_panel,
    officer_of,
    province,
    seat,
    under_review,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_reviewer_officer_applicant(page, shot):
    panel = make_panel(reviewers_per_application=2)
    officer = officer_of(panel.call.program, username="officer", name="김민수")
    contact = UserFactory(username="applicant", name="박지원")
    gov = OrganisationFactory(type="local_government", province=province("47"), name="경상북도")
    first = under_review(
        ApplicationFactory(
            call=panel.call,
            track=panel.track,
            title="이차전지 소재 혁신",
            consortium=ConsortiumFactory(representative=gov, contacts=[contact]),
            summary="전고체 배터리 소재 실증",
        ),
        at=timezone.now() - dt.timedelta(days=20),
    )
    second = under_review(
        ApplicationFactory(
            call=panel.call,
            track=panel.track,
            title="대구 로봇 혁신",
            consortium=ConsortiumFactory(
                representative=OrganisationFactory(
                    type="local_government", province=province("27"), name="대구광역시"
                )
            ),
        ),
        at=timezone.now() - dt.timedelta(days=19),
    )
    reviewer = seat(
        panel, pledged=False, user=UserFactory(username="reviewer1", name="이지훈", is_staff=True)
    )
    other = seat(panel, user=UserFactory(username="reviewer2", name="박서연"))
    mine = assign(panel, first, reviewer)
    for app, points in ((first, (26, 18, 16, 20)), (second, (28, 19, 18, 25))):
        a = assign(panel, app, other)
        services.save_score(
            actor=other.user,
            assignment_id=a.pk,
            submit=True,
            points=dict(zip(("planning", "fit", "organisation", "impact"), points, strict=True)),
        )
    second_by_reviewer = assign(panel, second, reviewer)

    # The reviewer signs the pledge, then scores the first application beside its summary.
    login(page, "reviewer1")
    page.goto("/admin/evaluations/review/")
    expect(page.locator("input[name=agree]")).to_be_visible()
    shot(page, "evaluation-1-pledge")
    page.check("input[name=agree]")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/evaluations/review/")
    page.goto(f"/admin/evaluations/review/{mine.pk}/change/")
    expect(page.get_by_text("전고체 배터리 소재 실증")).to_be_visible()
    page.fill("#id_points_planning", "31")  # above its 30 points: the browser or the server refuses
    page.fill("#id_points_fit", "18")
    page.fill("#id_points_organisation", "17")
    page.fill("#id_points_impact", "24")
    page.click("button[value=draft]")
    assert not Score.objects.filter(assignment=mine, items__points__gt=30).exists()
    page.fill("#id_points_planning", "27")
    page.click("button[value=draft]")
    page.wait_for_load_state()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button[value=submit]")
    page.wait_for_load_state()
    shot(page, "evaluation-2-submitted")
    assert Score.objects.get(assignment=mine).state == "submitted"
    expect(page.locator("button[value=submit]")).to_have_count(0)
    page.goto(f"/admin/evaluations/review/{mine.pk}/change/")
    expect(page.locator("#id_points_planning")).to_be_disabled()
    page.goto(f"/admin/evaluations/review/{second_by_reviewer.pk}/change/")
    page.fill("#id_points_planning", "29")
    page.fill("#id_points_fit", "19")
    page.fill("#id_points_organisation", "18")
    page.fill("#id_points_impact", "26")
    page.click("button[value=submit]")
    page.wait_for_load_state()

    # The officer closes the panel, reads the ranking and confirms one deviation with its reason.
    get_user_model().objects.filter(pk=officer.pk).update(is_staff=True)
    login(page, "officer")
    page.goto(f"/admin/evaluations/panel/{panel.pk}/change/")
    page.click("button[value=close]")
    page.wait_for_load_state()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    # 경북 (47) and 대구 (27) are both 대경권: one region, quota 1; the system proposes the best.
    expect(rows.first).to_have_attribute("data-application", str(second.pk))
    shot(page, "evaluation-3-ranking")
    page.uncheck(f"input[name=selected][value='{second.pk}']")
    page.check(f"input[name=selected][value='{first.pk}']")
    page.click("button[value=confirm]")
    page.wait_for_load_state()
    assert not SelectionEntry.objects.exists()  # deviations without their reasons are refused
    page.uncheck(f"input[name=selected][value='{second.pk}']")
    page.check(f"input[name=selected][value='{first.pk}']")
    page.fill(f"input[name=reason_{first.pk}]", "경북 이차전지 특구와의 연계를 우선함")
    page.fill(f"input[name=reason_{second.pk}]", "경북 이차전지 특구와의 연계를 우선함")
    page.click("button[value=confirm]")
    page.wait_for_load_state()
    assert SelectionEntry.objects.get(application=first).selected
    assert Application.objects.get(pk=first.pk).state == "selected"
    assert Application.objects.get(pk=second.pk).state == "not_selected"
    page.click("button[value=notify]")
    page.wait_for_load_state()
    shot(page, "evaluation-4-confirmed")

    # The applicant reads the result and files an objection.
    login(page, "applicant")
    page.click("#nav-results")
    page.wait_for_url("**/my/results/")
    expect(page.locator("[data-testid=result]")).to_have_count(1)
    expect(page.get_by_text("이지훈")).to_be_visible()  # reviewers' names are disclosed
    page.fill("textarea", "지역 적합성 점수 산정 근거를 다시 검토해 주십시오")
    page.click("[data-testid=file-objection]")
    page.wait_for_url("**/my/results/")
    expect(page.locator("[data-testid=objection]")).to_have_count(1)
    shot(page, "evaluation-5-objection")
    assert Objection.objects.get().text.startswith("지역 적합성")

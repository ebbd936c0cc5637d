"""Panels created and edited in the admin: the form validates, create_panel / update_panel write;
officers see only their own calls; nobody else gets in."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations import services
from evaluations.exceptions import InvalidPanel
from evaluations.models import Panel, PanelMember, Score
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ReviewerFactory,
    UserFactory,
    assign,
    make_panel,
    officer_of,
    region,
    seat,
    under_review,
)

pytestmark = pytest.mark.django_db
ADD = "/admin/evaluations/panel/add/"
LIST = "/admin/evaluations/panel/"


def errors(response) -> list[str]:
    """The messages the form shows (for the assertion's explanation)."""
    body = response.content.decode()
    return (
        re.findall(r'class="cf-bad pf-error"[^>]*>([^<]*)<', body) + re.findall(r"<li>([^<]*)</li>", body)[:5]
    )


def local(days: int, hour: int = 9) -> str:
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def rows(prefix: str, items: list[tuple[str, str, str]], extra: int = 1) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }
    for i, (code, name, points) in enumerate(items):
        data |= {f"{prefix}-{i}-code": code, f"{prefix}-{i}-name": name, f"{prefix}-{i}-max_points": points}
    return data


RUBRIC = [("planning", "계획의 타당성", "40"), ("fit", "지역 적합성", "35"), ("impact", "기대효과", "25")]


def form_data(call, *, rubric=RUBRIC, chair=None, members=(), **overrides) -> dict:
    data = {
        "call": str(call.pk),
        "track": str(call.tracks.get(code="leap").pk),
        "region": "",
        "stage": "written",
        "name": "동남권 서면평가",
        "aggregation": "trimmed_mean",
        "cutoff_score": "70",
        "cutoff_before_bonus": "on",
        "bonus_cap": "3",
        "tie_break": "impact",
        "reviewers_per_application": "5",
        "max_per_reviewer": "15",
        "min_per_reviewer": "2",
        "opens_at": local(3),
        "closes_at": local(10, 18),
        "disclose_reviewer_names": "on",
        "chair": str(chair.pk) if chair else "",
        **rows("criteria", rubric),
        **rows("bonus_items", [("jobs", "일자리 창출", "2"), ("esg", "ESG", "1")]),
    }
    if members:
        data["members"] = [str(m.pk) for m in members]
    data.update(overrides)
    return data


@pytest.fixture
def call():
    return CallFactory()


@pytest.fixture
def officer(call):
    return officer_of(call.program)


def test_officer_adds_a_panel_with_rubric_bonus_members_and_window(client, call, officer):
    chair, m1, m2 = ReviewerFactory(), ReviewerFactory(), ReviewerFactory()
    client.force_login(officer)
    page = client.get(ADD)
    assert page.status_code == 200 and call.title in page.content.decode()
    response = client.post(
        ADD, form_data(call, chair=chair, members=[m1, m2], region=str(region("dongnam").pk))
    )
    assert response.status_code == 302, errors(response)
    panel = Panel.objects.get()
    assert response["Location"] == f"/admin/evaluations/panel/{panel.pk}/change/"
    assert (panel.call, panel.track.code, panel.region.code, panel.stage) == (
        call,
        "leap",
        "dongnam",
        "written",
    )
    assert [(c.code, c.max_points) for c in panel.criteria.all()] == [
        ("planning", 40),
        ("fit", 35),
        ("impact", 25),
    ]
    assert {b.code for b in panel.bonus_items.all()} == {"jobs", "esg"} and panel.bonus_cap == 3
    assert panel.tie_break_criterion.code == "impact"
    assert (panel.reviewers_per_application, panel.max_per_reviewer, panel.min_per_reviewer) == (5, 15, 2)
    assert timezone.localtime(panel.opens_at).hour == 9 and timezone.localtime(panel.closes_at).hour == 18
    assert panel.cutoff_before_bonus and panel.disclose_reviewer_names
    seats = {m.reviewer_id: m.is_chair for m in PanelMember.objects.filter(panel=panel)}
    assert seats == {chair.pk: True, m1.pk: False, m2.pk: False}


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"rubric": [("planning", "계획", "40"), ("fit", "적합성", "35")]}, "criteria", "100"),
        ({"closes_at": local(2)}, "closes_at", "마감"),
        ({"rubric": [("planning", "계획", "50"), ("planning", "중복", "50")]}, "criteria", "코드"),
    ],
)
def test_a_wrong_rubric_or_window_is_a_form_error(client, call, officer, overrides, field, message):
    client.force_login(officer)
    rubric = overrides.pop("rubric", RUBRIC)
    response = client.post(ADD, form_data(call, rubric=rubric, **overrides))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    if field == "closes_at":
        assert 'data-field="closes_at"' in body and "pf-invalid" in body
    assert not Panel.objects.exists()


def test_officers_see_only_their_calls_and_a_guessed_call_is_a_form_error(client, call, officer):
    other = CallFactory()
    client.force_login(officer)
    page = client.get(ADD).content.decode()
    assert call.title in page and other.title not in page
    data = form_data(other)  # another program's call id, posted by hand
    response = client.post(ADD, data)
    assert response.status_code == 200 and not Panel.objects.exists()
    assert "pf-invalid" in response.content.decode()
    mixed = form_data(call, track=str(other.tracks.get(code="leap").pk))  # a track of another call
    assert client.post(ADD, mixed).status_code == 200 and not Panel.objects.exists()


def test_the_service_refuses_another_programs_officer():
    call = CallFactory()
    with pytest.raises(Exception) as exc:
        make_panel(call=call, officer=officer_of(CallFactory().program))
    assert exc.type.__name__ == "PermissionDenied"
    assert not Panel.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "applicant", "plain_staff"])
def test_reviewers_and_applicants_cannot_add_panels(client, call, who):
    users = {
        "reviewer": lambda: UserFactory(is_staff=True, reviewer=True),
        "applicant": lambda: UserFactory(),
        "plain_staff": lambda: UserFactory(is_staff=True),
    }
    client.force_login(users[who]())
    assert client.get(ADD).status_code in (302, 403)
    assert client.post(ADD, form_data(call)).status_code in (302, 403)
    assert not Panel.objects.exists()


def test_officer_edits_the_panel_until_a_score_is_submitted(client):
    panel = make_panel()
    officer = officer_of(panel.call.program)
    r1, r2 = seat(panel), seat(panel)
    url = f"/admin/evaluations/panel/{panel.pk}/edit/"
    client.force_login(officer)
    page = client.get(url)
    assert page.status_code == 200 and "pf-grid" in page.content.decode()
    data = form_data(
        panel.call,
        rubric=[("planning", "계획", "30"), ("fit", "적합성", "30"), ("impact", "효과", "40")],
        chair=r1,
        members=[r2],
        reviewers_per_application="3",
        opens_at=local(-1),
    )
    data["criteria-INITIAL_FORMS"] = "0"
    response = client.post(url, data)
    assert response.status_code == 302, errors(response)
    panel = Panel.objects.get(pk=panel.pk)
    assert panel.reviewers_per_application == 3
    assert sorted(c.code for c in panel.criteria.all()) == ["fit", "impact", "planning"]
    assert panel.criteria.get(code="impact").max_points == 40
    assert PanelMember.objects.get(panel=panel, reviewer=r1).is_chair

    app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    a = assign(panel, app, r2)
    services.save_score(
        actor=r2.user, assignment_id=a.pk, points={"planning": 20, "fit": 20, "impact": 30}, submit=True
    )
    assert Score.objects.get().state == "submitted"
    locked = client.get(url).content.decode()
    assert 'data-testid="panel-locked"' in locked
    refused = client.post(url, {**data, "reviewers_per_application": "7"})
    assert refused.status_code == 200
    assert Panel.objects.get(pk=panel.pk).reviewers_per_application == 3


def test_another_programs_officer_cannot_open_or_edit_the_panel(client):
    panel = make_panel()
    client.force_login(officer_of(CallFactory().program))
    url = f"/admin/evaluations/panel/{panel.pk}/edit/"
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(panel.call, reviewers_per_application="2")).status_code == 404
    assert client.get("/admin/evaluations/panel/987654/edit/").status_code == 404
    assert Panel.objects.get(pk=panel.pk).reviewers_per_application == 5


def test_update_refuses_a_rubric_change_once_scoring_started_and_a_busy_member_leaving():
    panel = make_panel()
    officer = officer_of(panel.call.program)
    r1, r2 = seat(panel), seat(panel)
    app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    a = assign(panel, app, r1)
    same = [{"code": c.code, "name": c.name, "max_points": c.max_points} for c in panel.criteria.all()]
    with pytest.raises(InvalidPanel) as exc:
        services.update_panel(actor=officer, panel_id=panel.pk, criteria=same, members=[r2.pk])
    assert "members" in exc.value.fields
    services.save_score(actor=r1.user, assignment_id=a.pk, points={"planning": 10})  # a draft
    changed = [{**same[0], "max_points": Decimal("20")}, {**same[1], "max_points": Decimal("30")}, *same[2:]]
    with pytest.raises(InvalidPanel) as exc:
        services.update_panel(actor=officer, panel_id=panel.pk, criteria=changed, members=[r1.pk, r2.pk])
    assert "criteria" in exc.value.fields
    # The same rubric with other settings still saves while only drafts exist.
    services.update_panel(
        actor=officer, panel_id=panel.pk, criteria=same, members=[r1.pk, r2.pk], max_per_reviewer=9
    )
    assert Panel.objects.get(pk=panel.pk).max_per_reviewer == 9


def test_panel_list_queries_do_not_grow_with_panels(client, django_assert_max_num_queries):
    call = CallFactory()
    officer = officer_of(call.program)
    make_panel(call=call, officer=officer)
    client.force_login(officer)
    client.get(LIST)
    with django_assert_max_num_queries(12) as one:
        assert client.get(LIST).status_code == 200
    for i in range(8):
        make_panel(call=CallFactory(program=call.program), officer=officer, name=f"패널 {i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(LIST)
    assert page.status_code == 200 and "패널 7" in page.content.decode()
    assert ADD in page.content.decode()  # the add button for officers

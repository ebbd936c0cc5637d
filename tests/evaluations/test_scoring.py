"""Panels, rubric and scoring through the services: bounds, window, one submit, nothing half-written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from evaluations import services
from evaluations.exceptions import InvalidPanel, ScoringRefused
from evaluations.models import CriterionScore, Panel, Score
from tests.factories import (
    RUBRIC,
    ApplicationFactory,
    CallFactory,
    assign,
    make_panel,
    officer_of,
    seat,
    under_review,
)

pytestmark = pytest.mark.django_db

FULL = {"planning": "25.5", "fit": "18", "organisation": "15", "impact": "21"}


@pytest.fixture
def sheet():
    panel = make_panel()
    app = under_review(ApplicationFactory(call=panel.call, track=panel.track))
    reviewer = seat(panel)
    return panel, app, reviewer, assign(panel, app, reviewer)


def test_rubric_must_sum_to_100():
    call = CallFactory()
    with pytest.raises(InvalidPanel) as exc:
        make_panel(call=call, criteria=[{"code": "a", "max_points": "60"}, {"code": "b", "max_points": "30"}])
    assert "90" in exc.value.message
    assert not Panel.objects.exists()


def test_panel_defaults_follow_the_decree_and_the_call():
    panel = make_panel(tie_break="impact")
    assert panel.cutoff_before_bonus and panel.disclose_reviewer_names
    assert panel.cutoff_score == panel.call.cutoff_score
    assert panel.tie_break_criterion.code == "impact"
    assert sum(c.max_points for c in panel.criteria.all()) == 100


def test_reviewer_saves_a_draft_then_submits_once(sheet):
    panel, app, reviewer, assignment = sheet
    draft = services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points={"planning": "20"})
    assert draft.state == Score.State.DRAFT and draft.total == Decimal("20")
    score = services.save_score(
        actor=reviewer.user,
        assignment_id=assignment.pk,
        points=FULL,
        comments={"fit": "좋음"},
        comment="총평",
        submit=True,
    )
    assert score.state == Score.State.SUBMITTED and score.total == Decimal("79.5")
    with pytest.raises(ScoringRefused, match="이미 제출한") as exc:
        services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points=FULL, submit=True)
    assert exc.value.code == "score.already_submitted"  # the API's stable code for it
    assert Score.objects.get(pk=score.pk).total == Decimal("79.5")


@pytest.mark.parametrize("bad", ["30.01", "-1", "abc", "10.005", "NaN", "Infinity"])
def test_points_outside_the_bounds_are_refused_and_nothing_is_written(sheet, bad):
    panel, app, reviewer, assignment = sheet
    services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points={"fit": "10"})
    with pytest.raises(ScoringRefused) as exc:
        services.save_score(
            actor=reviewer.user, assignment_id=assignment.pk, points={**FULL, "planning": bad}, submit=True
        )
    assert "points.planning" in exc.value.fields and exc.value.code == "score.invalid"
    assert "30" in exc.value.fields["points.planning"][0]
    score = Score.objects.get(assignment=assignment)
    assert score.state == Score.State.DRAFT and score.total == Decimal("10")
    assert list(CriterionScore.objects.filter(score=score).values_list("criterion__code", flat=True)) == [
        "fit"
    ]


def test_submit_needs_every_criterion(sheet):
    panel, app, reviewer, assignment = sheet
    with pytest.raises(ScoringRefused) as exc:
        services.save_score(
            actor=reviewer.user, assignment_id=assignment.pk, points={"planning": "20"}, submit=True
        )
    assert set(exc.value.fields) == {"points.fit", "points.organisation", "points.impact"}
    assert not Score.objects.exists()


def test_scoring_window_is_half_open():
    call = CallFactory()
    now = timezone.now()
    panel = make_panel(call=call, opens_at=now + dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1))
    app = under_review(ApplicationFactory(call=call, track=panel.track))
    reviewer = seat(panel)
    assignment = assign(panel, app, reviewer)
    with pytest.raises(ScoringRefused, match="평가할 수 없습니다"):
        services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points=FULL)
    Panel.objects.filter(pk=panel.pk).update(opens_at=now - dt.timedelta(days=1), closes_at=now)
    with pytest.raises(ScoringRefused, match="평가할 수 없습니다"):
        services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points=FULL)
    assert not Score.objects.exists()


def test_nothing_changes_after_the_officer_closes_the_panel(sheet):
    panel, app, reviewer, assignment = sheet
    services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points={"fit": "10"})
    services.close_panel(actor=officer_of(panel.call.program), panel_id=panel.pk)
    with pytest.raises(ScoringRefused):
        services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points=FULL, submit=True)


def test_another_reviewer_or_an_unpledged_one_cannot_reach_the_sheet(sheet):
    panel, app, reviewer, assignment = sheet
    other = seat(panel)
    with pytest.raises(ObjectDoesNotExist):
        services.save_score(actor=other.user, assignment_id=assignment.pk, points=FULL)
    unpledged = seat(panel, pledged=False)
    mine = assign(panel, app, unpledged)
    with pytest.raises(ObjectDoesNotExist):
        services.save_score(actor=unpledged.user, assignment_id=mine.pk, points=FULL)
    services.sign_pledge(actor=unpledged.user, panel_id=panel.pk)
    assert services.save_score(actor=unpledged.user, assignment_id=mine.pk, points=FULL).total == Decimal(
        "79.5"
    )


def test_rubric_cannot_change_once_scoring_started(sheet):
    panel, app, reviewer, assignment = sheet
    services.save_score(actor=reviewer.user, assignment_id=assignment.pk, points={"fit": "10"})
    with pytest.raises(InvalidPanel):
        services.set_rubric(actor=officer_of(panel.call.program), panel_id=panel.pk, criteria=RUBRIC)


def _sheet(rows):
    import io

    import openpyxl

    from evaluations.services import IMPORT_COLUMNS

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(IMPORT_COLUMNS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_pool_import_reports_row_errors_and_imports_nothing_when_any_fails():
    from evaluations.exceptions import ImportRefused
    from evaluations.models import Reviewer
    from tests.factories import OrganisationFactory, UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    OrganisationFactory(name="한국기계연구원")
    good = [
        "kim",
        "김민지",
        "kim@example.kr",
        "한국기계연구원",
        "수소연구실",
        "30",
        "수소, 연료전지",
        "수전해 스택",
        "N",
        "한국기계연구원",
        "2019-03-01",
    ]
    bad = ["lee", "", "not-an-email", "", "", "99", "", "", "X", "없는기관", "어제"]
    with pytest.raises(ImportRefused) as exc:
        services.import_reviewers(actor=admin, upload=_sheet([good, bad]))
    assert {
        "rows.3.name",
        "rows.3.email",
        "rows.3.province_code",
        "rows.3.official",
        "rows.3.organisation",
        "rows.3.since",
    } <= set(exc.value.fields)
    assert not Reviewer.objects.exists()
    [reviewer] = services.import_reviewers(actor=admin, upload=_sheet([good]))
    assert reviewer.user.name == "김민지" and reviewer.province.code == "30"
    assert "수소" in reviewer.expertise_tokens.split()
    assert reviewer.affiliations.get().department == "수소연구실"

"""Selection per (track, region), confirmation with reasons, results, objections (civil-code dates)."""

import datetime as dt

import pytest
from django.utils import timezone

from consortia.models import Application, ApplicationEvent, OrganisationProvinceChange
from evaluations import selectors, services
from evaluations.exceptions import ObjectionRefused, SelectionRefused
from evaluations.models import Objection, Result, SelectionEntry
from programs.deadlines import due_after_days
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

pytestmark = pytest.mark.django_db
KST = dt.timezone(dt.timedelta(hours=9))


def app_in(panel, code, *, at=None, contact=None):
    gov = OrganisationFactory(type="local_government", province=province(code))
    consortium = ConsortiumFactory(representative=gov, contacts=[contact or UserFactory()])
    return under_review(ApplicationFactory(call=panel.call, track=panel.track, consortium=consortium), at=at)


def score_all(panel, app, reviewers, totals):
    """Each reviewer submits a sheet whose points add up to the given total (30/20/20/30 rubric)."""
    for reviewer, total in zip(reviewers, totals, strict=True):
        a = assign(panel, app, reviewer)
        planning = min(30, total)
        rest = total - planning
        fit = min(20, rest)
        rest -= fit
        organisation = min(20, rest)
        impact = rest - organisation
        services.save_score(
            actor=reviewer.user,
            assignment_id=a.pk,
            points={"planning": planning, "fit": fit, "organisation": organisation, "impact": impact},
            submit=True,
        )


@pytest.fixture
def scored():
    panel = make_panel(tie_break="impact")
    officer = officer_of(panel.call.program)
    reviewers = [seat(panel) for _ in range(5)]
    t0 = timezone.now() - dt.timedelta(days=20)
    gb1 = app_in(panel, "47", at=t0)  # 대경권
    gb2 = app_in(panel, "27", at=t0 + dt.timedelta(hours=1))  # 대경권 too (대구)
    gn = app_in(panel, "48", at=t0)  # 동남권
    low = app_in(panel, "44", at=t0)  # 충청권, below the cut-off
    score_all(panel, gb1, reviewers, [90, 80, 80, 80, 10])  # trimmed: 80
    score_all(panel, gb2, reviewers, [85, 78, 78, 78, 100])  # trimmed: 80.33
    score_all(panel, gn, reviewers, [75, 75, 75, 75, 75])
    score_all(panel, low, reviewers, [69, 70, 69, 69, 69])  # trimmed 69 < 70
    services.close_panel(actor=officer, panel_id=panel.pk)
    return panel, officer, {"gb1": gb1, "gb2": gb2, "gn": gn, "low": low}


def test_results_rank_within_each_region_with_trimmed_and_normalised_scores(
    scored, django_assert_max_num_queries
):
    panel, officer, apps = scored
    with django_assert_max_num_queries(8):
        results = selectors.panel_results(panel)
    by = {r.application_id: r for r in results}
    gb1, gb2 = by[apps["gb1"].pk], by[apps["gb2"].pk]
    assert gb1.score == 80 and gb1.dropped == (10, 90)
    assert gb2.rank == 1 and gb1.rank == 2  # 80.33 > 80
    assert gb1.extra["region"].code == gb2.extra["region"].code
    assert by[apps["gn"].pk].rank == 1 and by[apps["low"].pk].rank == 1
    assert gb1.flagged  # 10 against 90
    assert gb1.normalised is not None and gb1.normalised != gb1.score
    assert selectors.proposed_selection(panel, results) == {apps["gb2"].pk, apps["gn"].pk}


def test_officer_confirms_with_a_reasoned_deviation_and_applications_move(scored):
    panel, officer, apps = scored
    with pytest.raises(SelectionRefused) as exc:
        services.confirm_selection(
            actor=officer, panel_id=panel.pk, selected=[apps["gb1"].pk, apps["gn"].pk], reasons={}
        )
    assert f"reasons.{apps['gb1'].pk}" in exc.value.fields and f"reasons.{apps['gb2'].pk}" in exc.value.fields
    with pytest.raises(SelectionRefused, match="nothing was changed") as exc:
        services.confirm_selection(
            actor=officer,
            panel_id=panel.pk,
            selected=[apps["gb1"].pk, apps["gb2"].pk, apps["low"].pk],
            reasons={apps["gb1"].pk: "x", apps["low"].pk: "y", apps["gn"].pk: "z"},
        )
    assert "quota" in str(exc.value.fields) and "cut-off" in str(exc.value.fields)
    assert not SelectionEntry.objects.exists()
    assert Application.objects.get(pk=apps["gb1"].pk).state == Application.State.UNDER_REVIEW
    reason = "대구·경북 통합 논의로 경북 주관 과제를 우선"
    services.confirm_selection(
        actor=officer,
        panel_id=panel.pk,
        selected=[apps["gb1"].pk, apps["gn"].pk],
        reasons={apps["gb1"].pk: reason, apps["gb2"].pk: reason},
    )
    states = dict(Application.objects.filter(pk__in=[a.pk for a in apps.values()]).values_list("pk", "state"))
    assert states == {
        apps["gb1"].pk: "selected",
        apps["gn"].pk: "selected",
        apps["gb2"].pk: "not_selected",
        apps["low"].pk: "not_selected",
    }
    entry = SelectionEntry.objects.get(application=apps["gb1"])
    assert entry.selected and not entry.proposed and entry.reason == reason
    assert reason in ApplicationEvent.objects.filter(application=apps["gb1"]).last().reason


def test_a_super_regional_application_competes_where_its_lead_government_was_at_opening(scored):
    panel, officer, apps = scored
    gov = apps["gn"].consortium.representative
    # The government moved after the call opened: the call keeps the province of its opening date.
    OrganisationProvinceChange.objects.create(
        organisation=gov,
        from_province=gov.province,
        to_province=province("47"),
        effective_on=timezone.localdate(),
    )
    gov.province = province("47")
    gov.save()
    regions = selectors.application_regions([apps["gn"]], call=panel.call)
    assert regions[apps["gn"].pk].provinces.filter(code="48").exists()
    assert not regions[apps["gn"].pk].provinces.filter(code="47").exists()


def test_results_notified_once_with_deadlines_then_an_objection_is_answered_and_reopens_review(
    scored, django_capture_on_commit_callbacks, mailoutbox
):
    panel, officer, apps = scored
    services.confirm_selection(
        actor=officer, panel_id=panel.pk, selected=[apps["gb2"].pk, apps["gn"].pk], reasons={}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_results(actor=officer, panel_id=panel.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_results(actor=officer, panel_id=panel.pk)  # exactly once per application
    assert len(mailoutbox) == 4
    mail = next(m for m in mailoutbox if apps["gb1"].title in m.subject)
    assert "80.00" in mail.body and "2위" in mail.body and "미선정" in mail.body
    reviewer = panel.assignments.filter(application=apps["gb1"]).first().reviewer
    assert str(reviewer) in mail.body  # names disclosed by default
    result = Result.objects.get(application=apps["gb1"])
    today = timezone.localdate()
    assert result.objection_due == due_after_days(today, 10)
    assert result.agreement_due == due_after_days(today, 30)
    assert result.revision_due == due_after_days(today, 20)
    contact = apps["gb1"].consortium.contacts.first()
    with pytest.raises(ObjectionRefused):
        services.file_objection(actor=contact, result_id=result.pk, text="  ")
    objection = services.file_objection(
        actor=contact, result_id=result.pk, text="평가위원 1인의 10점은 명백한 오류입니다"
    )
    assert objection.answer_due == due_after_days(today, 30)
    services.answer_objection(actor=officer, objection_id=objection.pk, answer="재평가합니다", upheld=True)
    assert Application.objects.get(pk=apps["gb1"].pk).state == Application.State.UNDER_REVIEW
    with pytest.raises(ObjectionRefused):
        services.answer_objection(actor=officer, objection_id=objection.pk, answer="again", upheld=False)


def test_an_objection_after_ten_days_is_refused(scored):
    panel, officer, apps = scored
    services.confirm_selection(
        actor=officer, panel_id=panel.pk, selected=[apps["gb2"].pk, apps["gn"].pk], reasons={}
    )
    services.notify_results(actor=officer, panel_id=panel.pk)
    result = Result.objects.get(application=apps["gb1"])
    Result.objects.filter(pk=result.pk).update(objection_due=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ObjectionRefused, match="due"):
        services.file_objection(
            actor=apps["gb1"].consortium.contacts.first(), result_id=result.pk, text="늦은 이의"
        )
    assert not Objection.objects.exists()

"""Issue 17 item 1: milestones generated for each award by the civil-code rule; the consortium
submits (upload + note), an officer accepts or returns with a reason; a timeline per milestone."""

import datetime as dt

import holidays
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.models import PlannedMilestone
from monitoring import selectors, services
from monitoring.exceptions import InvalidState
from monitoring.models import Milestone
from programs.deadlines import end_of_february, is_working_day, next_working_day, period_end
from tests.awards.helpers import selected_application
from tests.factories import UserFactory
from tests.monitoring.helpers import contact_of, make_award, officer_of_award, pdf

pytestmark = pytest.mark.django_db


def test_an_award_gets_its_milestones_by_the_civil_code():
    app = selected_application()
    PlannedMilestone.objects.create(application=app, year=2, title="시제품 완성")
    award = make_award(application=app, starts_on=dt.date(2025, 4, 1), notified_on=dt.date(2025, 3, 1))
    ms = {(m.kind, m.sequence): m for m in Milestone.objects.filter(award=award)}
    years = award.stages_years_total
    # The project year is the agreement's: year 1 runs 2025-04-01 .. 2026-03-31.
    assert period_end(dt.date(2025, 4, 1), years=1) == dt.date(2026, 3, 31)
    assert ms[("annual", 1)].due_on == next_working_day(dt.date(2026, 3, 31))
    assert sum(1 for k, _ in ms if k == "annual") == years
    for stage in award.stages.all():
        assert ms[("stage", stage.number)].due_on == next_working_day(stage.ends_on)
        assert ms[("settlement", stage.number)].due_on == stage.settlement_due_on
    assert ms[("final", 1)].due_on >= award.ends_on + dt.timedelta(days=60)
    assert [ms[("results_use", n)].due_on for n in range(1, 6)] == [
        end_of_february(award.ends_on.year + n) for n in range(1, 6)
    ]
    planned = [m for (kind, _), m in ms.items() if kind == "planned" and m.title == "시제품 완성"]
    assert len(planned) == 1 and planned[0].due_on == ms[("annual", 2)].due_on
    assert all(is_working_day(m.due_on) for m in ms.values())
    # Generating again adds nothing.
    assert services.generate_milestones(award_id=award.pk) == 0


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day():
    # A year starting 2025-10-04 ends 2026-10-03 (개천절, a Saturday); Monday 2026-10-05 is its
    # substitute holiday (from the `holidays` calendar): due Tuesday 2026-10-06.
    award = make_award(starts_on=dt.date(2025, 10, 4), notified_on=dt.date(2025, 9, 1))
    annual = Milestone.objects.get(award=award, kind="annual", sequence=1)
    assert dt.date(2026, 10, 5) in holidays.KR(years=2026)
    assert annual.due_on == dt.date(2026, 10, 6)


def test_the_consortium_submits_and_the_officer_returns_then_accepts():
    award = make_award()
    milestone = Milestone.objects.filter(award=award).first()
    contact, officer = contact_of(award), officer_of_award(award)
    services.submit_milestone(actor=contact, milestone_id=milestone.pk, upload=pdf(), note="1차 제출")
    with pytest.raises(InvalidState):
        services.return_milestone(actor=officer, milestone_id=milestone.pk, reason=" ")
    services.return_milestone(actor=officer, milestone_id=milestone.pk, reason="부록 누락")
    assert Milestone.objects.get(pk=milestone.pk).state == "returned"
    services.submit_milestone(actor=contact, milestone_id=milestone.pk, upload=pdf("v2.pdf"), note="보완")
    services.accept_milestone(actor=officer, milestone_id=milestone.pk)
    assert Milestone.objects.get(pk=milestone.pk).state == "accepted"
    with pytest.raises(InvalidState):
        services.submit_milestone(actor=contact, milestone_id=milestone.pk, upload=pdf())
    timeline = selectors.milestone_timeline(milestone_id=milestone.pk)
    assert [e["to_state"] for e in timeline if e["type"] == "event"] == [
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert any(e["reason"] == "부록 누락" for e in timeline)


def test_an_upload_is_checked_by_its_content():
    award = make_award()
    milestone = Milestone.objects.filter(award=award).first()
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidState) as exc:
        services.submit_milestone(actor=contact_of(award), milestone_id=milestone.pk, upload=fake)
    assert "file" in exc.value.fields
    assert Milestone.objects.get(pk=milestone.pk).state == "open"


@pytest.mark.parametrize("who", ["other_applicant", "reviewer", "other_officer"])
def test_outsiders_cannot_submit_or_decide(who):
    from django.core.exceptions import PermissionDenied

    from tests.factories import ProgramFactory, officer_of

    award = make_award()
    milestone = Milestone.objects.filter(award=award).first()
    outsider = {
        "other_applicant": lambda: contact_of(make_award()),
        "reviewer": lambda: UserFactory(reviewer=True),
        "other_officer": lambda: officer_of(ProgramFactory()),
    }[who]()
    with pytest.raises(PermissionDenied):
        services.submit_milestone(actor=outsider, milestone_id=milestone.pk, upload=pdf())
    services.submit_milestone(actor=contact_of(award), milestone_id=milestone.pk, upload=pdf())
    with pytest.raises(PermissionDenied):
        services.accept_milestone(actor=outsider, milestone_id=milestone.pk)
    with pytest.raises(PermissionDenied):
        # the consortium does not accept its own report
        services.accept_milestone(actor=contact_of(award), milestone_id=milestone.pk)

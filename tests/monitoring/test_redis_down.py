"""Issue 17: with Redis down, validation and reminders still answer; the reminders stay owed in
the outbox (the beat sweep queues them once it is back) and nothing is lost."""

import pytest
from django.utils import timezone

from consortia.models import Notice
from monitoring import services
from monitoring.models import KpiReport, Milestone
from monitoring.reminders import remind_milestones
from tests.brokers import closed_port, use_broker
from tests.monitoring.helpers import contact_of, make_award, officer_of_award

pytestmark = pytest.mark.django_db(transaction=True)


def test_with_redis_down_validation_answers_and_reminders_stay_owed():
    award = make_award()
    Milestone.objects.filter(award=award).update(state="accepted")
    milestone = Milestone.objects.filter(award=award).first()
    Milestone.objects.filter(pk=milestone.pk).update(state="open", due_on=timezone.localdate())
    report = services.report_kpi(
        actor=contact_of(award), award_id=award.pk, indicator="papers", year=1, value=2
    )
    with use_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        services.validate_kpi(actor=officer_of_award(award), report_id=report.pk)
        assert remind_milestones(milestone_ids=[milestone.pk]) == 1
    assert KpiReport.objects.get(pk=report.pk).state == "validated"
    notice = Notice.objects.get(about_id=milestone.pk, kind="milestone_d1")
    assert notice.status == "owed"  # the sweep (consortia.tasks.requeue_stale_notices) sends it later

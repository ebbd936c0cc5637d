import pytest

from consortia import services
from consortia.exceptions import InvalidTransition, RulesBroken
from consortia.models import Application, Notice
from tests.factories import complete_application

pytestmark = pytest.mark.django_db


def test_applicant_submits_once_and_gets_one_receipt(django_capture_on_commit_callbacks, mailoutbox):
    app = complete_application()
    contact = app.consortium.contacts.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(actor=contact, application_id=app.pk)
    app = Application.objects.get(pk=app.pk)
    assert app.state == "submitted" and app.submitted_at
    assert [(e.from_state, e.to_state, e.actor) for e in app.events.all()] == [
        ("draft", "submitted", contact)
    ]
    assert [m.to for m in mailoutbox] == [[contact.email]]
    assert "접수" in mailoutbox[0].subject and app.title in mailoutbox[0].subject
    with pytest.raises(InvalidTransition):
        services.submit_application(actor=contact, application_id=app.pk)
    assert Notice.objects.count() == 1 and len(mailoutbox) == 1


def test_broken_rules_refuse_submission_and_list_every_failure():
    app = complete_application()
    app.budget_lines.filter(year=2, local_cash_krw__gt=0).update(local_cash_krw=1)
    app.budget_lines.filter(year=3, national_krw=800_000_000).update(national_krw=5_000_000_000)
    with pytest.raises(RulesBroken) as caught:
        services.submit_application(actor=app.consortium.contacts.get(), application_id=app.pk)
    rules = {(f.rule, f.year) for f in caught.value.failures}
    assert ("matching.local_share", 2) in rules and ("budget.cap", 3) in rules
    assert "budget.2" in caught.value.fields and "budget.3" in caught.value.fields
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_a_redelivered_notice_is_sent_once(django_capture_on_commit_callbacks, mailoutbox):
    from consortia.tasks import requeue_stale_notices, send_notice

    app = complete_application()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(actor=app.consortium.contacts.get(), application_id=app.pk)
    notice = Notice.objects.get()
    send_notice.delay(notice.pk)  # the broker delivers it again
    requeue_stale_notices.delay()
    assert len(mailoutbox) == 1
    assert Notice.objects.get().sent_at is not None


def test_a_notice_whose_worker_died_is_requeued_and_sent(django_capture_on_commit_callbacks, mailoutbox):
    import datetime as dt

    from django.utils import timezone

    from consortia.tasks import requeue_stale_notices

    app = complete_application()
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost the task
        services.submit_application(actor=app.consortium.contacts.get(), application_id=app.pk)
    # A worker claimed it an hour ago and died.
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    Notice.objects.update(claimed_at=an_hour_ago, created_at=an_hour_ago, due_at=an_hour_ago, attempts=1)
    assert requeue_stale_notices.delay().get() == 1
    assert len(mailoutbox) == 1 and "접수" in mailoutbox[0].subject
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == ("sent", 2) and notice.sent_at is not None

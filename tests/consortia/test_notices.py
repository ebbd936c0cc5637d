"""Issue 13 item 15: the outbox of notices: grace, lease, attempts, failure, resend, dedupe."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from consortia import notices
from consortia.models import Notice
from consortia.tasks import requeue_stale_notices
from tests.factories import ProgramFactory, UserFactory, complete_application, officer_of

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/consortia/notice/"


def _queue(about, key="reminder:program:1:d7", to=("a@example.kr",)) -> Notice:
    return notices.queue_notice(
        kind="reminder.test",
        to=list(to),
        subject_template="consortia/email/receipt_subject.txt",
        body_template="consortia/email/receipt.txt",
        context={"application": about, "submitted_at": timezone.localtime()},
        dedupe_key=key,
        about=about,
    )


def _age(notice: Notice, **delta) -> None:
    """As if the notice had been due (and created) `delta` ago."""
    then = timezone.now() - dt.timedelta(**delta)
    Notice.objects.filter(pk=notice.pk).update(due_at=then, created_at=then)


def test_the_sweep_leaves_a_fresh_notice_to_its_own_task(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # its task is still on the way
        notice = _queue(complete_application())
    assert requeue_stale_notices.delay().get() == 0
    assert mail.outbox == []
    _age(notice, minutes=3)  # past the grace period: the task was lost
    assert requeue_stale_notices.delay().get() == 1
    assert len(mail.outbox) == 1 and Notice.objects.get(pk=notice.pk).status == "sent"


def test_a_dead_workers_claim_is_recovered_within_minutes(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notice = _queue(complete_application())
    _age(notice, minutes=5)
    Notice.objects.filter(pk=notice.pk).update(
        claimed_at=timezone.now() - dt.timedelta(seconds=60), attempts=1
    )
    assert requeue_stale_notices.delay().get() == 0  # the worker may still be sending it
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - dt.timedelta(minutes=3))
    assert requeue_stale_notices.delay().get() == 1  # its lease (2 minutes) ran out
    notice = Notice.objects.get(pk=notice.pk)
    assert (notice.status, notice.attempts, notice.claimed_at) == ("sent", 2, None)
    assert len(mail.outbox) == 1


def test_each_failed_attempt_is_recorded_until_the_notice_fails(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.mail_backends.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        notice = _queue(complete_application())
    notice = Notice.objects.get(pk=notice.pk)
    assert (notice.status, notice.attempts, notice.claimed_at) == ("owed", 1, None)
    assert "SMTPRecipientsRefused" in notice.last_error and "550" in notice.last_error
    assert notice.due_at > timezone.now() + dt.timedelta(seconds=50)  # backoff: 60 s, then 120 s
    assert requeue_stale_notices.delay().get() == 0  # not due yet
    for attempt in (2, 3):
        _age(notice, minutes=10)
        assert requeue_stale_notices.delay().get() == 1
        assert Notice.objects.get(pk=notice.pk).attempts == attempt
    notice = Notice.objects.get(pk=notice.pk)
    assert (notice.status, notice.attempts) == ("failed", 3)
    _age(notice, hours=5)
    assert requeue_stale_notices.delay().get() == 0  # failed notices wait for an administrator


def test_a_lost_claim_on_the_last_attempt_fails_the_notice(settings, django_capture_on_commit_callbacks):
    settings.NOTICE_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=False):
        notice = _queue(complete_application())
    _age(notice, minutes=10)
    Notice.objects.filter(pk=notice.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=5), attempts=2
    )
    assert requeue_stale_notices.delay().get() == 0
    notice = Notice.objects.get(pk=notice.pk)
    assert notice.status == "failed" and notice.last_error == notices.LOST_CLAIM
    assert mail.outbox == []


def test_an_administrator_resends_a_failed_notice_from_the_admin(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        failed = _queue(complete_application())
        sent = _queue(failed.application, key="other")
    Notice.objects.filter(pk=failed.pk).update(
        status="failed", attempts=8, last_error="SMTPServerDisconnected"
    )
    Notice.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())

    officer = officer_of(ProgramFactory())
    client.force_login(officer)
    assert client.get(CHANGELIST).status_code in (302, 403)
    with pytest.raises(PermissionDenied):
        notices.resend_notices(actor=officer, notice_ids=[failed.pk])

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(CHANGELIST + "?status__exact=failed").content.decode()
    assert "SMTPServerDisconnected" in page and 'value="resend"' in page
    assert "SMTPServerDisconnected" in client.get(f"{CHANGELIST}{failed.pk}/change/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [failed.pk, sent.pk], "index": 0},
            follow=True,
        )
    assert response.status_code == 200
    failed = Notice.objects.get(pk=failed.pk)
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1  # the sent one was skipped, not sent twice
    assert Notice.objects.get(pk=sent.pk).sent_at is not None


def test_any_app_queues_a_notice_once_per_dedupe_key(django_capture_on_commit_callbacks):
    program = ProgramFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notices.queue_notice(
            kind="reminder.milestone",
            to=["b@example.kr", "a@example.kr", "a@example.kr"],
            subject_template="consortia/email/receipt_subject.txt",
            body_template="consortia/email/receipt.txt",
            context={"application": {"title": "첫째\r\n줄바꿈 제목"}},
            dedupe_key=f"reminder:program:{program.pk}:d7:2027-03-01",
            about=program,
        )
        again = notices.queue_notice(
            kind="reminder.milestone",
            to=["c@example.kr"],
            subject_template="consortia/email/receipt_subject.txt",
            body_template="consortia/email/receipt.txt",
            context={"application": {"title": "다른 제목"}},
            dedupe_key=f"reminder:program:{program.pk}:d7:2027-03-01",
        )
    assert again.pk == first.pk and Notice.objects.count() == 1
    assert first.about == program and first.application is None
    assert first.recipients == ["a@example.kr", "b@example.kr"]
    assert [m.to for m in mail.outbox] == [["a@example.kr", "b@example.kr"]]
    assert mail.outbox[0].subject.endswith("첫째 줄바꿈 제목")  # one line: no header injection
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<notice.{first.pk}.")
    with pytest.raises(ValidationError):
        _queue(program, key="bad", to=["not an address"])
    with pytest.raises(ValueError):
        _queue(program, key="nobody", to=[])


@pytest.mark.django_db(transaction=True)
def test_two_transactions_queue_one_notice_for_one_key(postgres):
    application = complete_application()
    barrier = threading.Barrier(2)
    ids: list[int] = []

    def queue():
        try:
            with transaction.atomic():
                barrier.wait()
                ids.append(_queue(application, key="race").pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=queue) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(ids) == 2 and len(set(ids)) == 1
    assert Notice.objects.filter(dedupe_key="race").count() == 1
    assert len(mail.outbox) == 1

"""Issue 13 item 14: a submit with Redis down answers at once (it committed); its receipt stays
owed and the beat sweep sends it once Redis is back."""

import datetime as dt
import logging
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app
from consortia.models import Application, Notice
from consortia.tasks import requeue_stale_notices
from tests.brokers import RedisProxy, closed_port, silent_server, use_broker
from tests.factories import complete_application

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(app_pk: int, user) -> tuple[int, float]:
    client = APIClient()
    client.force_authenticate(user)
    started = time.monotonic()
    status = client.post(f"/api/applications/{app_pk}/submit/").status_code
    return status, time.monotonic() - started


def test_submit_with_redis_refusing_connections_answers_at_once_and_owes_the_receipt(caplog):
    application = complete_application()
    contact = application.consortium.contacts.get()
    with use_broker(f"redis://127.0.0.1:{closed_port()}/0"), caplog.at_level(logging.WARNING):
        status, seconds = _submit(application.pk, contact)
    assert status == 200
    assert seconds < 3, f"the submit took {seconds:.1f} s"
    assert Application.objects.get(pk=application.pk).state == "submitted"
    notice = Notice.objects.get(application=application)
    assert (notice.status, notice.sent_at, notice.attempts) == ("owed", None, 0)
    assert "could not queue consortia.tasks.send_notice" in caplog.text
    assert mail.outbox == []


def test_submit_with_redis_hanging_answers_within_its_socket_timeouts():
    application = complete_application()
    with silent_server() as port, use_broker(f"redis://127.0.0.1:{port}/0"):
        status, seconds = _submit(application.pk, application.consortium.contacts.get())
    assert status == 200
    assert seconds < 10, f"the submit took {seconds:.1f} s"
    assert Notice.objects.get(application=application).status == "owed"


@pytest.mark.services
def test_the_sweep_sends_the_owed_receipt_when_redis_is_back(redis_url, postgres):
    """Redis goes down and comes back at the same address: the same process publishes again
    (no restart), and beat's sweep sends the receipt that could not be queued. (PostgreSQL: the
    worker thread writes while this one does, which SQLite's in-memory test database refuses.)"""
    application, later = complete_application(), complete_application()
    contact = application.consortium.contacts.get()
    redis = RedisProxy(redis_url)
    with use_broker(redis.url):
        status, seconds = _submit(application.pk, contact)  # Redis is down
        assert status == 200 and seconds < 3
        notice = Notice.objects.get(application=application)
        assert notice.status == "owed"
        # Older than the sweep's grace period: its own task is not coming.
        three_minutes_ago = timezone.now() - dt.timedelta(minutes=3)
        Notice.objects.filter(pk=notice.pk).update(created_at=three_minutes_ago, due_at=three_minutes_ago)
        redis.start()
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                assert requeue_stale_notices.apply().get() == 1  # beat's run, publishing to Redis
                assert _submit(later.pk, later.consortium.contacts.get())[0] == 200  # queued at once
                deadline = time.monotonic() + 30
                while Notice.objects.filter(status="owed").exists() and time.monotonic() < deadline:
                    time.sleep(0.2)
        finally:
            redis.stop()
    notice = Notice.objects.get(pk=notice.pk)
    assert (notice.status, notice.attempts) == ("sent", 1)
    assert Notice.objects.get(application=later).status == "sent"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [contact.email, later.consortium.contacts.get().email]
    )

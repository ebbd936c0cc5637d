"""Two submissions of the same application at once: one submitted record, one receipt."""

import threading

import pytest
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient

from consortia.models import Application, ApplicationEvent, Notice
from tests.factories import complete_application

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_submit_requests_leave_one_record_and_one_email(postgres):
    app = complete_application()
    contact = app.consortium.contacts.get()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def submit():
        client = APIClient()
        client.force_authenticate(contact)
        try:
            barrier.wait()
            statuses.append(client.post(f"/api/applications/{app.pk}/submit/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [200, 400]
    assert Application.objects.get(pk=app.pk).state == "submitted"
    assert ApplicationEvent.objects.filter(application=app, to_state="submitted").count() == 1
    assert Notice.objects.filter(application=app).count() == 1
    assert len(mail.outbox) == 1

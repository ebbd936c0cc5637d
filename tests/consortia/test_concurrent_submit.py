"""Two submissions of the same application at once: one submitted record, one receipt."""

import threading

import pytest
from django.core import mail
from django.db import connection

from consortia import services
from consortia.exceptions import InvalidTransition
from consortia.models import Application, ApplicationEvent, Notice
from tests.factories import complete_application

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_submissions_leave_one_record_and_one_email(postgres):
    app = complete_application()
    contact = app.consortium.contacts.get()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait()
            services.submit_application(actor=contact, application_id=app.pk)
            outcomes.append("submitted")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["refused", "submitted"]
    assert Application.objects.get(pk=app.pk).state == "submitted"
    assert ApplicationEvent.objects.filter(application=app, to_state="submitted").count() == 1
    assert Notice.objects.filter(application=app).count() == 1
    assert len(mail.outbox) == 1

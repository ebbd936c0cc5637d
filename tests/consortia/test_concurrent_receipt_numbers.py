"""Two applications submitted to one track at the same moment draw different receipt numbers."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from consortia.models import Application
from tests.factories import CallFactory, complete_application

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_submissions_to_one_track_get_consecutive_receipt_numbers(postgres):
    call = CallFactory(year=2026)
    apps = [complete_application(call=call, province_code=code) for code in ("47", "48", "43")]
    barrier = threading.Barrier(len(apps))
    statuses: list[int] = []

    def submit(app):
        client = APIClient()
        client.force_authenticate(app.consortium.contacts.get())
        try:
            barrier.wait()
            statuses.append(client.post(f"/api/applications/{app.pk}/submit/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(app,)) for app in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [200, 200, 200]
    numbers = sorted(Application.objects.filter(call=call).values_list("receipt_number", flat=True))
    assert numbers == ["2026-LEAP-0001", "2026-LEAP-0002", "2026-LEAP-0003"]

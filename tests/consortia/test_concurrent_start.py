"""Two starts of an application by one consortium to one call at once: one draft, one refusal."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from consortia.models import Application
from tests.factories import CallFactory, ConsortiumFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_starts_to_one_call_leave_one_draft(postgres):
    consortium = ConsortiumFactory()
    call = CallFactory()
    contact = consortium.contacts.get()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def start(track: str):
        client = APIClient()
        client.force_authenticate(contact)
        data = {"consortium": consortium.pk, "call": call.code, "track": track, "title": f"과제 {track}"}
        try:
            barrier.wait()
            statuses.append(client.post("/api/applications/", data, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(t,)) for t in ("leap", "super-regional")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [201, 400]
    assert Application.objects.filter(consortium=consortium, call=call).count() == 1

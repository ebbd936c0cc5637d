"""Two registrations of the same province's local government at once: one, never two (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from consortia.models import Organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_registrations_of_one_province_government_make_one(postgres):
    users = [UserFactory() for _ in range(4)]
    gyeongbuk = "47"
    barrier = threading.Barrier(len(users))
    statuses: list[int] = []

    def register(user):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            data = {"name": f"경상북도 {user.pk}", "type": "local_government", "province": gyeongbuk}
            statuses.append(client.post("/api/organisations/", data, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [201, 400, 400, 400]
    assert Organisation.objects.filter(type="local_government", province__code=gyeongbuk).count() == 1

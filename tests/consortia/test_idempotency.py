"""Double clicks and retries of creates (issue 13.4): Idempotency-Key on the API, a form token in
the portal, and unique violations as a 400 on the field. The races run on PostgreSQL."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import IdempotencyKey
from consortia.choices import OrganisationType
from consortia.models import Application, Consortium, ConsortiumMember, Organisation
from tests.factories import (
    CallFactory,
    ConsortiumFactory,
    OrganisationFactory,
    UserFactory,
    _brns,
    province,
    verified_staff,
)

ORGS = "/api/organisations/"
CONSORTIA = "/api/consortia/"
APPS = "/api/applications/"


def _org_body(number: str) -> dict:
    return {
        "name": "주식회사 메가",
        "type": OrganisationType.SME,
        "province": province("47").pk,
        "business_number": number,
    }


def _application_body(consortium: Consortium) -> dict:
    call = CallFactory()
    return {
        "consortium": consortium.pk,
        "call": call.pk,
        "track": call.tracks.get(code="leap").pk,
        "title": "이차전지 메가프로젝트",
    }


# --- one request at a time (SQLite and PostgreSQL) ---------------------------------------------


@pytest.mark.django_db
def test_the_same_key_and_body_replays_the_first_result(api):
    consortium = ConsortiumFactory()
    api.force_authenticate(consortium.contacts.get())
    body = _application_body(consortium)
    first = api.post(APPS, body, format="json", headers={"Idempotency-Key": "k-1"})
    again = api.post(APPS, body, format="json", headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Application.objects.count() == 1
    other = api.post(APPS, body, format="json", headers={"Idempotency-Key": "k-2"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert api.post(APPS, body, format="json").status_code == 201  # no key: no protection asked for
    assert Application.objects.count() == 3


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_400_that_names_the_key(api):
    user = UserFactory()
    api.force_authenticate(user)
    first = api.post(ORGS, _org_body(next(_brns)), format="json", headers={"Idempotency-Key": "k"})
    assert first.status_code == 201
    other = api.post(ORGS, _org_body(next(_brns)), format="json", headers={"Idempotency-Key": "k"})
    assert other.status_code == 400
    assert "different request" in other.json()["detail"]
    assert list(other.json()["fields"]) == ["Idempotency-Key"]
    assert Organisation.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_user(api):
    body = _org_body(next(_brns))
    api.force_authenticate(UserFactory())
    assert api.post(ORGS, body, format="json", headers={"Idempotency-Key": "shared"}).status_code == 201
    api.force_authenticate(UserFactory())
    # Another user's key replays nothing: this is a fresh create, refused on the field.
    response = api.post(ORGS, body, format="json", headers={"Idempotency-Key": "shared"})
    assert response.status_code == 400 and "business_number" in response.json()["fields"]


@pytest.mark.django_db
def test_a_failed_create_leaves_the_key_free_for_the_corrected_retry(api):
    api.force_authenticate(UserFactory())
    bad = api.post(
        ORGS, {**_org_body(""), "business_number": ""}, format="json", headers={"Idempotency-Key": "retry"}
    )
    assert bad.status_code == 400 and "business_number" in bad.json()["fields"]
    assert not IdempotencyKey.objects.exists()
    good = api.post(ORGS, _org_body(next(_brns)), format="json", headers={"Idempotency-Key": "retry"})
    assert good.status_code == 201


@pytest.mark.django_db
def test_an_overlong_key_is_a_400(api):
    api.force_authenticate(UserFactory())
    response = api.post(ORGS, _org_body(next(_brns)), format="json", headers={"Idempotency-Key": "x" * 256})
    assert response.status_code == 400 and not Organisation.objects.exists()


@pytest.mark.django_db
def test_member_adds_replay_too(api):
    consortium = ConsortiumFactory()
    api.force_authenticate(consortium.contacts.get())
    uni = OrganisationFactory()
    url = f"{CONSORTIA}{consortium.pk}/members/"
    first = api.post(
        url, {"organisation": uni.pk, "role": "lead"}, format="json", headers={"Idempotency-Key": "m"}
    )
    again = api.post(
        url, {"organisation": uni.pk, "role": "lead"}, format="json", headers={"Idempotency-Key": "m"}
    )
    assert first.status_code == again.status_code == 201 and first.json() == again.json()


def _token(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
def test_the_portal_consortium_form_creates_once_per_display(client):
    user = UserFactory()
    gov = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT)
    verified_staff(gov, user)
    client.force_login(user)
    token = _token(client.get("/my/consortia/new/"))
    form = {
        "name": "경북 사업단",
        "representative_mode": "existing",
        "representative": gov.pk,
        "idempotency_key": token,
    }
    first = client.post("/my/consortia/new/", form)
    second = client.post("/my/consortia/new/", form)  # the double click
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Consortium.objects.count() == 1
    changed = client.post("/my/consortia/new/", {**form, "name": "다른 사업단"})
    assert changed.status_code == 200 and "different request" in changed.content.decode()
    assert _token(client.get("/my/consortia/new/")) != token  # a new display, a new create
    assert Consortium.objects.count() == 1


@pytest.mark.django_db
def test_the_portal_application_and_member_forms_create_once(client):
    consortium = ConsortiumFactory()
    client.force_login(consortium.contacts.get())
    call = CallFactory()
    page = client.get(f"/my/consortia/{consortium.pk}/applications/new/")
    form = {"track": call.tracks.get(code="leap").pk, "title": "과제", "idempotency_key": _token(page)}
    first = client.post(f"/my/consortia/{consortium.pk}/applications/new/", form)
    second = client.post(f"/my/consortia/{consortium.pk}/applications/new/", form)
    assert first["Location"] == second["Location"] and Application.objects.count() == 1

    page = client.get(f"/my/consortia/{consortium.pk}/")
    number = next(_brns)
    form = {
        "action": "add_new",
        "new-name": "주식회사 메가",
        "new-type": OrganisationType.SME,
        "new-province": province("47").pk,
        "new-business_number": number,
        "new-role": "partner",
        "new-department": "",
        "idempotency_key": _token(page),
    }
    assert client.post(f"/my/consortia/{consortium.pk}/", form).status_code == 302
    assert client.post(f"/my/consortia/{consortium.pk}/", form).status_code == 302
    assert Organisation.objects.filter(business_number=number).count() == 1
    assert ConsortiumMember.objects.filter(consortium=consortium).count() == 2


# --- races on PostgreSQL -----------------------------------------------------------------------


def _parallel(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results: list = []

    def run():
        try:
            barrier.wait()
            results.append(fn())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_four_parallel_creates_with_one_key_make_one_consortium_and_one_application(postgres):
    user = UserFactory()
    gov = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT)
    verified_staff(gov, user)

    def post(url, body, key):
        def call():
            client = APIClient()
            client.force_authenticate(user)
            response = client.post(url, body, format="json", headers={"Idempotency-Key": key})
            return response.status_code, response.json()

        return call

    results = _parallel(4, post(CONSORTIA, {"name": "사업단", "representative": gov.pk}, "c-1"))
    assert [s for s, _b in results] == [201] * 4
    assert len({b["id"] for _s, b in results}) == 1
    assert Consortium.objects.count() == 1

    body = _application_body(Consortium.objects.get())
    results = _parallel(4, post(APPS, body, "a-1"))
    assert [s for s, _b in results] == [201] * 4
    assert len({b["id"] for _s, b in results}) == 1
    assert Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_four_parallel_organisations_with_one_business_number_are_one_201_and_three_400s(postgres):
    number = next(_brns)
    users = [UserFactory() for _ in range(4)]
    queue = list(users)
    lock = threading.Lock()

    def create():
        with lock:
            user = queue.pop()
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(ORGS, _org_body(number), format="json")
        return response.status_code, response.json()

    results = _parallel(4, create)
    assert sorted(s for s, _b in results) == [201, 400, 400, 400]
    assert all("business_number" in b["fields"] for s, b in results if s == 400)
    assert Organisation.objects.filter(business_number=number).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_business_number_committed_after_the_check_is_a_400_not_a_500(postgres):
    """Deterministic: another transaction inserts the number before our check and commits after
    it, so only the unique index sees the clash."""
    number = next(_brns)
    inserted, release = threading.Event(), threading.Event()

    def other_transaction():
        try:
            with transaction.atomic():
                Organisation.objects.create(
                    name="먼저 온 회사",
                    type=OrganisationType.SME,
                    province=province("47"),
                    business_number=number,
                )
                inserted.set()
                release.wait(1.0)  # our insert is waiting on the unique index by now
        finally:
            connection.close()

    thread = threading.Thread(target=other_transaction)
    thread.start()
    assert inserted.wait(10)
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.post(ORGS, _org_body(number), format="json")
    release.set()
    thread.join(timeout=30)
    assert response.status_code == 400, response.content
    assert "business_number" in response.json()["fields"]
    assert Organisation.objects.filter(business_number=number).count() == 1

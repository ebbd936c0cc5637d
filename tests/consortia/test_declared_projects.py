"""Applicants declare their researchers' outside projects (3책5공) in the API and the portal."""

from __future__ import annotations

import datetime as dt

import pytest

from consortia.models import ApplicationPerson, DeclaredProject, Person
from consortia.rules import check_application
from tests.factories import complete_application, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_with_pi():
    app = complete_application()
    person = Person.objects.create(name="김연구", researcher_number="11112222")
    member = app.consortium.members.get(role="lead")
    ApplicationPerson.objects.create(application=app, member=member, person=person, role="pi")
    return app, person


def _body(person, **overrides) -> dict:
    return {
        "person": person.pk,
        "title": "국가 R&D 과제",
        "kind": "research",
        "as_principal_investigator": True,
        "starts_on": "2025-01-01",
        "ends_on": "2030-12-31",
        **overrides,
    }


def test_applicant_declares_outside_projects_and_the_check_counts_them(api, app_with_pi):
    app, person = app_with_pi
    api.force_authenticate(app.consortium.contacts.get())
    url = f"/api/applications/{app.pk}/declared-projects/"
    for i in range(3):
        response = api.post(url, _body(person, title=f"과제 {i}"), format="json")
        assert response.status_code == 201, response.json()
    listed = api.get(url).json()
    assert [p["title"] for p in listed] == ["과제 0", "과제 1", "과제 2"]
    check = api.get(f"/api/applications/{app.pk}/check/").json()
    [failure] = [f for f in check["failures"] if f["person_id"] == person.pk]
    assert "과제 0" in failure["message"] and "과제 2" in failure["message"]
    assert api.delete(f"{url}{listed[0]['id']}/").status_code == 204
    assert [f for f in check_application(app) if f.person_id == person.pk] == []


def test_declarations_are_checked_and_belong_to_the_application(api, app_with_pi):
    app, person = app_with_pi
    api.force_authenticate(app.consortium.contacts.get())
    url = f"/api/applications/{app.pk}/declared-projects/"
    stranger = Person.objects.create(name="이외부", researcher_number="99998888")
    response = api.post(url, _body(stranger), format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["person"]
    response = api.post(url, _body(person, starts_on="2030-01-01", ends_on="2029-01-01"), format="json")
    assert response.status_code == 400 and "ends_on" in response.json()["fields"]
    # An administrator's record is not the applicant's to see or delete.
    record = DeclaredProject.objects.create(
        person=person, title="관리자 기록", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2030, 1, 1)
    )
    assert api.get(url).json() == []
    assert api.delete(f"{url}{record.pk}/").status_code == 404
    assert DeclaredProject.objects.filter(pk=record.pk).exists()


def test_another_consortium_cannot_declare_and_a_submitted_application_is_frozen(api, app_with_pi):
    app, person = app_with_pi
    other = complete_application()
    api.force_authenticate(other.consortium.contacts.get())
    url = f"/api/applications/{app.pk}/declared-projects/"
    assert api.post(url, _body(person), format="json").status_code == 404
    assert api.get(url).status_code == 404
    api.force_authenticate(app.consortium.contacts.get())
    submitted(app)
    assert api.post(url, _body(person), format="json").status_code == 400
    assert not DeclaredProject.objects.exists()


def test_applicant_declares_and_removes_in_the_portal(client, app_with_pi):
    app, person = app_with_pi
    client.force_login(app.consortium.contacts.get())
    url = f"/my/applications/{app.pk}/declared-projects/"
    assert url.encode() in client.get(f"/my/applications/{app.pk}/members/").content
    page = client.get(url)
    assert page.status_code == 200 and "김연구" in page.content.decode()
    form = {
        "action": "add",
        "person": person.pk,
        "title": "외부 과제",
        "kind": "research",
        "as_principal_investigator": "on",
        "starts_on": "2025-01-01",
        "ends_on": "2030-12-31",
    }
    response = client.post(url, form)
    assert response.status_code == 302 and response["Location"] == url
    project = DeclaredProject.objects.get()
    assert (project.application, project.as_principal_investigator) == (app, True)
    assert "외부 과제" in client.get(url).content.decode()
    response = client.post(url, {**form, "ends_on": "2020-01-01"})
    assert response.status_code == 200 and 'data-for="ends_on"' in response.content.decode()
    assert client.post(url, {"action": "remove", "project": project.pk}).status_code == 302
    assert not DeclaredProject.objects.exists()

"""Researcher numbers reveal nobody, and naming a person writes nothing into their shared record
(issue 13, item 9)."""

import pytest

from consortia import services
from consortia.models import Affiliation, ApplicationPerson, Person
from tests.factories import OrganisationFactory, complete_application

pytestmark = pytest.mark.django_db


def people_url(app) -> str:
    return f"/api/applications/{app.pk}/people/"


def test_a_number_known_under_another_name_does_not_tell_the_stored_name(api):
    Person.objects.create(name="김철수", researcher_number="12345678")
    app = complete_application()
    api.force_authenticate(app.consortium.contacts.get())
    lead = app.consortium.members.get(role="lead").pk
    row = {"member": lead, "role": "pi", "name": "이영희", "researcher_number": "12345678"}
    response = api.put(people_url(app), {"rows": [row]}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert "김철수" not in body
    assert response.json()["fields"]["rows.0.name"] == ["The number and name do not match."]
    # The right name links the existing record.
    row["name"] = "김철수"
    assert api.put(people_url(app), {"rows": [row]}, format="json").status_code == 200


def test_the_portal_does_not_tell_the_stored_name_either(client):
    Person.objects.create(name="김철수", researcher_number="12345678")
    app = complete_application()
    client.force_login(app.consortium.contacts.get())
    lead = app.consortium.members.get(role="lead").pk
    data = {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-0-member": lead,
        "rows-0-role": "pi",
        "rows-0-name": "이영희",
        "rows-0-researcher_number": "12345678",
        "rows-0-email": "",
    }
    page = client.post(f"/my/applications/{app.pk}/members/", data).content.decode()
    assert "김철수" not in page
    assert not app.people.exists()


def test_naming_a_person_writes_no_affiliation_into_their_shared_record():
    person = Person.objects.create(name="김철수", researcher_number="12345678")
    own = OrganisationFactory(name="경북대학교")
    Affiliation.objects.create(person=person, organisation=own, since="2020-03-01")
    app = complete_application()
    lead = app.consortium.members.get(role="lead")
    services.set_people(
        actor=app.consortium.contacts.get(),
        application_id=app.pk,
        rows=[
            {"member": lead.pk, "role": "pi", "name": "김철수", "researcher_number": "12345678"},
            {"member": lead.pk, "role": "researcher", "name": "박새봄", "researcher_number": "87654321"},
        ],
    )
    # The affiliation is the application's (its member), not the people's.
    assert list(person.affiliations.values_list("organisation__name", flat=True)) == ["경북대학교"]
    assert not Affiliation.objects.filter(person__researcher_number="87654321").exists()
    assert set(
        ApplicationPerson.objects.filter(application=app).values_list("member__organisation", flat=True)
    ) == {lead.organisation_id}

"""Nobody acts for a body they do not belong to (issue 13, item 8): province-slot squatting.

The attack: any signed-in user (a reviewer included) registers a second "경상북도", forms a
consortium with it, adds the real 경상북도 as a lead local government without its consent and
submits, so that the real 경상북도's own application is refused for its slot."""

import pytest

from consortia import services
from consortia.choices import OrganisationType
from consortia.exceptions import InvalidInput
from consortia.models import Application, CoLeadInvitation, ConsortiumMember, Organisation, OrganisationStaff
from consortia.rules import check_application
from evaluations.permissions import is_reviewer_in_call
from tests.factories import (
    CallFactory,
    ConsortiumFactory,
    OrganisationFactory,
    ReviewerFactory,
    UserFactory,
    complete_application,
    province,
    verified_staff,
)

pytestmark = pytest.mark.django_db

ORGS = "/api/organisations/"
CONSORTIA = "/api/consortia/"


@pytest.fixture
def gyeongbuk():
    return OrganisationFactory(
        name="경상북도", type=OrganisationType.LOCAL_GOVERNMENT, province=province("47")
    )


def test_a_second_local_government_of_a_province_is_refused(api, gyeongbuk):
    squatter = UserFactory()
    ReviewerFactory(user=squatter)
    api.force_authenticate(squatter)
    data = {"name": "경상북도", "type": "local_government", "province": province("47").pk}
    body = api.post(ORGS, data, format="json").json()
    assert "province" in body["fields"] and "경상북도" in body["detail"]
    assert Organisation.objects.filter(type="local_government", province=province("47")).count() == 1
    # Another province's government, or a university in 47, is fine.
    assert (
        api.post(ORGS, {**data, "name": "대구대학교", "type": "university"}, format="json").status_code == 201
    )


def test_registering_a_government_leaves_the_user_unverified_and_unable_to_form_its_consortium(api):
    user = UserFactory()
    api.force_authenticate(user)
    data = {"name": "충청남도", "type": "local_government", "province": province("44").pk}
    gov = api.post(ORGS, data, format="json").json()
    assert OrganisationStaff.objects.get(organisation=gov["id"], user=user).verified_at is None
    response = api.post(CONSORTIA, {"name": "충남 사업단", "representative": gov["id"]}, format="json")
    assert response.status_code == 400 and "representative" in response.json()["fields"]
    admin = UserFactory(is_staff=True, is_superuser=True)
    services.verify_staff(actor=admin, staff_id=OrganisationStaff.objects.get(user=user).pk)
    assert (
        api.post(CONSORTIA, {"name": "충남 사업단", "representative": gov["id"]}, format="json").status_code
        == 201
    )


def test_only_an_administrator_verifies_staff(gyeongbuk):
    row = OrganisationStaff.objects.create(organisation=gyeongbuk, user=UserFactory())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.verify_staff(actor=row.user, staff_id=row.pk)
    assert OrganisationStaff.objects.get(pk=row.pk).verified_at is None


def test_adding_a_local_government_as_lead_needs_its_acceptance(api, gyeongbuk):
    consortium = ConsortiumFactory(
        representative=OrganisationFactory(
            type="local_government", province=province("27"), name="대구광역시"
        )
    )
    contact = consortium.contacts.get()
    api.force_authenticate(contact)
    url = f"{CONSORTIA}{consortium.pk}/"
    added = api.post(
        f"{url}members/", {"organisation": gyeongbuk.pk, "role": "lead_government"}, format="json"
    )
    assert added.status_code == 400 and "organisation" in added.json()["fields"]
    assert not consortium.members.filter(organisation=gyeongbuk).exists()

    invited = api.post(f"{url}invitations/", {"organisation": gyeongbuk.pk}, format="json")
    assert invited.status_code == 201 and invited.json()["state"] == "pending"
    invitation_id = invited.json()["id"]
    # The inviter cannot accept for 경상북도, nor can its unverified "staff".
    assert api.post(f"/api/invitations/{invitation_id}/accept/").status_code == 404
    pretender = UserFactory()
    OrganisationStaff.objects.create(organisation=gyeongbuk, user=pretender)
    api.force_authenticate(pretender)
    assert api.get("/api/invitations/").json()["count"] == 0
    assert api.post(f"/api/invitations/{invitation_id}/accept/").status_code == 404
    assert not consortium.members.filter(organisation=gyeongbuk).exists()

    staff = UserFactory()
    verified_staff(gyeongbuk, staff)
    api.force_authenticate(staff)
    assert [i["id"] for i in api.get("/api/invitations/").json()["results"]] == [invitation_id]
    accepted = api.post(f"/api/invitations/{invitation_id}/accept/")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert consortium.members.get(organisation=gyeongbuk).role == ConsortiumMember.Role.LEAD_GOVERNMENT
    assert CoLeadInvitation.objects.get(pk=invitation_id).decided_by == staff


def test_the_portal_invites_and_the_invited_staff_accept(client, gyeongbuk):
    consortium = ConsortiumFactory(
        representative=OrganisationFactory(
            type="local_government", province=province("27"), name="대구광역시"
        )
    )
    client.force_login(consortium.contacts.get())
    response = client.post(
        f"/my/consortia/{consortium.pk}/",
        {"action": "add_existing", "existing-organisation": gyeongbuk.pk, "existing-role": "lead_government"},
    )
    assert response.status_code == 302
    assert not consortium.members.filter(organisation=gyeongbuk).exists()
    invitation = CoLeadInvitation.objects.get(consortium=consortium, organisation=gyeongbuk)
    assert "경상북도" in client.get(f"/my/consortia/{consortium.pk}/").content.decode()

    staff = UserFactory()
    verified_staff(gyeongbuk, staff)
    client.force_login(staff)
    home = client.get("/my/").content.decode()
    assert f'data-id="{invitation.pk}"' in home
    response = client.post(f"/my/invitations/{invitation.pk}/accept/")
    assert response.status_code == 302
    assert consortium.members.get(organisation=gyeongbuk).role == "lead_government"


def test_the_squatters_whole_attack_fails(api, gyeongbuk):
    call = CallFactory()
    squatter = UserFactory()
    ReviewerFactory(user=squatter)
    api.force_authenticate(squatter)
    # 1. A second 경상북도: refused.
    fake = {"name": "경상북도", "type": "local_government", "province": province("47").pk}
    assert api.post(ORGS, fake, format="json").status_code == 400
    # 2. A consortium led by the real one: not its verified staff.
    response = api.post(CONSORTIA, {"name": "가짜 사업단", "representative": gyeongbuk.pk}, format="json")
    assert response.status_code == 400
    # 3. The real 경상북도's own application is not blocked.
    real = complete_application(call=call, province_code="47")
    assert not [f for f in check_application(real) if f.rule == "province_slot"]


def test_a_reviewer_in_the_calls_pool_cannot_apply_to_it():
    app = complete_application()
    contact = app.consortium.contacts.get()
    ReviewerFactory(user=contact)
    assert is_reviewer_in_call(contact, app.call)
    with pytest.raises(InvalidInput) as caught:
        services.submit_application(actor=contact, application_id=app.pk)
    assert "call" in caught.value.fields
    with pytest.raises(InvalidInput):
        services.create_application(
            actor=contact, consortium_id=app.consortium_id, call=app.call, track=app.track, title="또 하나"
        )
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_a_consortium_with_a_reviewer_among_its_contacts_cannot_submit():
    app = complete_application()
    reviewer = UserFactory(name="이지훈")
    ReviewerFactory(user=reviewer)
    app.consortium.contacts.add(reviewer)
    with pytest.raises(InvalidInput) as caught:
        services.submit_application(
            actor=app.consortium.contacts.exclude(pk=reviewer.pk).get(), application_id=app.pk
        )
    assert "consortium" in caught.value.fields
    assert Application.objects.get(pk=app.pk).state == "draft"


def test_only_verified_staff_of_the_representative_submit_for_it():
    app = complete_application()
    colleague = UserFactory()  # a contact of the consortium, not staff of the government
    app.consortium.contacts.add(colleague)
    with pytest.raises(InvalidInput) as caught:
        services.submit_application(actor=colleague, application_id=app.pk)
    assert "consortium" in caught.value.fields
    services.submit_application(
        actor=app.consortium.contacts.exclude(pk=colleague.pk).get(), application_id=app.pk
    )
    assert Application.objects.get(pk=app.pk).state == "submitted"

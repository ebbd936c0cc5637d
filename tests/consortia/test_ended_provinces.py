"""Ended provinces name their successor in every refusal; the organisation admin goes through the
service the API uses; a province correction is logged with old and new values (issue 13, item 7)."""

import datetime as dt

import pytest
from django.utils import translation

from consortia.choices import OrganisationType
from consortia.models import Organisation, OrganisationProvinceChange
from consortia.rules import check_application
from programs import services as program_services
from programs.models import Province, ProvinceCorrection
from tests.factories import KST, CallFactory, OrganisationFactory, UserFactory, complete_application, province

pytestmark = pytest.mark.django_db

GWANGJU_ENDED = "광주광역시 (29) ended on 2026-06-30; its successor is 전남광주통합특별시 (12)."
ORGS = "/api/organisations/"
ADMIN_ORGS = "/admin/consortia/organisation/"
# The staff inline's management form, and the empty optional fields.
BLANKS = {
    "name_en": "",
    "department": "",
    "business_number": "",
    "staff_memberships-TOTAL_FORMS": "0",
    "staff_memberships-INITIAL_FORMS": "0",
}


def gwangju() -> Province:
    return Province.objects.get(code="29")


def test_the_api_refuses_an_ended_province_naming_its_successor(api):
    api.force_authenticate(UserFactory())
    data = {"name": "광주대학교", "type": "university", "province": gwangju().pk}
    body = api.post(ORGS, data, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["fields"]["province"] == [GWANGJU_ENDED]
    korean = api.post(ORGS, data, format="json").json()
    assert "전남광주통합특별시 (12)" in korean["fields"]["province"][0]
    assert "2026-06-30" in korean["fields"]["province"][0]
    assert not Organisation.objects.filter(name="광주대학교").exists()


@pytest.mark.parametrize("code", ["42", "45", "29", "46"])
def test_the_admin_refuses_an_organisation_in_an_ended_province(client, code):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    ended = Province.objects.get(code=code)
    data = {"name": "옛 도의 기관", "type": "university", "province": ended.pk}
    response = client.post(f"{ADMIN_ORGS}add/", {**data, **BLANKS}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["province"]
    assert "its successor is" in errors[0] and f"({code})" in errors[0]
    assert not Organisation.objects.filter(name="옛 도의 기관").exists()


def test_the_admin_creates_and_moves_an_organisation_through_the_service(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    data = {"name": "대구대학교", "type": "university", "province": province("27").pk}
    response = client.post(f"{ADMIN_ORGS}add/", {**data, **BLANKS})
    assert response.status_code == 302, response.context["adminform"].form.errors
    org = Organisation.objects.get(name="대구대학교")
    assert not org.staff.exists()  # the administrator registered it for others
    # A second local government of 경상북도 is refused, as in the API.
    OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT, province=province("47"), name="경상북도")
    squat = {**data, "name": "경상북도", "type": "local_government", "province": province("47").pk}
    response = client.post(f"{ADMIN_ORGS}add/", {**squat, **BLANKS})
    assert response.status_code == 200 and "province" in response.context["adminform"].form.errors
    # A relocation is a move with its history.
    change = {**data, **BLANKS, "province": province("47").pk}
    response = client.post(f"{ADMIN_ORGS}{org.pk}/change/", change)
    assert response.status_code == 302
    move = OrganisationProvinceChange.objects.get(organisation=org)
    assert (move.from_province.code, move.to_province.code) == ("27", "47")


def test_the_rule_check_names_the_successor_of_an_ended_lead_province():
    call = CallFactory(
        opens_at=dt.datetime(2026, 8, 1, 9, tzinfo=KST), closes_at=dt.datetime(2026, 12, 31, 18, tzinfo=KST)
    )
    app = complete_application(call=call)
    Organisation.objects.filter(pk=app.consortium.representative_id).update(province=gwangju())
    with translation.override("en"):
        messages = [f.message for f in check_application(app) if f.rule == "lead.province_ended"]
    assert len(messages) == 1 and messages[0].endswith(GWANGJU_ENDED)


def test_an_administrator_corrects_a_code_and_the_change_is_logged(client):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    new = Province.objects.get(code="12")
    program_services.correct_province(actor=admin_user, province_id=new.pk, code="13")
    row = ProvinceCorrection.objects.get(province=new)
    assert (row.field, row.old_value, row.new_value, row.actor) == ("code", "12", "13", admin_user)
    # Through the admin as well, with the same log.
    client.force_login(admin_user)
    page = client.get(f"/admin/programs/province/{new.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data.update(
        {
            "code": "12",
            "effective_from": "2026-07-01",
            "effective_to": "",
            "succeeded_by-TOTAL_FORMS": "0",
            "succeeded_by-INITIAL_FORMS": "0",
        }
    )
    response = client.post(f"/admin/programs/province/{new.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Province.objects.get(pk=new.pk).code == "12"
    assert "12 → 13" in client.get(f"/admin/programs/province/{new.pk}/change/").content.decode()
    assert [(c.old_value, c.new_value) for c in ProvinceCorrection.objects.filter(province=new)] == [
        ("13", "12"),
        ("12", "13"),
    ]


def test_only_an_administrator_corrects_a_province():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        program_services.correct_province(
            actor=UserFactory(is_staff=True), province_id=gwangju().pk, code="99"
        )

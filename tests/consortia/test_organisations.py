import datetime as dt

import pytest

from consortia import services
from consortia.exceptions import InvalidInput
from consortia.models import Organisation, OrganisationProvinceChange
from programs.models import Province
from tests.factories import OrganisationFactory, UserFactory, province, verified_staff

pytestmark = pytest.mark.django_db


def test_business_number_is_stored_normalised():
    org = services.create_organisation(
        actor=UserFactory(),
        name="(주)테스트",
        type="sme",
        province=province("47"),
        business_number="123-45-67891",
    )
    assert org.business_number == "1234567891"


def test_wrong_check_digit_is_refused_and_nothing_saved():
    with pytest.raises(InvalidInput) as caught:
        services.create_organisation(
            actor=UserFactory(),
            name="(주)오류",
            type="sme",
            province=province("47"),
            business_number="123-45-67890",
        )
    assert "business_number" in caught.value.fields
    assert not Organisation.objects.filter(name="(주)오류").exists()


def test_a_firm_needs_a_business_number():
    with pytest.raises(InvalidInput) as caught:
        services.create_organisation(
            actor=UserFactory(), name="(주)무번호", type="startup", province=province("47")
        )
    assert "business_number" in caught.value.fields


def test_an_abolished_province_is_refused():
    with pytest.raises(InvalidInput) as caught:
        services.create_organisation(
            actor=UserFactory(),
            name="광주시청",
            type="local_government",
            province=Province.objects.get(code="29"),
        )
    assert "province" in caught.value.fields


def test_organisations_move_to_the_successor_and_keep_their_history():
    gwangju = Province.objects.get(code="29")
    org = OrganisationFactory(province=gwangju)
    moved = services.move_organisations_to_successors(on=dt.date(2026, 7, 1))
    assert moved == 1
    org.refresh_from_db()
    assert org.province.code == "12"
    change = OrganisationProvinceChange.objects.get(organisation=org)
    assert (change.from_province, change.effective_on) == (gwangju, dt.date(2026, 7, 1))
    assert services.move_organisations_to_successors(on=dt.date(2026, 7, 1)) == 0


def test_a_business_number_registered_twice_is_refused_on_its_field():
    actor = UserFactory()
    services.create_organisation(
        actor=actor, name="(주)첫째", type="sme", province=province("47"), business_number="1234567891"
    )
    with pytest.raises(InvalidInput) as caught:
        services.create_organisation(
            actor=actor, name="(주)둘째", type="sme", province=province("47"), business_number="123-45-67891"
        )
    assert "business_number" in caught.value.fields


def test_the_same_researcher_twice_is_refused_and_nothing_saved():
    from tests.factories import complete_application

    app = complete_application()
    member = app.consortium.members.get(role="lead").pk
    row = {"member": member, "role": "researcher", "name": "김연구", "researcher_number": "12345678"}
    with pytest.raises(InvalidInput) as caught:
        services.set_people(actor=app.consortium.contacts.get(), application_id=app.pk, rows=[row, dict(row)])
    assert "rows.1.researcher_number" in caught.value.fields
    assert not app.people.exists()


def test_registering_a_member_is_all_or_nothing():
    from consortia.models import Consortium

    gov = OrganisationFactory(type="local_government")
    actor = UserFactory()
    verified_staff(gov, actor)
    consortium = services.create_consortium(actor=actor, name="사업단", representative=gov)
    with pytest.raises(InvalidInput):
        services.register_member(
            actor=actor,
            consortium_id=consortium.pk,
            role="no-such-role",
            name="(주)신규",
            type="sme",
            province=province("47"),
            business_number="1234567891",
        )
    assert not Organisation.objects.filter(name="(주)신규").exists()
    member = services.register_member(
        actor=actor,
        consortium_id=consortium.pk,
        role="partner",
        name="(주)신규",
        type="sme",
        province=province("47"),
        business_number="1234567891",
    )
    assert member.organisation.business_number == "1234567891"
    with pytest.raises(InvalidInput) as caught:
        services.create_consortium_with_new_government(
            actor=actor,
            name="새 사업단",
            government_name="광주광역시",
            province=Province.objects.get(code="29"),
        )
    assert "government_province" in caught.value.fields
    assert not Consortium.objects.filter(name="새 사업단").exists()

import datetime as dt

import pytest

from programs import reference_data, services
from programs.models import Province, Region
from programs.selectors import province_successors, provinces_in_force
from tests.factories import OrganisationFactory, UserFactory, default_scheme

pytestmark = pytest.mark.django_db
D = dt.date


def codes(qs) -> list[str]:
    return sorted(p.code for p in qs)


def test_twenty_rows_sixteen_in_force_today():
    assert Province.objects.count() == 20
    assert codes(provinces_in_force(on=D(2026, 11, 25))) == sorted(
        [
            "11",
            "26",
            "27",
            "28",
            "30",
            "31",
            "36",
            "41",
            "43",
            "44",
            "47",
            "48",
            "50",
            "51",
            "52",
            "12",
        ]
    )


@pytest.mark.parametrize(
    ("day", "present", "absent"),
    [
        (D(2023, 6, 10), "42", "51"),
        (D(2023, 6, 11), "51", "42"),
        (D(2024, 1, 17), "45", "52"),
        (D(2024, 1, 18), "52", "45"),
        (D(2026, 6, 30), "29", "12"),
        (D(2026, 7, 1), "12", "46"),
    ],
)
def test_province_changes_take_effect_on_their_day(day, present, absent):
    in_force = codes(provinces_in_force(on=day))
    assert present in in_force
    assert absent not in in_force
    assert len(in_force) == (17 if day <= D(2026, 6, 30) else 16)


def test_what_a_province_became():
    gwangju = Province.objects.get(code="29")
    jeonnam = Province.objects.get(code="46")
    assert codes(province_successors(province=gwangju, on=D(2026, 11, 25))) == ["12"]
    assert codes(province_successors(province=jeonnam, on=D(2026, 11, 25))) == ["12"]
    assert province_successors(province=gwangju, on=D(2026, 6, 30)) == [gwangju]
    gangwon = Province.objects.get(code="42")
    assert codes(province_successors(province=gangwon, on=D(2026, 1, 1))) == ["51"]


def test_loading_twice_changes_nothing():
    before = Province.objects.count(), Region.objects.count()
    reference_data.load()
    reference_data.load()
    assert (Province.objects.count(), Region.objects.count()) == before


def test_default_scheme_is_five_plus_two_and_honam_holds_every_period():
    scheme = default_scheme()
    assert scheme.regions.count() == 7
    honam = scheme.regions.get(code="honam")
    assert codes(honam.provinces.all()) == ["12", "29", "45", "46", "52"]
    assert scheme.regions.get(code="capital").is_capital_area


def test_future_merger_is_data_not_code():
    daejeon = Province.objects.get(code="30")
    chungnam = Province.objects.get(code="44")
    merged = services.record_province_change(
        predecessors=[daejeon, chungnam],
        code="34",
        name="대전충남통합특별시",
        name_en="Daejeon-Chungnam",
        effective_from=D(2027, 7, 1),
    )
    assert codes(provinces_in_force(on=D(2027, 6, 30))).count("30") == 1
    after = codes(provinces_in_force(on=D(2027, 7, 1)))
    assert "34" in after and "30" not in after and "44" not in after
    assert len(after) == 15
    assert codes(province_successors(province=daejeon, on=D(2027, 7, 1))) == ["34"]
    assert default_scheme().regions.get(code="chungcheong").provinces.filter(pk=merged.pk).exists()


def test_admin_corrects_a_code_without_losing_history(client):
    jg = Province.objects.get(name="전남광주통합특별시")
    org = OrganisationFactory(province=jg)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/programs/province/{jg.pk}/change/")
    assert page.status_code == 200
    data = {
        "code": "13",
        "name": jg.name,
        "name_en": jg.name_en,
        "effective_from": "2026-07-01",
        "effective_to": "",
        "succeeded_by-TOTAL_FORMS": "0",
        "succeeded_by-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/programs/province/{jg.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    org.refresh_from_db()
    assert org.province.code == "13"
    assert Province.objects.get(code="29").successors.get().code == "13"
    # The correction is logged with its old and new values.
    assert [(c.field, c.old_value, c.new_value) for c in jg.corrections.all()] == [("code", "12", "13")]


def test_admin_refuses_a_province_that_ends_before_it_starts(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/programs/province/add/",
        {
            "code": "99",
            "name": "가상도",
            "name_en": "Nowhere",
            "effective_from": "2027-01-01",
            "effective_to": "2026-01-01",
            "succeeded_by-TOTAL_FORMS": "0",
            "succeeded_by-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not Province.objects.filter(code="99").exists()


def test_admin_records_a_future_merger_in_the_admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    empty = {"succeeded_by-TOTAL_FORMS": "0", "succeeded_by-INITIAL_FORMS": "0"}
    response = client.post(
        "/admin/programs/province/add/",
        {
            "code": "34",
            "name": "대전충남통합특별시",
            "name_en": "Daejeon-Chungnam",
            "effective_from": "2027-07-01",
            **empty,
        },
    )
    assert response.status_code == 302
    merged = Province.objects.get(code="34")
    for old in Province.objects.filter(code__in=["30", "44"]):
        response = client.post(
            f"/admin/programs/province/{old.pk}/change/",
            {
                "code": old.code,
                "name": old.name,
                "name_en": old.name_en,
                "effective_from": old.effective_from.isoformat(),
                "effective_to": "2027-06-30",
                "succeeded_by-TOTAL_FORMS": "1",
                "succeeded_by-INITIAL_FORMS": "0",
                "succeeded_by-0-successor": merged.pk,
                "succeeded_by-0-predecessor": old.pk,
            },
        )
        assert response.status_code == 302, response.content[:3000]
    assert codes(province_successors(province=Province.objects.get(code="44"), on=D(2027, 7, 1))) == ["34"]
    assert len(provinces_in_force(on=D(2027, 7, 1))) == 15
    chungcheong = default_scheme().regions.get(code="chungcheong")
    assert chungcheong.provinces.filter(pk=merged.pk).exists()  # took its predecessors' region

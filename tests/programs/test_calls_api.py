import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from programs.models import Call
from tests.factories import (
    KST,
    ApplicationFactory,
    CallFactory,
    ConsortiumFactory,
    ProgramFactory,
    UserFactory,
    officer_of,
    submitted,
)

pytestmark = pytest.mark.django_db
CALLS = "/api/calls/"


def payload(program, **overrides):
    data = {
        "program": program.code,
        "code": "megaproject-2027",
        "year": 2027,
        "title": "2027년 메가프로젝트 공모",
        "opens_at": "2027-03-02T09:00:00+09:00",
        "closes_at": "2027-04-30T18:00:00+09:00",
        "eligible_regions": ["honam", "dongnam"],
        "tracks": [
            {
                "code": "super-regional",
                "name": "초광역협력형",
                "national_cap_per_year_krw": 2_000_000_000,
                "duration_years": 3,
                "min_provinces": 2,
            },
            {
                "code": "leap",
                "name": "지역혁신도약형",
                "national_cap_per_year_krw": 1_850_000_000,
                "duration_years": 3,
            },
        ],
        "matching_rules": [
            {
                "numerator_local_cash": True,
                "comparison": "gte",
                "percent": "20.00",
                "base_national": True,
                "base_local_cash": True,
            }
        ],
        "member_requirements": [{"organisation_type": "university", "min_count": 1}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def program():
    return ProgramFactory()


@pytest.fixture
def officer(program):
    return officer_of(program)


def test_officer_creates_a_call_with_tracks_and_rules(api, program, officer):
    api.force_authenticate(officer)
    response = api.post(CALLS, payload(program), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [t["code"] for t in body["tracks"]] == ["super-regional", "leap"]
    assert (
        body["matching_rules"][0]["description"].startswith("지방비")
        or "%" in body["matching_rules"][0]["description"]
    )
    # Opening 2027-03-02: 호남 = 전북 52 and 전남광주 12; 동남 = 26, 31, 48.
    assert sorted(body["provinces_in_force"]) == ["12", "26", "31", "48", "52"]
    assert body["status"] == "upcoming"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_at": "2027-03-01T18:00:00+09:00"}, "closes_at"),
        ({"closes_at": "2027-03-02T09:00:00+09:00"}, "closes_at"),
        ({"eligible_regions": ["atlantis"]}, "eligible_regions"),
        ({"eligible_regions": []}, "eligible_regions"),
        ({"eligible_provinces": ["99"]}, "eligible_provinces"),
        ({"year": 1800}, "year"),
        ({"stage": "second"}, "parent"),
    ],
)
def test_invalid_call_is_a_400_with_the_field(api, program, officer, overrides, field):
    api.force_authenticate(officer)
    response = api.post(CALLS, payload(program, **overrides), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert field in body["fields"], body
    assert not Call.objects.exists()


def test_negative_cap_is_refused_on_its_track_field(api, program, officer):
    data = payload(program)
    data["tracks"][0]["national_cap_per_year_krw"] = -1
    api.force_authenticate(officer)
    response = api.post(CALLS, data, format="json")
    assert response.status_code == 400
    assert "tracks.0.national_cap_per_year_krw" in response.json()["fields"]
    assert not Call.objects.exists()


def test_province_not_in_force_on_opening_date_is_refused(api, program, officer):
    # 광주광역시 (29) ended 2026-06-30.
    api.force_authenticate(officer)
    response = api.post(CALLS, payload(program, eligible_provinces=["29"]), format="json")
    assert response.status_code == 400
    assert (
        "not in force" in response.json()["fields"]["eligible_provinces"][0]
        or response.json()["fields"]["eligible_provinces"]
    )
    assert not Call.objects.exists()
    # The same province is fine for a call that opened while it was in force.
    old = payload(
        program,
        opens_at="2026-03-02T09:00:00+09:00",
        closes_at="2026-04-30T18:00:00+09:00",
        eligible_provinces=["29"],
    )
    assert api.post(CALLS, old, format="json").status_code == 201


def test_province_outside_the_eligible_regions_is_refused(api, program, officer):
    api.force_authenticate(officer)
    response = api.post(CALLS, payload(program, eligible_provinces=["11"]), format="json")
    assert response.status_code == 400
    assert "eligible_provinces" in response.json()["fields"]


def test_rules_cannot_change_after_the_first_submission(api):
    call = CallFactory()
    officer = officer_of(call.program)
    api.force_authenticate(officer)
    assert api.patch(f"{CALLS}{call.code}/", {"cutoff_score": "75.00"}, format="json").status_code == 200
    submitted(ApplicationFactory(call=call))
    response = api.patch(f"{CALLS}{call.code}/", {"cutoff_score": "60.00"}, format="json")
    assert response.status_code == 400
    assert "cutoff_score" in response.json()["fields"]
    tracks = [
        {"code": "leap", "name": "x", "national_cap_per_year_krw": 1, "duration_years": 3},
    ]
    response = api.patch(f"{CALLS}{call.code}/", {"tracks": tracks}, format="json")
    assert response.status_code == 400
    assert "tracks" in response.json()["fields"]
    call.refresh_from_db()
    assert str(call.cutoff_score) == "75.00"
    assert call.tracks.count() == 2
    # The title is not a rule: a typo can still be fixed.
    assert api.patch(f"{CALLS}{call.code}/", {"title": "정정된 제목"}, format="json").status_code == 200


def test_guideline_upload_checks_content_not_name(api):
    call = CallFactory()
    api.force_authenticate(officer_of(call.program))
    fake = SimpleUploadedFile("guide.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
    response = api.put(f"{CALLS}{call.code}/guideline/", {"guideline": fake}, format="multipart")
    assert response.status_code == 400
    assert "guideline" in response.json()["fields"]
    pdf = SimpleUploadedFile("guide.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = api.put(f"{CALLS}{call.code}/guideline/", {"guideline": pdf}, format="multipart")
    assert response.status_code == 200
    assert response.json()["guideline_url"] == f"/calls/{call.pk}/guideline/"


# --- permissions, from the outside ---------------------------------------------------------


def applicant():
    return ConsortiumFactory().contacts.first()


ROLES = {
    "applicant": applicant,
    "reviewer": lambda: UserFactory(reviewer=True),
    "other_officer": lambda: officer_of(ProgramFactory()),
}


def test_anonymous_gets_nothing(api, program):
    call = CallFactory(program=program)
    for url in (
        CALLS,
        f"{CALLS}{call.code}/",
        "/api/programs/",
        "/api/provinces/",
        "/api/region-schemes/",
    ):
        assert api.get(url).status_code in (401, 403), url
    assert api.post(CALLS, payload(program), format="json").status_code in (401, 403)


@pytest.mark.parametrize("role", ROLES)
def test_non_officers_read_calls_but_cannot_create_or_change(api, program, role):
    call = CallFactory(program=program)
    api.force_authenticate(ROLES[role]())
    assert api.get(CALLS).status_code == 200
    assert api.get(f"{CALLS}{call.code}/").status_code == 200
    assert api.post(CALLS, payload(program), format="json").status_code == 403
    assert api.patch(f"{CALLS}{call.code}/", {"title": "hijack"}, format="json").status_code == 403
    pdf = SimpleUploadedFile("g.pdf", b"%PDF-1.4\n", content_type="application/pdf")
    assert (
        api.put(f"{CALLS}{call.code}/guideline/", {"guideline": pdf}, format="multipart").status_code == 403
    )
    assert Call.objects.get(pk=call.pk).title == call.title
    assert Call.objects.count() == 1


def test_guessed_ids_are_404(api, officer):
    api.force_authenticate(officer)
    assert api.get(f"{CALLS}no-such-call/").status_code == 404
    assert api.patch(f"{CALLS}no-such-call/", {"title": "x"}, format="json").status_code == 404
    assert api.get("/api/provinces/99/successors/").status_code == 404


def test_status_filter_lists_open_calls(api, program):
    now = dt.datetime.now(tz=KST)
    open_call = CallFactory(program=program)
    CallFactory(program=program, opens_at=now + dt.timedelta(days=3), closes_at=now + dt.timedelta(days=9))
    api.force_authenticate(applicant())
    body = api.get(CALLS, {"status": "open"}).json()
    assert [c["id"] for c in body["results"]] == [open_call.pk]


def test_call_list_queries_are_bounded(api, program, django_assert_max_num_queries):
    for _ in range(15):
        CallFactory(program=program)
    api.force_authenticate(applicant())
    with django_assert_max_num_queries(14):
        response = api.get(CALLS)
    assert response.json()["count"] == 15


def test_reference_lists_are_bounded(api, django_assert_max_num_queries):
    api.force_authenticate(applicant())
    with django_assert_max_num_queries(6):
        assert api.get("/api/provinces/", {"all": "1"}).json()["count"] == 20
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/region-schemes/").json()["results"][0]["regions"]) == 7
    assert api.get("/api/provinces/", {"on": "2026-06-30"}).json()["count"] == 17
    bad = api.get("/api/provinces/", {"on": "yesterday"})
    assert bad.status_code == 400 and "on" in bad.json()["fields"]


# --- codes, not row ids ------------------------------------------------------------------------


def test_a_call_names_provinces_regions_and_program_by_code(api, program, officer):
    api.force_authenticate(officer)
    body = api.post(CALLS, payload(program, eligible_provinces=["12"]), format="json").json()
    assert body["code"] == "megaproject-2027" and body["program"] == program.code
    assert body["eligible_regions"] == ["honam", "dongnam"] or sorted(body["eligible_regions"]) == [
        "dongnam",
        "honam",
    ]
    assert body["eligible_provinces"] == ["12"]
    assert api.get(f"{CALLS}megaproject-2027/").json()["id"] == body["id"]
    assert [c["code"] for c in api.get(CALLS, {"program": program.code}).json()["results"]] == [
        "megaproject-2027"
    ]


def test_a_second_call_with_the_same_code_is_a_400(api, program, officer):
    api.force_authenticate(officer)
    assert api.post(CALLS, payload(program), format="json").status_code == 201
    response = api.post(CALLS, payload(program, year=2028), format="json")
    assert response.status_code == 400 and "code" in response.json()["fields"]


def test_editing_a_track_by_code_keeps_its_row(api):
    call = CallFactory()
    api.force_authenticate(officer_of(call.program))
    before = {t.code: t.pk for t in call.tracks.all()}
    application = ApplicationFactory(call=call, track=call.tracks.get(code="leap"))  # a draft points at it
    tracks = [
        {
            "code": "leap",
            "name": "지역혁신도약형(개정)",
            "national_cap_per_year_krw": 1_500_000_000,
            "duration_years": 3,
        },
        {
            "code": "super-regional",
            "name": "초광역협력형",
            "national_cap_per_year_krw": 2_000_000_000,
            "duration_years": 3,
        },
        {
            "code": "super-gap",
            "name": "초격차창출형",
            "national_cap_per_year_krw": 3_000_000_000,
            "duration_years": 5,
        },
    ]
    response = api.patch(f"{CALLS}{call.code}/", {"tracks": tracks}, format="json")
    assert response.status_code == 200, response.json()
    after = {t.code: t for t in call.tracks.all()}
    assert after["leap"].pk == before["leap"] and after["super-regional"].pk == before["super-regional"]
    assert (
        after["leap"].name == "지역혁신도약형(개정)"
        and after["leap"].national_cap_per_year_krw == 1_500_000_000
    )
    assert "super-gap" in after
    assert type(application).objects.get(pk=application.pk).track_id == before["leap"]


def test_removing_a_track_with_applications_is_a_400_not_a_500(api):
    call = CallFactory()
    api.force_authenticate(officer_of(call.program))
    ApplicationFactory(call=call, track=call.tracks.get(code="leap"))
    tracks = [
        {
            "code": "super-regional",
            "name": "초광역협력형",
            "national_cap_per_year_krw": 1,
            "duration_years": 3,
        }
    ]
    response = api.patch(f"{CALLS}{call.code}/", {"tracks": tracks}, format="json")
    assert response.status_code == 400 and "tracks" in response.json()["fields"]
    assert set(call.tracks.values_list("code", flat=True)) == {"leap", "super-regional"}


def test_province_successors_by_code(api):
    api.force_authenticate(applicant())
    body = api.get("/api/provinces/29/successors/").json()
    assert [p["code"] for p in body] == ["12"]
    listed = {p["code"]: p for p in api.get("/api/provinces/", {"all": "1"}).json()["results"]}
    assert listed["46"]["successors"] == ["12"]


def test_per_firm_cost_sharing_is_a_call_rule_frozen_with_the_others(api):
    call = CallFactory()
    api.force_authenticate(officer_of(call.program))
    res = api.patch(f"{CALLS}{call.code}/", {"per_firm_cost_sharing": True}, format="json")
    assert res.status_code == 200 and res.json()["per_firm_cost_sharing"] is True
    submitted(ApplicationFactory(call=call))
    res = api.patch(f"{CALLS}{call.code}/", {"per_firm_cost_sharing": False}, format="json")
    assert res.status_code == 400 and "per_firm_cost_sharing" in res.json()["fields"]

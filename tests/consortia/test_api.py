import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from consortia import services
from consortia.choices import OrganisationType
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationPerson,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    Organisation,
)
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ConsortiumFactory,
    OrganisationFactory,
    ProgramFactory,
    TrackFactory,
    UserFactory,
    complete_application,
    officer_of,
    submitted,
    verified_staff,
)

pytestmark = pytest.mark.django_db

ORGS = "/api/organisations/"
CONSORTIA = "/api/consortia/"
APPS = "/api/applications/"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def contact(app: Application):
    return app.consortium.contacts.first()


def pdf(name: str = "plan.pdf", body: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def members(app: Application) -> dict[str, ConsortiumMember]:
    """The members of a complete_application() by role: lead_government, lead, partner."""
    return {m.role: m for m in app.consortium.members.all()}


def budget_rows(app: Application, **overrides) -> list[dict]:
    m = members(app)
    rows = []
    for year in (2027, 2028, 2029):  # calendar years: the factory's call is of 2026
        rows += [
            {"member": m["lead"].pk, "year": year, "national_krw": 800_000_000},
            {
                "member": m["partner"].pk,
                "year": year,
                "national_krw": 200_000_000,
                "private_cash_krw": 100_000_000,
                "private_in_kind_krw": 50_000_000,
            },
            {"member": m["lead_government"].pk, "year": year, "local_cash_krw": 250_000_000},
        ]
    rows[0].update(overrides)
    return rows


def with_document(app: Application) -> ApplicationDocument:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the file is stored after commit
        return services.upload_document(
            actor=contact(app), application_id=app.pk, kind="proposal", upload=pdf()
        )


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) - {"failures"} == {"detail", "code", "fields"} and body["detail"], body
    if field:
        assert field in body["fields"], body
    return body


# --- organisations ---------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["123-45-67891", "1234567891"])
def test_applicant_registers_a_firm_with_its_business_number_normalised(api, given):
    user = UserFactory()
    api.force_authenticate(user)
    data = {"name": "(주)경북배터리", "type": "sme", "province": "47", "business_number": given}
    response = api.post(ORGS, data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["business_number"] == "1234567891"
    assert body["province"] == "47"
    assert Organisation.objects.get(pk=body["id"]).staff.get() == user
    assert [o["id"] for o in api.get(ORGS).json()["results"]] == [body["id"]]


def test_wrong_check_digit_is_a_400_on_business_number(api):
    api.force_authenticate(UserFactory())
    data = {
        "name": "(주)가짜",
        "type": "sme",
        "province": "47",
        "business_number": "123-45-67890",
    }
    body = assert_error(
        api.post(ORGS, data, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400, "business_number"
    )
    assert "check digit" in body["fields"]["business_number"][0]
    body = assert_error(api.post(ORGS, data, format="json"), 400, "business_number")
    assert "검증번호" in body["fields"]["business_number"][0]  # Korean by default
    assert not Organisation.objects.filter(name="(주)가짜").exists()


def test_firm_without_business_number_and_unknown_province_are_400s(api):
    api.force_authenticate(UserFactory())
    data = {"name": "(주)무번호", "type": "startup", "province": "47"}
    assert_error(api.post(ORGS, data, format="json"), 400, "business_number")
    assert_error(api.post(ORGS, {**data, "province": 424242}, format="json"), 400, "province")


def test_a_business_number_is_registered_once(api):
    api.force_authenticate(UserFactory())
    data = {"name": "(주)하나", "type": "sme", "province": "47", "business_number": "1234567891"}
    assert api.post(ORGS, data, format="json").status_code == 201
    assert_error(api.post(ORGS, {**data, "business_number": "123-45-67891"}, format="json"), 400)
    assert Organisation.objects.filter(business_number="1234567891").count() == 1


def test_organisation_list_is_own_unless_searching(api):
    user = UserFactory()
    own = OrganisationFactory(name="경북대학교")
    own.staff.add(user)
    gov = OrganisationFactory(name="경상북도", type=OrganisationType.LOCAL_GOVERNMENT)
    OrganisationFactory(name="경북테크노파크", type=OrganisationType.PUBLIC_AGENCY)
    api.force_authenticate(user)
    assert [o["id"] for o in api.get(ORGS).json()["results"]] == [own.pk]
    found = api.get(ORGS, {"q": "경"}).json()
    assert found["count"] == 3
    by_type = api.get(ORGS, {"q": "경", "type": "local_government"}).json()["results"]
    assert [o["id"] for o in by_type] == [gov.pk]
    assert_error(api.get(ORGS, {"type": "castle"}), 400, "type")


# --- consortia -------------------------------------------------------------------------------


def test_applicant_creates_a_consortium_and_manages_its_members(api):
    user = UserFactory()
    gov = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT)
    uni = OrganisationFactory(name="포항공과대학교")
    api.force_authenticate(user)
    # Only the local government's own staff may form its consortium.
    response = api.post(CONSORTIA, {"name": "경북 이차전지 사업단", "representative": gov.pk}, format="json")
    assert response.status_code == 400 and "representative" in response.json()["fields"]
    gov.staff.add(user)  # registered as staff, not yet verified by an administrator
    response = api.post(CONSORTIA, {"name": "경북 이차전지 사업단", "representative": gov.pk}, format="json")
    assert response.status_code == 400 and "representative" in response.json()["fields"]
    verified_staff(gov, user)
    response = api.post(CONSORTIA, {"name": "경북 이차전지 사업단", "representative": gov.pk}, format="json")
    assert response.status_code == 201, response.json()
    consortium = response.json()
    assert [(m["organisation"]["id"], m["role"]) for m in consortium["members"]] == [
        (gov.pk, "lead_government")
    ]
    assert [c["id"] for c in api.get(CONSORTIA).json()["results"]] == [consortium["id"]]

    url = f"{CONSORTIA}{consortium['id']}/"
    added = api.post(f"{url}members/", {"organisation": uni.pk, "role": "lead"}, format="json")
    assert added.status_code == 201, added.json()
    assert added.json()["organisation"]["name"] == "포항공과대학교"
    detail = api.get(url).json()
    assert {m["organisation"]["name"] for m in detail["members"]} == {gov.name, "포항공과대학교"}
    assert detail["members"][1]["organisation"]["province"] == "47"

    again = api.post(f"{url}members/", {"organisation": uni.pk, "role": "partner"}, format="json")
    assert_error(again, 400, "organisation")
    assert api.delete(f"{url}members/{added.json()['id']}/").status_code == 204
    representative = ConsortiumMember.objects.get(consortium=consortium["id"], organisation=gov)
    assert_error(api.delete(f"{url}members/{representative.pk}/"), 400, "members")
    assert list(
        Consortium.objects.get(pk=consortium["id"]).members.values_list("organisation", flat=True)
    ) == [gov.pk]


def test_consortium_must_be_led_by_a_local_government(api):
    api.force_authenticate(UserFactory())
    response = api.post(CONSORTIA, {"name": "x", "representative": OrganisationFactory().pk}, format="json")
    assert_error(response, 400, "representative")


def test_members_are_frozen_while_an_application_is_submitted(api):
    app = submitted(complete_application())
    api.force_authenticate(contact(app))
    response = api.post(
        f"{CONSORTIA}{app.consortium_id}/members/",
        {"organisation": OrganisationFactory().pk, "role": "partner"},
        format="json",
    )
    assert_error(response, 400)


# --- applications: drafts --------------------------------------------------------------------


def test_applicant_starts_a_draft(api):
    consortium = ConsortiumFactory()
    call = CallFactory()
    track = call.tracks.get(code="leap")
    api.force_authenticate(consortium.contacts.get())
    data = {
        "consortium": consortium.pk,
        "call": call.code,
        "track": track.code,
        "title": "이차전지 소재 메가프로젝트",
    }
    response = api.post(APPS, data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["track"]["code"] == "leap"
    assert Application.objects.get(pk=body["id"]).created_by == consortium.contacts.get()


def test_track_of_another_call_and_another_consortium_are_400s(api):
    consortium = ConsortiumFactory()
    call, other_call = CallFactory(), CallFactory()
    api.force_authenticate(consortium.contacts.get())
    other_call.tracks.create(
        code="super-gap", name="초격차창출형", national_cap_per_year_krw=1, duration_years=3
    )
    data = {"consortium": consortium.pk, "call": call.code, "track": "super-gap", "title": "x"}
    assert_error(api.post(APPS, data, format="json"), 400, "track")
    stranger = ConsortiumFactory()
    data = {"consortium": stranger.pk, "call": call.code, "track": "leap", "title": "x"}
    assert_error(api.post(APPS, data, format="json"), 400, "consortium")
    assert not Application.objects.exists()


def test_application_list_filters_by_call_track_and_state(api):
    consortium = ConsortiumFactory()
    call, other_call = CallFactory(), CallFactory()
    leap = call.tracks.get(code="leap")
    super_regional = call.tracks.get(code="super-regional")
    a = ApplicationFactory(consortium=consortium, call=call, track=leap)
    b = submitted(ApplicationFactory(consortium=consortium, call=call, track=super_regional))
    c = ApplicationFactory(consortium=consortium, call=other_call)
    ApplicationFactory(call=call)  # another consortium's
    api.force_authenticate(consortium.contacts.get())

    def ids(**params):
        return {r["id"] for r in api.get(APPS, params).json()["results"]}

    assert ids() == {a.pk, b.pk, c.pk}
    assert ids(call=call.code) == {a.pk, b.pk}
    assert ids(call=call.code, track=leap.code) == {a.pk}
    assert ids(state="submitted") == {b.pk}
    assert_error(api.get(APPS, {"state": "approved"}), 400, "state")


def test_application_detail_has_everything(api):
    app = complete_application()
    m = members(app)
    services.set_people(
        actor=contact(app),
        application_id=app.pk,
        rows=[
            {"member": m["lead"].pk, "role": "director", "name": "김연구", "researcher_number": "10000001"}
        ],
    )
    services.set_kpi_targets(
        actor=contact(app), application_id=app.pk, rows=[{"indicator": "new_jobs", "year": 1, "value": 30}]
    )
    services.set_milestones(actor=contact(app), application_id=app.pk, rows=[{"year": 1, "title": "시제품"}])
    doc = with_document(app)
    api.force_authenticate(contact(app))
    body = api.get(f"{APPS}{app.pk}/").json()
    assert {
        (x["role"], x["organisation"]["type"], x["organisation"]["province"]) for x in body["members"]
    } == {
        ("lead_government", "local_government", "47"),
        ("lead", "university", "47"),
        ("partner", "sme", "47"),
    }
    assert len(body["budget_lines"]) == 9
    year2 = body["budget_totals"][1]
    assert {k: v for k, v in year2.items() if k != "ratios"} == {
        "year": 2028,
        "plan_year": 2,
        "national_krw": 1_000_000_000,
        "local_cash_krw": 250_000_000,
        "private_cash_krw": 100_000_000,
        "private_in_kind_krw": 50_000_000,
        "total_krw": 1_400_000_000,
        "national_cap_krw": 2_000_000_000,
        "cap_ok": True,
    }
    # Each matching ratio with its rule, exact: 250,000,000 of 1,250,000,000 is 20.00%.
    assert [
        (r["rule"], r["numerator_krw"], r["base_krw"], r["percent"], r["ok"]) for r in year2["ratios"]
    ] == [("matching.local_share", 250_000_000, 1_250_000_000, "20.00%", True)]
    assert [(p["name"], p["role"]) for p in body["people"]] == [("김연구", "director")]
    assert body["kpi_targets"] == [
        {"id": body["kpi_targets"][0]["id"], "indicator": "new_jobs", "year": 2027, "value": 30}
    ]
    assert body["milestones"][0]["title"] == "시제품"
    assert body["documents"][0]["download_url"] == f"{APPS}{app.pk}/documents/{doc.pk}/download/"
    assert body["events"] == []


def test_applicant_edits_the_basics_of_a_draft_but_not_its_state(api):
    app = ApplicationFactory()
    api.force_authenticate(contact(app))
    response = api.patch(f"{APPS}{app.pk}/", {"summary": "요약", "state": "selected"}, format="json")
    assert response.status_code == 200, response.json()
    app = Application.objects.get(pk=app.pk)
    assert (app.summary, app.state) == ("요약", "draft")
    assert_error(api.patch(f"{APPS}{app.pk}/", {"title": ""}, format="json"), 400, "title")


def test_applicant_replaces_budget_kpis_milestones_and_people(api):
    app = complete_application()
    m = members(app)
    api.force_authenticate(contact(app))
    url = f"{APPS}{app.pk}/"
    response = api.put(f"{url}budget/", {"rows": budget_rows(app, national_krw=700_000_000)}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["budget_totals"][0]["national_krw"] == 900_000_000
    assert BudgetLine.objects.filter(application=app).count() == 9

    kpis = [
        {"indicator": "new_jobs", "year": 2027, "value": 10},
        {"indicator": "patents_filed", "year": 2029, "value": 5},
    ]
    response = api.put(f"{url}kpis/", {"rows": kpis}, format="json")
    assert response.status_code == 200, response.json()
    assert [(k["indicator"], k["year"], k["value"]) for k in response.json()["kpi_targets"]] == [
        ("new_jobs", 2027, 10),
        ("patents_filed", 2029, 5),
    ]

    milestones = [{"year": 2028, "title": "실증", "description": "포항"}]
    response = api.put(f"{url}milestones/", {"rows": milestones}, format="json")
    assert response.status_code == 200 and response.json()["milestones"][0]["description"] == "포항"

    people = [
        {"member": m["lead"].pk, "role": "director", "name": "김연구", "researcher_number": "10000001"},
        {"member": m["partner"].pk, "role": "pi", "name": "이책임", "researcher_number": "10000002"},
    ]
    response = api.put(f"{url}people/", {"rows": people}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(p["researcher_number"] for p in response.json()["people"]) == ["10000001", "10000002"]


def test_negative_money_is_a_400_on_its_field_and_saves_nothing(api):
    app = complete_application()
    api.force_authenticate(contact(app))
    response = api.put(f"{APPS}{app.pk}/budget/", {"rows": budget_rows(app, national_krw=-1)}, format="json")
    assert_error(response, 400, "rows.0.national_krw")
    assert (
        BudgetLine.objects.get(application=app, member=members(app)["lead"], year=1).national_krw
        == 800_000_000
    )


def test_year_outside_the_duration_is_a_400_on_its_row(api):
    app = complete_application()
    api.force_authenticate(contact(app))
    rows = budget_rows(app)
    rows[4]["year"] = 2030
    response = api.put(f"{APPS}{app.pk}/budget/", {"rows": rows}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    body = assert_error(response, 400, "rows.4.year")
    assert "between 2027 and 2029" in body["fields"]["rows.4.year"][0]
    milestones = {"rows": [{"year": 2026, "title": "x"}]}
    assert_error(api.put(f"{APPS}{app.pk}/milestones/", milestones, format="json"), 400, "rows.0.year")
    kpis = {"rows": [{"indicator": "new_jobs", "year": 2035, "value": 1}]}
    assert_error(api.put(f"{APPS}{app.pk}/kpis/", kpis, format="json"), 400, "rows.0.year")
    assert BudgetLine.objects.filter(application=app).count() == 9


def test_people_with_a_bad_or_repeated_researcher_number_are_400s(api):
    app = complete_application()
    lead = members(app)["lead"].pk
    api.force_authenticate(contact(app))
    url = f"{APPS}{app.pk}/people/"
    bad = {"rows": [{"member": lead, "role": "pi", "name": "김", "researcher_number": "12ab"}]}
    assert_error(api.put(url, bad, format="json"), 400, "rows.0.researcher_number")
    twice = {
        "rows": [
            {"member": lead, "role": "pi", "name": "김", "researcher_number": "10000001"},
            {"member": lead, "role": "researcher", "name": "김", "researcher_number": "10000001"},
        ]
    }
    assert_error(api.put(url, twice, format="json"), 400, "rows.1.researcher_number")
    assert ApplicationPerson.objects.filter(application=app).count() == 1  # the factory's director


def test_submitted_application_cannot_be_edited(api):
    app = submitted(complete_application())
    api.force_authenticate(contact(app))
    assert_error(api.put(f"{APPS}{app.pk}/budget/", {"rows": budget_rows(app)}, format="json"), 400)
    assert_error(api.patch(f"{APPS}{app.pk}/", {"title": "x"}, format="json"), 400)


# --- documents -------------------------------------------------------------------------------


def test_applicant_uploads_downloads_and_deletes_a_document(api, django_capture_on_commit_callbacks):
    app = ApplicationFactory()
    api.force_authenticate(contact(app))
    url = f"{APPS}{app.pk}/documents/"
    with django_capture_on_commit_callbacks(execute=True):  # the file is stored after commit
        response = api.post(url, {"kind": "proposal", "file": pdf("사업계획서.pdf")}, format="multipart")
    assert response.status_code == 201, response.json()
    doc = response.json()
    assert (doc["content_type"], doc["original_name"], doc["size"]) == (
        "application/pdf",
        "사업계획서.pdf",
        len(PDF),
    )

    download = api.get(doc["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]

    assert api.delete(f"{url}{doc['id']}/").status_code == 204
    assert not ApplicationDocument.objects.exists()
    assert api.get(doc["download_url"]).status_code == 404


def test_an_exe_renamed_pdf_is_refused(api):
    app = ApplicationFactory()
    api.force_authenticate(contact(app))
    fake = pdf("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode.")
    data = {"kind": "proposal", "file": fake}
    response = api.post(f"{APPS}{app.pk}/documents/", data, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    body = assert_error(response, 400, "file")
    assert "content" in body["fields"]["file"][0]
    assert not ApplicationDocument.objects.exists()


def test_a_file_over_the_limit_is_refused(api, settings):
    settings.DOCUMENT_MAX_BYTES = 1024  # stands in for 30 MB against the 20 MB limit
    app = ApplicationFactory()
    api.force_authenticate(contact(app))
    big = pdf("plan.pdf", PDF + b"0" * 2048)
    response = api.post(f"{APPS}{app.pk}/documents/", {"kind": "proposal", "file": big}, format="multipart")
    assert_error(response, 400, "file")
    assert_error(
        api.post(f"{APPS}{app.pk}/documents/", {"kind": "cv", "file": pdf()}, format="multipart"), 400, "kind"
    )
    assert not ApplicationDocument.objects.exists()


def test_a_real_30_mb_pdf_is_refused_against_the_default_limit(api):
    app = ApplicationFactory()
    api.force_authenticate(contact(app))
    big = pdf("plan.pdf", PDF + b"0" * (30 * 1024 * 1024))
    response = api.post(f"{APPS}{app.pk}/documents/", {"kind": "proposal", "file": big}, format="multipart")
    assert_error(response, 400, "file")
    assert not ApplicationDocument.objects.exists()


# --- applications: workflow ------------------------------------------------------------------


def test_check_lists_every_failure(api):
    app = complete_application()
    api.force_authenticate(contact(app))
    assert api.get(f"{APPS}{app.pk}/check/").json() == {"ok": True, "failures": []}
    app.budget_lines.filter(year=2, local_cash_krw__gt=0).update(local_cash_krw=1)
    body = api.get(f"{APPS}{app.pk}/check/").json()
    assert body["ok"] is False
    assert [(f["rule"], f["field"], f["year"]) for f in body["failures"]] == [
        ("matching.local_share", "budget.2028", 2028)
    ]
    assert body["failures"][0]["message"]


def test_applicant_submits_and_gets_a_receipt(api, django_capture_on_commit_callbacks, mailoutbox):
    app = complete_application()
    user = contact(app)
    api.force_authenticate(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{APPS}{app.pk}/submit/")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "submitted"
    assert [(e["from_state"], e["to_state"]) for e in response.json()["events"]] == [("draft", "submitted")]
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert_error(api.post(f"{APPS}{app.pk}/submit/"), 400, "state")


def test_submit_with_a_broken_matching_ratio_is_a_400_per_year(api):
    app = complete_application()
    app.budget_lines.filter(year=2, local_cash_krw__gt=0).update(local_cash_krw=1)
    api.force_authenticate(contact(app))
    body = assert_error(api.post(f"{APPS}{app.pk}/submit/"), 400, "budget.2028")
    assert "budget.2027" not in body["fields"] and "budget.2029" not in body["fields"]
    assert Application.objects.get(pk=app.pk).state == "draft"
    # The refusal names each rule, with the same objects as /check/.
    assert body["failures"] == api.get(f"{APPS}{app.pk}/check/").json()["failures"]
    assert [(f["rule"], f["year"]) for f in body["failures"]] == [("matching.local_share", 2028)]


def test_a_refusal_lists_every_problem_at_once_each_with_its_rule(api):
    app = complete_application()
    app.budget_lines.filter(year=2, local_cash_krw__gt=0).update(local_cash_krw=1)
    app.budget_lines.filter(year=3, national_krw=800_000_000).update(national_krw=5_000_000_000)
    app.consortium.members.filter(role="lead").update(role="partner")
    api.force_authenticate(contact(app))
    body = assert_error(api.post(f"{APPS}{app.pk}/submit/"), 400)
    rules = {f["rule"] for f in body["failures"]}
    assert {"matching.local_share", "budget.cap", "members.lead_institution"} <= rules


def test_rule_codes_are_an_enum_in_the_schema(api):
    from consortia.rule_codes import RuleCode

    schema = api.get("/api/schema/", {"format": "json"}).json()
    enum = schema["components"]["schemas"]["RuleEnum"]["enum"]
    assert set(enum) == set(RuleCode.values)
    submit = schema["paths"]["/api/applications/{id}/submit/"]["post"]["responses"]
    assert submit["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/RefusalOut")
    assert "failures" in schema["components"]["schemas"]["RefusalOut"]["properties"]


def test_applicant_withdraws_with_a_reason_on_the_timeline(api):
    app = submitted(complete_application())
    user = contact(app)
    api.force_authenticate(user)
    response = api.post(f"{APPS}{app.pk}/withdraw/", {"reason": "컨소시엄 재구성"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    events = api.get(f"{APPS}{app.pk}/events/").json()["results"]
    assert [(e["from_state"], e["to_state"], e["reason"], e["actor"]) for e in events] == [
        ("submitted", "withdrawn", "컨소시엄 재구성", {"id": user.pk, "name": user.get_full_name()})
    ]
    assert events[0]["at"]


def test_officer_screens_reviews_and_selects_with_reasons(api):
    app = submitted(complete_application())
    officer = officer_of(app.call.program, name="박담당")
    api.force_authenticate(officer)
    url = f"{APPS}{app.pk}/decide/"
    assert api.post(url, {"step": "start_screening"}, format="json").status_code == 200
    assert api.post(url, {"step": "start_review"}, format="json").status_code == 200
    assert_error(api.post(url, {"step": "select"}, format="json"), 400, "reason")
    assert_error(api.post(url, {"step": "start_screening"}, format="json"), 400, "state")
    assert_error(api.post(url, {"step": "approve"}, format="json"), 400, "step")
    response = api.post(url, {"step": "select", "reason": "평가 1위"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "selected"
    events = api.get(f"{APPS}{app.pk}/events/").json()["results"]
    assert {e["actor"]["id"] for e in events} == {officer.pk}
    assert [(e["to_state"], e["reason"], e["actor"]["name"]) for e in events] == [
        ("screening", "", "박담당"),
        ("under_review", "", "박담당"),
        ("selected", "평가 1위", "박담당"),
    ]


def test_applicant_cannot_decide_its_own_application(api):
    app = submitted(complete_application())
    api.force_authenticate(contact(app))
    assert_error(api.post(f"{APPS}{app.pk}/decide/", {"step": "start_screening"}, format="json"), 403)
    assert Application.objects.get(pk=app.pk).state == "submitted"


# --- permissions, from the outside -----------------------------------------------------------


def endpoints(app: Application, doc: ApplicationDocument) -> list[tuple[str, str, dict | None]]:
    """Every endpoint about one application or its consortium: (method, url, body)."""
    a, c = f"{APPS}{app.pk}/", f"{CONSORTIA}{app.consortium_id}/"
    partner = members(app)["partner"]
    return [
        ("get", c, None),
        ("post", f"{c}members/", {"organisation": OrganisationFactory().pk, "role": "partner"}),
        ("delete", f"{c}members/{partner.pk}/", None),
        ("get", a, None),
        ("patch", a, {"title": "hijacked"}),
        ("put", f"{a}budget/", {"rows": []}),
        ("put", f"{a}kpis/", {"rows": []}),
        ("put", f"{a}milestones/", {"rows": []}),
        ("put", f"{a}people/", {"rows": []}),
        ("post", f"{a}documents/", None),
        ("get", f"{a}documents/{doc.pk}/download/", None),
        ("delete", f"{a}documents/{doc.pk}/", None),
        ("get", f"{a}check/", None),
        ("post", f"{a}submit/", None),
        ("post", f"{a}withdraw/", {"reason": "x"}),
        ("post", f"{a}decide/", {"step": "start_screening"}),
        ("get", f"{a}events/", None),
    ]


def send(api, method: str, url: str, body: dict | None):
    if method == "get":
        return api.get(url)
    if url.endswith("/documents/"):
        return api.post(url, {"kind": "other", "file": pdf()}, format="multipart")
    return getattr(api, method)(url, body, format="json")


def assert_untouched(app: Application, doc: ApplicationDocument) -> None:
    fresh = Application.objects.get(pk=app.pk)
    assert (fresh.state, fresh.title) == ("draft", app.title)
    assert fresh.budget_lines.count() == 9
    assert fresh.consortium.members.count() == 3
    assert list(fresh.documents.all()) == [doc]


@pytest.fixture
def theirs():
    app = complete_application()
    return app, with_document(app)


def test_anonymous_gets_nothing(api, theirs):
    app, doc = theirs
    for method, url, body in [
        *endpoints(app, doc),
        ("get", ORGS, None),
        ("get", CONSORTIA, None),
        ("get", APPS, None),
    ]:
        assert send(api, method, url, body).status_code in (401, 403), (method, url)
    for url in (ORGS, CONSORTIA, APPS):
        assert api.post(url, {}, format="json").status_code in (401, 403), url
    assert_untouched(app, doc)


OUTSIDERS = {
    "applicant_of_another_consortium": lambda app: complete_application().consortium.contacts.get(),
    "reviewer": lambda app: UserFactory(reviewer=True),
    "officer_of_another_program": lambda app: officer_of(ProgramFactory()),
}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_for_guessed_ids_everywhere(api, theirs, who):
    app, doc = theirs
    api.force_authenticate(OUTSIDERS[who](app))
    for method, url, body in endpoints(app, doc):
        response = send(api, method, url, body)
        assert response.status_code == 404, (method, url, response.content)
        assert response.json()["fields"] == {}
    assert app.pk not in {a["id"] for a in api.get(APPS).json()["results"]}
    assert app.consortium_id not in {c["id"] for c in api.get(CONSORTIA).json()["results"]}
    assert_untouched(app, doc)


def test_guessed_ids_look_like_missing_ones(api, theirs):
    app, doc = theirs
    mine = complete_application()
    api.force_authenticate(contact(mine))
    for guessed, missing in (
        (f"{APPS}{app.pk}/", f"{APPS}424242/"),
        (f"{APPS}{app.pk}/documents/{doc.pk}/download/", f"{APPS}424242/documents/{doc.pk}/download/"),
        (f"{APPS}{mine.pk}/documents/{doc.pk}/download/", f"{APPS}{mine.pk}/documents/424242/download/"),
        (f"{CONSORTIA}{app.consortium_id}/", f"{CONSORTIA}424242/"),
    ):
        a, b = api.get(guessed), api.get(missing)
        assert (a.status_code, a.json()) == (b.status_code, b.json()) == (404, b.json()), guessed
    # A member of their consortium through my consortium's URL is not found either.
    partner = members(app)["partner"]
    assert api.delete(f"{CONSORTIA}{mine.consortium_id}/members/{partner.pk}/").status_code == 404
    assert_untouched(app, doc)


def test_officer_of_the_calls_program_reads_and_decides_but_cannot_edit(api, theirs):
    app, doc = theirs
    officer = officer_of(app.call.program)
    api.force_authenticate(officer)
    a = f"{APPS}{app.pk}/"
    assert [r["id"] for r in api.get(APPS).json()["results"]] == [app.pk]
    assert api.get(a).status_code == 200
    assert api.get(f"{a}check/").json()["ok"] is True
    assert api.get(f"{a}events/").status_code == 200
    assert api.get(f"{a}documents/{doc.pk}/download/").status_code == 200
    assert api.get(f"{CONSORTIA}{app.consortium_id}/").status_code == 200

    assert_error(api.put(f"{a}budget/", {"rows": budget_rows(app, national_krw=1)}, format="json"), 403)
    assert_error(api.patch(a, {"title": "officer's title"}, format="json"), 403)
    assert_error(send(api, "post", f"{a}documents/", None), 403)
    assert_error(api.delete(f"{a}documents/{doc.pk}/"), 403)
    assert_error(api.post(f"{a}submit/"), 403)
    assert_error(api.post(f"{a}withdraw/", {}, format="json"), 403)
    partner = members(app)["partner"]
    assert_error(api.delete(f"{CONSORTIA}{app.consortium_id}/members/{partner.pk}/"), 403)
    assert_untouched(app, doc)

    submitted(app)
    response = api.post(f"{a}decide/", {"step": "start_screening"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "screening"


# --- bounded queries -------------------------------------------------------------------------


def test_application_list_queries_are_bounded(api, django_assert_max_num_queries):
    consortium = ConsortiumFactory()
    call = CallFactory()
    for _ in range(20):
        ApplicationFactory(consortium=consortium, call=call)
    for user in (consortium.contacts.get(), officer_of(call.program)):
        api.force_authenticate(user)
        with django_assert_max_num_queries(3):
            response = api.get(APPS)
        assert response.json()["count"] == 20


def test_consortium_list_queries_are_bounded(api, django_assert_max_num_queries):
    user = UserFactory()
    for _ in range(15):
        consortium = ConsortiumFactory(contacts=[user])
        for role in ("lead", "partner", "subcontractor"):
            ConsortiumMember.objects.create(
                consortium=consortium, organisation=OrganisationFactory(), role=role
            )
    api.force_authenticate(user)
    with django_assert_max_num_queries(3):
        response = api.get(CONSORTIA)
    assert response.json()["count"] == 15
    assert all(len(c["members"]) == 4 for c in response.json()["results"])


def test_organisation_search_queries_are_bounded(api, django_assert_max_num_queries):
    for _ in range(30):
        OrganisationFactory(name="검색 대상")
    api.force_authenticate(UserFactory())
    with django_assert_max_num_queries(3):  # count, page, and the provinces' short names
        assert api.get(ORGS, {"q": "검색"}).json()["count"] == 30


def test_application_detail_queries_are_bounded(api, django_assert_max_num_queries):
    call = CallFactory()
    TrackFactory(call=call, code="long", duration_years=10)
    app = complete_application(call=call, track_code="long")
    for _ in range(12):
        member = ConsortiumMember.objects.create(
            consortium=app.consortium, organisation=OrganisationFactory(), role="subcontractor"
        )
        BudgetLine.objects.bulk_create(
            BudgetLine(application=app, member=member, year=y, national_krw=1_000_000) for y in range(1, 11)
        )
    lead = members(app)["lead"].pk
    services.set_people(
        actor=contact(app),
        application_id=app.pk,
        rows=[
            {
                "member": lead,
                "role": "researcher",
                "name": f"연구자{i}",
                "researcher_number": f"200000{i:02d}",
            }
            for i in range(10)
        ],
    )
    services.set_kpi_targets(
        actor=contact(app),
        application_id=app.pk,
        rows=[{"indicator": "papers", "year": y, "value": y} for y in range(1, 11)],
    )
    with_document(app)
    api.force_authenticate(contact(app))
    with django_assert_max_num_queries(13):  # 12 + the lead provinces as submitted
        body = api.get(f"{APPS}{app.pk}/").json()
    assert len(body["members"]) == 15
    assert len(body["budget_lines"]) == 150
    assert [t["year"] for t in body["budget_totals"]] == list(range(2027, 2037))


def test_timeline_and_program_lists_are_bounded(api, django_assert_max_num_queries):
    from consortia.models import ApplicationEvent
    from tests.factories import ProgramFactory, UserFactory

    app = ApplicationFactory()
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(application=app, actor=UserFactory(), from_state="draft", to_state="submitted")
            for _ in range(25)
        ]
    )
    api.force_authenticate(contact(app))
    with django_assert_max_num_queries(6):
        assert api.get(f"{APPS}{app.pk}/events/").json()["count"] == 25
    ProgramFactory.create_batch(12)
    with django_assert_max_num_queries(3):
        assert api.get("/api/programs/").json()["count"] >= 12


def test_an_integration_creates_an_organisation_in_province_12_by_code(api):
    api.force_authenticate(UserFactory())
    data = {"name": "전남광주통합특별시", "type": "local_government", "province": "12"}
    response = api.post(ORGS, data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["province"] == "12"
    assert response.json()["province_name"] == "전남광주통합특별시"
    # 광주광역시 (29) ended on 2026-06-30: not a province to register in today.
    assert_error(api.post(ORGS, {**data, "province": "29"}, format="json"), 400, "province")


# --- members change in place ----------------------------------------------------------------


def test_a_member_changes_role_and_department_in_place(api):
    app = complete_application()
    partner = members(app)["partner"]
    lines = set(BudgetLine.objects.filter(member=partner).values_list("pk", flat=True))
    api.force_authenticate(contact(app))
    url = f"{CONSORTIA}{app.consortium_id}/members/{partner.pk}/"
    response = api.patch(url, {"role": "subcontractor", "department": "배터리사업부"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["role"], response.json()["department"]) == ("subcontractor", "배터리사업부")
    assert response.json()["id"] == partner.pk
    assert set(BudgetLine.objects.filter(member=partner).values_list("pk", flat=True)) == lines
    assert_error(api.patch(url, {"role": "lead_government"}, format="json"), 400, "role")


def test_removing_a_member_with_rows_asks_for_confirmation(api):
    app = complete_application()
    lead = members(app)["lead"]  # has budget lines and the project director
    api.force_authenticate(contact(app))
    url = f"{CONSORTIA}{app.consortium_id}/members/{lead.pk}/"
    body = assert_error(api.delete(url), 400, "confirm")
    assert "3" in body["detail"]  # three budget lines
    assert ConsortiumMember.objects.filter(pk=lead.pk).exists()
    assert BudgetLine.objects.filter(member=lead).count() == 3
    assert_error(api.delete(f"{url}?confirm=maybe"), 400, "confirm")
    assert api.delete(f"{url}?confirm=true").status_code == 204
    assert not ConsortiumMember.objects.filter(pk=lead.pk).exists()
    assert not BudgetLine.objects.filter(member_id=lead.pk).exists()


# --- no dead ends ------------------------------------------------------------------------------


def test_a_consortium_applies_once_per_call(api):
    app = complete_application()
    api.force_authenticate(contact(app))
    data = {
        "consortium": app.consortium_id,
        "call": app.call.code,
        "track": "super-regional",
        "title": "둘째",
    }
    body = assert_error(api.post(APPS, data, format="json"), 400, "call")
    assert app.title in body["detail"]
    Application.objects.filter(pk=app.pk).update(state=Application.State.WITHDRAWN)
    assert api.post(APPS, data, format="json").status_code == 201


def test_frozen_members_that_a_call_refuses_cannot_start_an_application(api):
    app = submitted(complete_application())  # members frozen: a submitted application
    other = CallFactory()
    other.member_requirements.create(organisation_type="any_research_institute", min_count=1)
    api.force_authenticate(contact(app))
    data = {"consortium": app.consortium_id, "call": other.code, "track": "leap", "title": "다른 공모"}
    body = assert_error(api.post(APPS, data, format="json"), 400, "track")
    assert "frozen" in body["detail"] or "동결" in body["detail"] or body["detail"]
    assert Application.objects.filter(call=other).count() == 0
    # A call its frozen members do meet is fine.
    fine = CallFactory()
    data["call"] = fine.code
    assert api.post(APPS, data, format="json").status_code == 201

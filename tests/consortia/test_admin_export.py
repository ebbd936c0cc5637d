import datetime as dt
import io

import openpyxl
import pytest
from django.db.models import Sum
from django.utils import translation

from consortia import export_jobs, exports
from consortia.models import Application, ApplicationEvent, BudgetLine, ConsortiumMember, Export
from consortia.selectors import SOURCES
from consortia.services import snapshot_lead_provinces
from tests.factories import (
    CallFactory,
    OrganisationFactory,
    UserFactory,
    complete_application,
    officer_of,
    province,
    region,
    submitted,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/consortia/application/"
EXPORT = "/admin/consortia/application/export/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def titles(response) -> set[str]:
    assert response.status_code == 200
    return {a.title for a in response.context["cl"].result_list}


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="applications-')
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def export(client, capture, url=EXPORT, data=None, query=""):
    """Asks for an export (the task runs eagerly on commit), then reads its status page and file."""
    with capture(execute=True):
        response = client.post(url + query, data or {})
    assert response.status_code == 302
    status_url = response["Location"]
    page = client.get(status_url)
    assert page.status_code == 200 and "export-download" in page.content.decode()
    return sheet(client.get(status_url + "download/"))


@pytest.fixture
def two_programs():
    """Two applications to the officer's call (47 submitted, 48 draft), one to another program's."""
    call = CallFactory()
    north = submitted(
        complete_application(call=call, title="경북 과제", province_code="47"),
        at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC),
    )
    south = complete_application(call=call, title="경남 과제", province_code="48")
    other = complete_application(title="남의 과제")
    return officer_of(call.program), north, south, other


def test_officer_sees_only_own_programs_applications(client, two_programs):
    officer, north, _south, other = two_programs
    client.force_login(officer)
    assert titles(client.get(CHANGELIST)) == {"경북 과제", "경남 과제"}
    page = client.get(f"{CHANGELIST}{north.pk}/change/")
    assert page.status_code == 200
    assert "30억원" in page.content.decode()  # the national grant of 3 years, in Korean units
    assert client.get(f"{CHANGELIST}{other.pk}/change/").status_code == 302  # "does not exist"
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{north.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Application.objects.filter(pk=north.pk).exists()


def test_superuser_sees_every_application(client, two_programs):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert titles(client.get(CHANGELIST)) == {"경북 과제", "경남 과제", "남의 과제"}


def test_changelist_filters_by_state_region_and_province(client, two_programs):
    officer, north, south, _other = two_programs
    client.force_login(officer)
    assert titles(client.get(CHANGELIST, {"state__exact": "submitted"})) == {"경북 과제"}
    assert titles(client.get(CHANGELIST, {"region": region("daegyeong").pk})) == {"경북 과제"}
    assert titles(client.get(CHANGELIST, {"region": region("dongnam").pk})) == {"경남 과제"}
    assert titles(client.get(CHANGELIST, {"province": province("48").pk})) == {"경남 과제"}
    # Any lead local government counts, not only the representative.
    ConsortiumMember.objects.create(
        consortium=north.consortium,
        organisation=OrganisationFactory(type="local_government", province=province("48")),
        role=ConsortiumMember.Role.LEAD_GOVERNMENT,
    )
    # A submitted application is filtered by its lead provinces as submitted.
    assert titles(client.get(CHANGELIST, {"province": province("48").pk})) == {"경남 과제"}
    snapshot_lead_provinces(Application.objects.select_related("call", "consortium").get(pk=north.pk))
    assert titles(client.get(CHANGELIST, {"province": province("48").pk})) == {"경북 과제", "경남 과제"}
    # The region column: the call's scheme's region of the representative's province.
    rows = {a.title: a.region_name for a in client.get(CHANGELIST).context["cl"].result_list}
    assert rows == {"경북 과제": "대경권", "경남 과제": "동남권"}
    assert titles(client.get(CHANGELIST, {"state__exact": "submitted", "province": province("48").pk})) == {
        "경북 과제"
    }


def test_filter_choices_show_only_the_officers_own_data(client, two_programs):
    officer, north, _south, other = two_programs
    second = complete_application(call=CallFactory(program=north.call.program), province_code="43")
    client.force_login(officer)
    page = client.get(CHANGELIST).content.decode()  # the call filter shows once there are two calls
    assert north.call.title in page and second.call.title in page and other.call.title not in page


def test_changelist_search_by_title_consortium_and_member(client, two_programs):
    officer, north, south, other = two_programs
    client.force_login(officer)
    assert titles(client.get(CHANGELIST, {"q": "경남"})) == {"경남 과제"}
    assert titles(client.get(CHANGELIST, {"q": north.consortium.name})) == {"경북 과제"}
    partner = south.consortium.members.get(role="partner").organisation
    assert titles(client.get(CHANGELIST, {"q": partner.name})) == {"경남 과제"}
    assert titles(client.get(CHANGELIST, {"q": other.title})) == set()


def test_export_has_headers_and_yearly_totals_of_the_budget_lines(
    client, two_programs, django_capture_on_commit_callbacks
):
    officer, north, _south, _other = two_programs
    client.force_login(officer)
    ws = export(client, django_capture_on_commit_callbacks)
    headers = [c.value for c in ws[1]]
    assert headers[:10] == [
        "접수번호",
        "제목",
        "공모",
        "유형",
        "사업단",
        "대표 지방자치단체",
        "시·도",
        "권역",
        "상태",
        "제출 일시",
    ]
    assert all(c.font.bold for c in ws[1]) and ws.freeze_panes == "A2"
    rows = {r[1]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {north.title, _south.title}

    row = rows[north.title]
    assert row["공모"] == north.call.title and row["사업단"] == north.consortium.name
    assert row["시·도"] == "경상북도" and row["권역"] == "대경권"
    assert row["제출 일시"] == dt.datetime(2026, 3, 2, 18, 0)  # 09:00 UTC, written as Seoul time
    with translation.override("ko"):
        for year in (1, 2, 3):
            sums = BudgetLine.objects.filter(application=north, year=year).aggregate(
                **{s: Sum(s) for s in SOURCES}
            )
            for source in SOURCES:
                assert row[exports.year_header(year, source)] == sums[source]
            assert row[exports.year_header(year, None)] == sum(sums.values())
        grand = BudgetLine.objects.filter(application=north).aggregate(**{s: Sum(s) for s in SOURCES})
        assert row[exports.total_header("local_cash_krw")] == grand["local_cash_krw"] == 750_000_000
        assert row[exports.total_header(None)] == sum(grand.values()) == 4_200_000_000
        money_col = headers.index(exports.year_header(1, "national_krw")) + 1
    assert ws.cell(row=2, column=money_col).number_format == "#,##0"


def test_export_respects_filters_search_and_scoping(client, two_programs, django_capture_on_commit_callbacks):
    officer, north, south, other = two_programs
    client.force_login(officer)
    cap = django_capture_on_commit_callbacks
    ws = export(client, cap, query=f"?region={region('dongnam').pk}")
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == [south.title]
    ws = export(client, cap, query="?q=경북")
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == [north.title]
    # The action exports the selection, and an officer cannot select another program's rows.
    data = {"action": "export_xlsx", "_selected_action": [north.pk, other.pk], "index": 0}
    ws = export(client, cap, url=CHANGELIST, data=data)
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == [north.title]


def test_export_is_a_task_with_progress_and_only_its_officer_downloads(
    client, two_programs, django_capture_on_commit_callbacks
):
    officer, north, _south, _other = two_programs
    client.force_login(officer)
    response = client.post(EXPORT)  # on_commit not run: the task is still queued
    status_url = response["Location"]
    export_row = Export.objects.get()
    assert (export_row.status, export_row.rows_total, export_row.requested_by) == ("queued", 2, officer)
    page = client.get(status_url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "export-download" not in page
    assert client.get(status_url + "download/").status_code == 404
    export_jobs.build_export(export_id=export_row.pk)
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "export-download" in fragment
    assert Export.objects.get().rows_done == 2
    export_jobs.build_export(export_id=export_row.pk)  # a redelivered task does nothing
    assert client.get(status_url + "download/").status_code == 200
    # Another officer of the same program, an applicant, a reviewer: not theirs.
    for user in (officer_of(north.call.program), north.consortium.contacts.get(), UserFactory(reviewer=True)):
        client.force_login(user)
        assert client.get(status_url).status_code in (302, 404)
        assert client.get(status_url + "download/").status_code in (302, 404)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(status_url + "download/").status_code == 200


def test_changelist_has_the_export_button(client, two_programs):
    client.force_login(two_programs[0])
    page = client.get(CHANGELIST, {"state__exact": "submitted"}).content.decode()
    assert f'action="{EXPORT}?state__exact=submitted"' in page


def test_applicant_and_reviewer_have_no_admin(client, two_programs):
    _officer, north, _south, _other = two_programs
    for user in (north.consortium.contacts.get(), UserFactory(reviewer=True)):
        client.force_login(user)
        for url in (CHANGELIST, f"{CHANGELIST}{north.pk}/change/", "/admin/consortia/organisation/"):
            assert client.get(url).status_code == 302, url  # to the admin login


def test_staff_without_a_program_cannot_export(client, two_programs):
    client.force_login(UserFactory(is_staff=True))
    assert client.post(EXPORT).status_code == 403
    assert client.get(CHANGELIST).status_code == 403


def test_officer_moves_state_through_actions_with_per_row_failures(client, two_programs):
    officer, north, south, _other = two_programs
    client.force_login(officer)
    response = client.post(
        CHANGELIST,
        {"action": "start_screening", "_selected_action": [north.pk, south.pk], "index": 0},
        follow=True,
    )
    assert Application.objects.get(pk=north.pk).state == "screening"
    assert Application.objects.get(pk=south.pk).state == "draft"
    levels = {(m.level_tag, str(m).split(":")[0]) for m in response.context["messages"]}
    assert ("error", "경남 과제") in levels and any(tag == "success" for tag, _ in levels)
    event = ApplicationEvent.objects.get(application=north)
    assert (event.actor, event.to_state, event.reason) == (officer, "screening", "admin bulk action")


def test_mark_not_selected_asks_for_the_reason(client, two_programs):
    officer, north, _south, _other = two_programs
    client.force_login(officer)
    client.post(CHANGELIST, {"action": "start_screening", "_selected_action": [north.pk], "index": 0})
    page = client.post(
        CHANGELIST, {"action": "mark_not_selected", "_selected_action": [north.pk], "index": 0}
    )
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    assert Application.objects.get(pk=north.pk).state == "screening"
    empty = {"action": "mark_not_selected", "_selected_action": [north.pk], "apply": "1", "reason": " "}
    assert client.post(CHANGELIST, empty).status_code == 200
    assert Application.objects.get(pk=north.pk).state == "screening"
    response = client.post(CHANGELIST, {**empty, "reason": "지역 요건 미충족"})
    assert response.status_code == 302
    assert Application.objects.get(pk=north.pk).state == "not_selected"
    assert north.events.order_by("-id").first().reason == "지역 요건 미충족"


def test_officer_reads_own_programs_consortia_only(client, two_programs):
    officer, north, _south, other = two_programs
    client.force_login(officer)
    page = client.get("/admin/consortia/consortium/").content.decode()
    assert north.consortium.name in page and other.consortium.name not in page
    assert client.get(f"/admin/consortia/consortium/{north.consortium.pk}/change/").status_code == 200
    assert client.get(f"/admin/consortia/consortium/{other.consortium.pk}/change/").status_code == 302
    assert client.get("/admin/consortia/organisation/add/").status_code == 403
    assert client.get("/admin/consortia/person/").status_code == 403
    assert client.get("/admin/consortia/notice/").status_code == 403


def test_reviewer_pool_is_searchable(client):
    call = CallFactory()
    UserFactory(reviewer=True, name="김소재")
    client.force_login(officer_of(call.program))
    response = client.get("/admin/evaluations/reviewer/", {"q": "소재"})
    assert response.status_code == 200 and len(response.context["cl"].result_list) == 1


def test_changelist_queries_do_not_grow_with_rows(client, django_assert_max_num_queries):
    call = CallFactory()
    officer = officer_of(call.program)
    client.force_login(officer)
    complete_application(call=call)
    with django_assert_max_num_queries(20) as few:
        assert client.get(CHANGELIST).status_code == 200
    for code in ["47", "48", "43", "27", "26"] * 3:
        complete_application(call=call, province_code=code)
    assert call.applications.count() == 16 and BudgetLine.objects.filter(year=3).count() == 48
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(CHANGELIST).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(CHANGELIST, {"q": "과제 대학"}).status_code == 200


def test_export_reads_in_chunks_with_queries_per_chunk_not_per_row(
    django_assert_max_num_queries, monkeypatch, tmp_path
):
    call = CallFactory()
    apps = [complete_application(call=call, province_code=code) for code in ["47", "48", "43", "27", "26"]]
    ids = [a.pk for a in apps]
    monkeypatch.setattr(exports, "CHUNK", 2)
    # Years: 1 query per chunk; rows: 2 per chunk (rows, budget sums); 3 chunks.
    with django_assert_max_num_queries(9):
        assert exports.write_applications_xlsx(ids, tmp_path / "x.xlsx") == 5
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == [a.title for a in apps]
    assert ws.max_row == 6

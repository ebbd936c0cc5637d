"""The officer's back office: the case file, documents, workflow steps on the page, notices,
the receipt number, the sidebar, deadline extensions."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from consortia import services
from consortia.models import Application, ApplicationDocument, Notice
from programs.models import Call, DeadlineExtension
from tests.factories import (
    CallFactory,
    ProgramFactory,
    UserFactory,
    complete_application,
    make_panel,
    officer_of,
    submitted,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/consortia/application/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def case():
    """A submitted application with a plan PDF, its program's officer."""
    app = submitted(complete_application(title="경북 이차전지 과제"))
    Application.objects.filter(pk=app.pk).update(receipt_number="2026-LEAP-0001")
    doc = ApplicationDocument(
        application=app,
        kind="proposal",
        original_name="사업계획서.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=app.consortium.contacts.get(),
    )
    doc.file.save("plan.pdf", ContentFile(PDF), save=False)
    doc.save()
    return Application.objects.get(pk=app.pk), doc, officer_of(app.call.program)


def test_officer_reads_the_case_file(client, case, django_assert_max_num_queries):
    app, doc, officer = case
    client.force_login(officer)
    with django_assert_max_num_queries(40):
        page = client.get(f"{CHANGELIST}{app.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "2026-LEAP-0001" in html and "경북 이차전지 과제" in html
    # Year x source in Korean units, totals, each matching ratio against its rule.
    assert "10억원" in html and "42억원" in html and "20.00%" in html and "충족" in html
    assert f"{CHANGELIST}{app.pk}/documents/{doc.pk}/" in html
    assert "inline-group" not in html  # no read-only inline forms
    # Only the step possible from "submitted" is offered.
    assert "start-screening" in html and "start-review" not in html and "/reject/" not in html


def test_case_file_query_count_does_not_grow_with_members_and_lines(
    client, case, django_assert_max_num_queries
):
    app, _doc, officer = case
    client.force_login(officer)
    with django_assert_max_num_queries(60) as first:
        client.get(f"{CHANGELIST}{app.pk}/change/")
    other = submitted(complete_application(call=app.call, province_code="48"))
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(f"{CHANGELIST}{other.pk}/change/").status_code == 200


def test_officer_opens_a_document_inline(client, case):
    app, doc, officer = case
    client.force_login(officer)
    response = client.get(f"{CHANGELIST}{app.pk}/documents/{doc.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF


def test_outsiders_get_no_case_file_and_no_document(client, case):
    app, doc, _officer = case
    other_officer = officer_of(ProgramFactory())
    client.force_login(other_officer)
    assert client.get(f"{CHANGELIST}{app.pk}/change/").status_code == 302  # "does not exist"
    assert client.get(f"{CHANGELIST}{app.pk}/documents/{doc.pk}/").status_code == 404
    for user in (app.consortium.contacts.get(), UserFactory(reviewer=True)):
        client.force_login(user)
        assert client.get(f"{CHANGELIST}{app.pk}/change/").status_code == 302  # to the admin login
        assert client.get(f"{CHANGELIST}{app.pk}/documents/{doc.pk}/").status_code == 302


def test_workflow_steps_on_the_page_ask_then_move_and_tell_the_applicants_once(
    client, case, django_capture_on_commit_callbacks, mailoutbox
):
    app, _doc, officer = case
    client.force_login(officer)
    url = f"{CHANGELIST}{app.pk}/start-screening/"
    dialog = client.get(url)  # the dialog asks first; nothing moves on a GET
    assert dialog.status_code == 200 and Application.objects.get(pk=app.pk).state == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"_form_submitted": "1"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"{CHANGELIST}{app.pk}/change/"
    assert Application.objects.get(pk=app.pk).state == "screening"
    assert [m.subject for m in mailoutbox] == [f"[메가프로젝트] 요건 검토 시작: {app.title}"]
    assert mailoutbox[0].to == [app.consortium.contacts.get().email]
    # The step is gone from the page; the next one is there; the reason is asked before a decision.
    html = client.get(f"{CHANGELIST}{app.pk}/change/").content.decode()
    assert "start-screening" not in html and "start-review" in html
    assert client.post(url, {"_form_submitted": "1"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{CHANGELIST}{app.pk}/start-review/", {"_form_submitted": "1"})
    reject = f"{CHANGELIST}{app.pk}/reject/"
    assert 'name="reason"' in client.get(reject).content.decode()
    client.post(reject, {"_form_submitted": "1", "reason": ""})
    assert Application.objects.get(pk=app.pk).state == "under_review"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reject, {"_form_submitted": "1", "reason": "지역 요건 미충족"})
    app = Application.objects.get(pk=app.pk)
    assert app.state == "not_selected" and app.events.last().reason == "지역 요건 미충족"
    subjects = [m.subject for m in mailoutbox]
    assert subjects[1:] == [
        f"[메가프로젝트] 평가 진행: {app.title}",
        f"[메가프로젝트] 선정 결과 안내: {app.title}",
    ]
    assert "지역 요건 미충족" in mailoutbox[-1].body and "선정되지 않았음" in mailoutbox[-1].body
    # The applicant's page lists them.
    client.force_login(app.consortium.contacts.get())
    page = client.get(f"/my/applications/{app.pk}/").content.decode()
    assert "받은 알림" in page and "선정 결과 안내" in page and "2026-LEAP-0001" in page


def test_each_state_notice_is_queued_exactly_once(case):
    from consortia.notifications import notify_state_change

    app, _doc, officer = case
    services.decide_application(actor=officer, application_id=app.pk, step="start_screening")
    app = Application.objects.get(pk=app.pk)
    notify_state_change(app, event=app.events.last())  # a retry, a double click: the key holds
    assert Notice.objects.filter(application=app, kind="application.screening_started").count() == 1


def test_a_panels_decision_is_told_by_its_result_notice_not_twice(case):
    app, _doc, officer = case
    for step in ("start_screening", "start_review"):
        services.decide_application(actor=officer, application_id=app.pk, step=step)
    make_panel(call=app.call, officer=officer)  # the panel's result notice tells the decision
    services.decide_application(actor=officer, application_id=app.pk, step="reject", reason="패널 결정")
    kinds = sorted(Notice.objects.filter(application=app).values_list("kind", flat=True))
    assert kinds == ["application.screening_started", "application.under_review"]
    # Without a panel, the officer's own decision is told at once.
    other = submitted(complete_application(call=CallFactory(program=app.call.program)))
    for step in ("start_screening", "start_review"):
        services.decide_application(actor=officer, application_id=other.pk, step=step)
    services.decide_application(actor=officer, application_id=other.pk, step="select", reason="우수")
    assert Notice.objects.filter(application=other, kind="application.decision").count() == 1


def test_another_programs_officer_cannot_step(client, case):
    app, _doc, _officer = case
    client.force_login(officer_of(ProgramFactory()))
    response = client.post(f"{CHANGELIST}{app.pk}/start-screening/", {"_form_submitted": "1"})
    assert response.status_code == 403
    assert Application.objects.get(pk=app.pk).state == "submitted"


def test_receipt_numbers_are_assigned_at_submission_per_track(django_capture_on_commit_callbacks):
    call = CallFactory(year=2026)
    first = complete_application(call=call, province_code="47")
    second = complete_application(call=call, province_code="48")
    for app in (first, second):
        with django_capture_on_commit_callbacks(execute=True):
            services.submit_application(actor=app.consortium.contacts.get(), application_id=app.pk)
    numbers = [Application.objects.get(pk=a.pk).receipt_number for a in (first, second)]
    assert numbers == ["2026-LEAP-0001", "2026-LEAP-0002"]


def test_sidebar_shows_only_what_the_user_may_open(client, case):
    _app, _doc, officer = case
    client.force_login(officer)
    html = client.get("/admin/").content.decode()
    assert "메가프로젝트 관리" in html
    assert "/admin/consortia/application/" in html and "/admin/programs/call/" in html
    assert "/admin/accounts/user/" not in html and "/admin/consortia/notice/" not in html
    assert 'href="/admin/consortia/export/"' not in html  # officers reach their exports by their buttons
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/").content.decode()
    assert "/admin/accounts/user/" in html and "/admin/consortia/notice/" in html
    assert 'href="/admin/consortia/export/"' in html


def test_admin_pages_read_korean(client, case):
    app, _doc, officer = case
    client.force_login(officer)
    html = client.get(CHANGELIST).content.decode()
    assert "조회할 신청서 선택" in html and "보기위한" not in html
    html = client.get(f"{CHANGELIST}{app.pk}/change/").content.decode()
    assert "신청서 보기" in html and "뷰 신청서" not in html


# --- deadline extensions -----------------------------------------------------------------------


def test_officer_extends_the_deadline_with_a_reason_and_applicants_are_told(
    client, case, django_capture_on_commit_callbacks, mailoutbox
):
    app, _doc, officer = case
    call = app.call
    draft = complete_application(call=call, province_code="48")
    old = call.closes_at
    new = timezone.localtime(max(old, timezone.now()) + dt.timedelta(days=7)).replace(second=0, microsecond=0)
    client.force_login(officer)
    url = f"/admin/programs/call/{call.pk}/extend-deadline/"
    assert 'name="reason"' in client.get(url).content.decode()
    data = {
        "_form_submitted": "1",
        "closes_at_0": new.strftime("%Y-%m-%d"),
        "closes_at_1": new.strftime("%H:%M:%S"),
        "reason": "집중호우로 인한 연장",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert Call.objects.get(pk=call.pk).closes_at == new
    ext = DeadlineExtension.objects.get()
    assert (ext.old_closes_at, ext.new_closes_at, ext.actor, ext.reason) == (
        old,
        new,
        officer,
        "집중호우로 인한 연장",
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [app.consortium.contacts.get().email, draft.consortium.contacts.get().email]
    )
    assert all("접수 마감 연장" in m.subject and "집중호우" in m.body for m in mailoutbox)
    page = client.get(f"/admin/programs/call/{call.pk}/change/").content.decode()
    assert 'data-testid="deadline-extensions"' in page and "집중호우로 인한 연장" in page


def test_deadline_extension_refuses_earlier_times_and_other_programs(client, case):
    app, _doc, officer = case
    call = app.call
    url = f"/admin/programs/call/{call.pk}/extend-deadline/"
    earlier = timezone.localtime(call.closes_at - dt.timedelta(days=1))
    data = {
        "_form_submitted": "1",
        "closes_at_0": earlier.strftime("%Y-%m-%d"),
        "closes_at_1": earlier.strftime("%H:%M:%S"),
        "reason": "x",
    }
    client.force_login(officer)
    client.post(url, data)
    assert not DeadlineExtension.objects.exists()
    client.force_login(officer_of(ProgramFactory()))
    assert client.post(url, data).status_code in (403, 404)


def test_no_extension_action_before_the_first_submission(client):
    call = CallFactory()
    client.force_login(officer_of(call.program))
    html = client.get(f"/admin/programs/call/{call.pk}/change/").content.decode()
    assert "extend-deadline" not in html and 'data-testid="frozen-rules"' not in html


def test_no_link_on_the_officers_pages_leads_to_a_403(client, case):
    import re

    app, _doc, officer = case
    client.force_login(officer)
    pages = [
        "/admin/",
        CHANGELIST,
        f"{CHANGELIST}{app.pk}/change/",
        f"/admin/programs/call/{app.call_id}/change/",
    ]
    links: set[str] = set()
    for url in pages:
        html = client.get(url).content.decode()
        links |= {h for h in re.findall(r'href="(/admin/[^"#?]*)', html) if "logout" not in h}
    assert len(links) > 10
    for link in sorted(links):
        assert client.get(link).status_code != 403, link

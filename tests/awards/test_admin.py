"""The officers' back office: case page, actions through services, creation, dashboard."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from awards import selectors
from awards.models import Award, Disbursement
from awards.selectors import tranche_balances
from tests.awards.helpers import assert_ledger_agrees, first_tranche, make_award, selected_application
from tests.factories import ProgramFactory, UserFactory, officer_of

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_creates_award_pays_and_grades_in_the_admin():
    app = selected_application()
    officer = officer_of(app.call.program)
    client = login(officer)
    page = client.get("/admin/awards/award/create/")
    assert page.status_code == 200 and app.title in page.content.decode()
    key = page.context["form"].initial["idempotency_key"]
    notified = timezone.localdate() - dt.timedelta(days=40)
    data = {"application": app.pk, "notified_on": notified, "idempotency_key": key}
    res = client.post("/admin/awards/award/create/", data)
    award = Award.objects.get(application=app)
    assert res.status_code == 302 and res["Location"].endswith(f"/admin/awards/award/{award.pk}/case/")
    client.post("/admin/awards/award/create/", data)  # a double submit creates nothing more
    assert Award.objects.count() == 1
    tranche = first_tranche(award)
    res = client.post(
        f"/admin/awards/award/{award.pk}/request/",
        {"tranche": tranche.pk, "amount_krw": 70_000_000, "idempotency_key": "r1"},
    )
    assert res.status_code == 302
    d = Disbursement.objects.get()
    client.post(f"/admin/awards/award/disbursement/{d.pk}/approve/")
    pay = {"paid_on": timezone.localdate(), "reference": "KB-77", "idempotency_key": "p1"}
    client.post(f"/admin/awards/award/disbursement/{d.pk}/pay/", pay)
    client.post(f"/admin/awards/award/disbursement/{d.pk}/pay/", pay)
    assert tranche_balances(tranche.pk).paid_krw == 70_000_000
    res = client.post(
        f"/admin/awards/award/{award.pk}/grade/",
        {"year": 1, "kind": "annual", "code": "C", "decision": "미흡", "idempotency_key": "g1"},
    )
    assert res.status_code == 302
    page = client.get(f"/admin/awards/award/{award.pk}/case/").content.decode()
    assert "KB-77" in page and "7,000만원" in page
    assert_ledger_agrees(award)


def test_bad_amount_in_the_admin_is_a_form_error_that_writes_nothing():
    award = make_award()
    client = login(award.program.officers.get())
    tranche = first_tranche(award)
    res = client.post(
        f"/admin/awards/award/{award.pk}/request/",
        {"tranche": tranche.pk, "amount_krw": 900_000_000, "idempotency_key": "x"},
    )
    assert res.status_code == 200 and res.context["request_form"].errors
    assert not Disbursement.objects.exists()


def test_another_programs_officer_cannot_open_the_case():
    award = make_award()
    client = login(officer_of(ProgramFactory()))
    assert client.get(f"/admin/awards/award/{award.pk}/case/").status_code == 404
    res = client.post(
        f"/admin/awards/award/{award.pk}/grade/",
        {"year": 1, "kind": "annual", "code": "S", "idempotency_key": "k"},
    )
    assert res.status_code == 404
    assert not award.grades.exists()


def test_dashboard_runs_the_same_queries_for_one_award_or_many():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    award = make_award()
    program = award.program
    officer = program.officers.get()
    client = login(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/awards/award/dashboard/").status_code == 200
        return len(queries)

    one = count()
    for _ in range(4):
        make_award(application=selected_application(call=award.call), officer=officer)
    services_done = make_award(application=selected_application(call=award.call), officer=officer)
    from awards import services

    services.record_grade(actor=officer, award_id=services_done.pk, year=1, code="C")
    assert count() == one
    page = client.get("/admin/awards/award/dashboard/")
    data = page.context["data"]
    assert data["totals"]["awarded_krw"] == 6 * 3 * 1_400_000_000 - 420_000_000
    assert [r["region"] for r in data["by_region"]] == ["대경권"]
    assert [a.pk for a in data["attention"]] == [services_done.pk]
    with CaptureQueriesContext(connection) as queries:
        selectors.dashboard(program_ids=[program.pk], on=timezone.localdate())
    assert len(queries) == 4


def test_applicant_sees_payments_and_requests_in_the_portal():
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    client = login(contact)
    page = client.get(f"/my/awards/{award.pk}/")
    key = page.context["form"].initial["idempotency_key"]
    data = {"tranche": first_tranche(award).pk, "amount_krw": 30_000_000, "idempotency_key": key}
    assert client.post(f"/my/awards/{award.pk}/", data).status_code == 302
    assert client.post(f"/my/awards/{award.pk}/", data).status_code == 302  # double submit
    d = Disbursement.objects.get()
    from awards import services

    services.approve_disbursement(actor=officer, disbursement_id=d.pk)
    services.pay_disbursement(
        actor=officer, disbursement_id=d.pk, paid_on=timezone.localdate(), reference="KB-3"
    )
    assert award.title in client.get("/my/awards/").content.decode()
    page = client.get(f"/my/awards/{award.pk}/").content.decode()
    assert "KB-3" in page and "3,000만원" in page
    outsider = login(selected_application().consortium.contacts.get())
    assert outsider.get(f"/my/awards/{award.pk}/").status_code == 404
    assert award.title not in outsider.get("/my/awards/").content.decode()


def test_officer_carries_over_recovers_decides_and_stops_from_the_case_page():
    from awards import services
    from awards.models import AwardChange, Recovery

    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    client = login(officer)
    tranche = first_tranche(award)
    url = f"/admin/awards/award/{award.pk}/act/"
    res = client.post(
        url + "carry_over/", {"from_tranche": tranche.pk, "amount_krw": 10_000_000, "idempotency_key": "c1"}
    )
    assert res.status_code == 302
    assert tranche_balances(tranche.pk).budget_krw == 790_000_000
    d = services.request_disbursement(actor=contact, tranche_id=tranche.pk, amount_krw=20_000_000)
    services.approve_disbursement(actor=officer, disbursement_id=d.pk)
    services.pay_disbursement(
        actor=officer, disbursement_id=d.pk, paid_on=timezone.localdate(), reference="K"
    )
    data = {"tranche": tranche.pk, "amount_krw": 5_000_000, "reason": "목적 외 사용", "idempotency_key": "r1"}
    data["notified_on"] = timezone.localdate()
    assert client.post(url + "recovery/", data).status_code == 302
    recovery = Recovery.objects.get()
    data = {"recovery": recovery.pk, "paid_on": timezone.localdate(), "idempotency_key": "rp"}
    assert client.post(url + "recovery_paid/", data).status_code == 302
    assert tranche_balances(tranche.pk).recovered_krw == 5_000_000
    change = services.file_change(
        actor=contact,
        award_id=award.pk,
        reason="참여기관 제외",
        items=[{"kind": "member_remove", "member": award.members.last().pk}],
    )
    data = {"change": change.pk, "approve": "yes", "reason": "승인", "idempotency_key": "dc"}
    assert client.post(url + "decide_change/", data).status_code == 302
    assert AwardChange.objects.get(pk=change.pk).state == "approved"
    assert not award.members.last().active
    services.record_grade(actor=officer, award_id=award.pk, year=1, code="D")
    res = client.post(url + "stop/", {"action": "confirm", "idempotency_key": "s1"})
    assert res.status_code == 200  # the objection period is still running: refused
    assert Award.objects.get(pk=award.pk).state == "stop_pending"
    res = client.post(url + "stop/", {"action": "resume", "reason": "이의신청 인용", "idempotency_key": "s2"})
    assert Award.objects.get(pk=award.pk).state == "active"
    assert "환수" in client.get(f"/admin/awards/award/{award.pk}/case/").content.decode()
    assert_ledger_agrees(award)


def test_dashboard_exports_its_tables_to_xlsx(django_capture_on_commit_callbacks):
    from tests.export_helpers import export_workbook

    award = make_award()
    client = login(award.program.officers.get())
    book = export_workbook(
        client, django_capture_on_commit_callbacks, "/admin/awards/award/dashboard/export/"
    )
    assert len(book.sheetnames) == 4
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == 1_400_000_000 and len(rows) == 4
    assert login(UserFactory()).post("/admin/awards/award/dashboard/export/").status_code == 302


def test_award_letter_is_a_korean_pdf_and_the_signed_agreement_comes_back():
    import shutil

    from django.core.files.uploadedfile import SimpleUploadedFile

    award = make_award()
    contact = award.consortium.contacts.get()
    client = login(contact)
    if shutil.which("fc-list") is None:  # pragma: no cover - fontconfig comes with Pango
        pytest.skip("no fontconfig")
    res = client.get(f"/my/awards/{award.pk}/letter.pdf")
    assert res.status_code == 200 and res.content.startswith(b"%PDF-")
    not_pdf = SimpleUploadedFile("agreement.pdf", b"hello", content_type="application/pdf")
    res = client.post(
        f"/my/awards/{award.pk}/agreement/", {"file": not_pdf, "signed_on": timezone.localdate()}
    )
    assert res.status_code == 200 and res.context["form"].errors
    pdf = SimpleUploadedFile("agreement.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    res = client.post(f"/my/awards/{award.pk}/agreement/", {"file": pdf, "signed_on": timezone.localdate()})
    assert res.status_code == 302
    award = Award.objects.get(pk=award.pk)
    assert award.signed_on == timezone.localdate() and award.signed_agreement
    outsider = login(selected_application().consortium.contacts.get())
    assert outsider.get(f"/my/awards/{award.pk}/letter.pdf").status_code == 404

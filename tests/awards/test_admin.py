"""The officers' back office: case page, actions through services, creation, dashboard."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from awards import selectors
from awards.models import Award, Disbursement
from awards.selectors import tranche_balances
from tests.awards.helpers import assert_ledger_agrees, first_tranche, make_award, selected_application
from tests.factories import ProgramFactory, officer_of

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


def test_dashboard_runs_a_bounded_number_of_queries(django_assert_max_num_queries):
    award = make_award()
    program = award.program
    officer = program.officers.get()
    for _ in range(4):
        make_award(application=selected_application(call=award.call), officer=officer)
    client = login(officer)
    with django_assert_max_num_queries(14):
        page = client.get("/admin/awards/award/dashboard/")
    assert page.status_code == 200
    data = page.context["data"]
    assert data["totals"]["awarded_krw"] == 5 * 3 * 1_400_000_000
    assert [r["region"] for r in data["by_region"]] == ["대경권"]
    with django_assert_max_num_queries(4):
        selectors.dashboard(program_ids=[program.pk], on=timezone.localdate())


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

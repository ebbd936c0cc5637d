"""The money path through the services, with the ledger invariant checked after every step."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from awards import services
from awards.exceptions import AwardError, InvalidAmount, NotPayable
from awards.models import Award, AwardChange, Grade, LedgerEntry, Recovery, Tranche
from awards.selectors import award_balances, tranche_balances
from consortia.models import Application, Organisation
from programs.deadlines import due_after_days, due_after_months
from tests.awards.helpers import assert_ledger_agrees, first_tranche, make_award, selected_application
from tests.factories import OrganisationFactory, UserFactory, officer_of, province

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_officer_creates_award_from_selected_application():
    app = selected_application()
    officer = officer_of(app.call.program)
    notified = dt.date(2026, 6, 3)
    award = services.create_award(
        actor=officer, application_id=app.pk, notified_on=notified, starts_on=dt.date(2026, 7, 1)
    )
    assert award.agreement_due_on == due_after_days(notified, 30)
    assert award.ends_on == dt.date(2029, 6, 30)
    stage = award.stages.get()
    assert (stage.first_year, stage.years, stage.ends_on) == (1, 3, dt.date(2029, 6, 30))
    assert stage.settlement_due_on == due_after_months(dt.date(2029, 6, 30), 3)
    # 3 years × (uni national, firm national + private cash + in kind, government local cash)
    assert Tranche.objects.filter(award=award).count() == 3 * 5
    assert {t.fiscal_year for t in award.tranches.all()} == {2026, 2027, 2028}
    assert set(award.tranches.values_list("line", flat=True)) == {"rnd"}
    assert award_balances(award.pk).budget_krw == 3 * (800 + 200 + 100 + 50 + 250) * 1_000_000
    assert all(t.released_on for t in award.tranches.filter(year=1))
    assert not any(t.released_on for t in award.tranches.filter(year__gt=1))
    assert award.members.count() == 3 and award.provinces.get().province.code == "47"
    assert_ledger_agrees(award)


def test_award_keeps_members_and_provinces_as_at_selection():
    award = make_award()
    gov = award.consortium.representative
    Organisation.objects.filter(pk=gov.pk).update(province=province("27"), name="바뀐 이름")
    award = Award.objects.get(pk=award.pk)
    assert award.lead_province.code == "47"
    assert award.members.get(organisation=gov).province.code == "47"
    assert award.members.get(organisation=gov).name != "바뀐 이름"


def test_stages_follow_the_call_up_to_ten_years():
    assert services.default_stage_years(10) == [3, 3, 4]
    assert services.default_stage_years(5) == [3, 2]
    award = make_award(stage_years=[1, 2])
    assert [(s.first_year, s.years) for s in award.stages.all()] == [(1, 1), (2, 2)]
    with pytest.raises(AwardError):
        make_award(stage_years=[3, 3, 5])
    with pytest.raises(AwardError):
        make_award(stage_years=[1, 1])  # shorter than the 3-year plan


def test_only_selected_applications_and_only_officers():
    app = selected_application()
    Application.objects.filter(pk=app.pk).update(state="under_review")
    with pytest.raises(AwardError):
        make_award(application=Application.objects.get(pk=app.pk))
    app2 = selected_application()
    with pytest.raises(PermissionDenied):
        make_award(application=app2, officer=UserFactory())
    assert not Award.objects.exists() and not LedgerEntry.objects.exists()


def test_request_approve_pay_moves_money_once():
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    tranche = first_tranche(award)
    budget = tranche_balances(tranche.pk).budget_krw
    d = services.request_disbursement(actor=contact, tranche_id=tranche.pk, amount_krw=300_000_000)
    assert_ledger_agrees(award)
    assert tranche_balances(tranche.pk).remaining_krw == budget - 300_000_000
    services.approve_disbursement(actor=officer, disbursement_id=d.pk)
    assert_ledger_agrees(award)
    services.pay_disbursement(actor=officer, disbursement_id=d.pk, paid_on=TODAY(), reference="KB-0001")
    assert_ledger_agrees(award)
    b = tranche_balances(tranche.pk)
    assert (b.paid_krw, b.pending_krw, b.approved_krw, b.remaining_krw) == (
        300_000_000,
        0,
        0,
        budget - 300_000_000,
    )
    with pytest.raises(AwardError):
        services.pay_disbursement(actor=officer, disbursement_id=d.pk, paid_on=TODAY(), reference="KB-0001")
    assert tranche_balances(tranche.pk).paid_krw == 300_000_000
    with pytest.raises(PermissionDenied):
        services.approve_disbursement(actor=contact, disbursement_id=d.pk)


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100", True, 800_000_001])
def test_bad_amounts_write_nothing(amount):
    award = make_award()
    tranche = first_tranche(award)
    before = LedgerEntry.objects.count()
    with pytest.raises(InvalidAmount):
        services.request_disbursement(
            actor=award.consortium.contacts.get(), tranche_id=tranche.pk, amount_krw=amount
        )
    assert LedgerEntry.objects.count() == before
    assert_ledger_agrees(award)


def test_never_on_a_future_year_or_an_unreleased_tranche():
    award = make_award()
    contact = award.consortium.contacts.get()
    year2 = first_tranche(award, year=2)
    with pytest.raises(NotPayable):
        services.request_disbursement(actor=contact, tranche_id=year2.pk, amount_krw=1)
    future = make_award(notified_on=TODAY(), starts_on=dt.date(TODAY().year + 1, 1, 1))
    with pytest.raises(NotPayable):
        services.request_disbursement(
            actor=future.consortium.contacts.get(), tranche_id=first_tranche(future).pk, amount_krw=1
        )


def test_reversal_is_a_new_entry_with_its_reason():
    award = make_award()
    officer = award.program.officers.get()
    entry = LedgerEntry.objects.filter(award=award).first()
    with pytest.raises(ValueError):
        entry.amount_krw = 1
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    reversal = services.reverse_entry(actor=officer, entry_id=entry.pk, reason="입력 오류")
    assert reversal.amount_krw == -LedgerEntry.objects.get(pk=entry.pk).amount_krw
    assert reversal.reverses_id == entry.pk
    assert tranche_balances(entry.tranche_id).budget_krw == 0
    with pytest.raises(AwardError):
        services.reverse_entry(actor=officer, entry_id=entry.pk, reason="again")
    assert_ledger_agrees(award)


def test_grade_sets_next_tranche_through_the_ledger():
    award = make_award()
    officer = award.program.officers.get()
    year2 = first_tranche(award, year=2)
    planned = tranche_balances(year2.pk).budget_krw
    grade = services.record_grade(actor=officer, award_id=award.pk, year=1, code="C", decision="목표 미달")
    assert grade.change_percent == -30
    assert tranche_balances(year2.pk).budget_krw == planned - planned * 30 // 100
    assert Tranche.objects.get(pk=year2.pk).released_on == TODAY()
    assert LedgerEntry.objects.filter(grade=grade, kind="adjusted").count() == 5
    assert not first_tranche(award, year=3).released_on
    assert_ledger_agrees(award)
    with pytest.raises(AwardError):
        services.record_grade(actor=officer, award_id=award.pk, year=1, code="S")  # already graded
    with pytest.raises(AwardError):
        services.record_grade(actor=officer, award_id=award.pk, year=2, code="Z")  # not on the scale
    with pytest.raises(AwardError):
        services.record_grade(actor=officer, award_id=award.pk, year=9, code="S")  # outside the award
    assert Grade.objects.filter(award=award).count() == 1


def test_stop_grade_notifies_then_stops_and_cancels_later_tranches(
    mailoutbox, django_capture_on_commit_callbacks
):
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    d = services.request_disbursement(actor=contact, tranche_id=first_tranche(award).pk, amount_krw=100)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_grade(actor=officer, award_id=award.pk, year=1, code="D", decision="극히 불량")
    award = Award.objects.get(pk=award.pk)
    assert award.state == "stop_pending" and award.objection_due_on == due_after_days(TODAY(), 10)
    assert [m.to for m in mailoutbox] == [[contact.email]]
    assert "이의" in mailoutbox[0].body
    with pytest.raises(NotPayable):
        services.request_disbursement(actor=contact, tranche_id=first_tranche(award).pk, amount_krw=1)
    with pytest.raises(AwardError):
        services.confirm_stop(actor=officer, award_id=award.pk, on=award.objection_due_on)
    services.confirm_stop(actor=officer, award_id=award.pk, on=award.objection_due_on + dt.timedelta(days=1))
    award = Award.objects.get(pk=award.pk)
    assert award.state == "stopped"
    for tranche in Tranche.objects.filter(award=award, year__gt=1):
        assert tranche.cancelled_on and tranche_balances(tranche.pk).budget_krw == 0
    assert d.tranche.year == 1  # year 1 stays as it was
    assert_ledger_agrees(award)


def test_notified_change_applies_at_once_approved_waits():
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    src = first_tranche(award)
    dst = Tranche.objects.create(
        award=award, year=1, fiscal_year=src.fiscal_year, source="national", line="non_rnd"
    )
    move = {"kind": "budget_move", "from_tranche": src.pk, "to_tranche": dst.pk, "amount_krw": 50_000_000}
    change = services.file_change(actor=contact, award_id=award.pk, reason="집행 계획 조정", items=[move])
    assert change.state == "applied"
    assert tranche_balances(dst.pk).budget_krw == 50_000_000
    assert_ledger_agrees(award)
    # Filed together with a period change: nothing applies until approval.
    period = {"kind": "period", "new_ends_on": award.ends_on + dt.timedelta(days=90)}
    change = services.file_change(actor=contact, award_id=award.pk, reason="기간 연장", items=[move, period])
    assert change.state == "pending"
    assert tranche_balances(dst.pk).budget_krw == 50_000_000
    assert Award.objects.get(pk=award.pk).ends_on == award.ends_on
    with pytest.raises(PermissionDenied):
        services.decide_change(actor=contact, change_id=change.pk, approve=True)
    services.decide_change(actor=officer, change_id=change.pk, approve=True, reason="타당")
    assert AwardChange.objects.get(pk=change.pk).state == "approved"
    assert tranche_balances(dst.pk).budget_krw == 100_000_000
    assert Award.objects.get(pk=award.pk).ends_on == award.ends_on + dt.timedelta(days=90)
    # Increasing indirect costs needs approval even as a move between lines.
    change = services.file_change(
        actor=contact, award_id=award.pk, reason="간접비", items=[{**move, "increases_indirect_costs": True}]
    )
    assert change.state == "pending"
    services.decide_change(actor=officer, change_id=change.pk, approve=False, reason="불가")
    assert tranche_balances(dst.pk).budget_krw == 100_000_000
    assert_ledger_agrees(award)


def test_change_items_need_approval_for_members_and_national_money():
    award = make_award()
    contact = award.consortium.contacts.get()
    org = OrganisationFactory()
    for item in (
        {"kind": "member_add", "organisation": org.pk},
        {"kind": "national_money", "from_tranche": first_tranche(award).pk, "amount_krw": -10},
    ):
        assert (
            services.file_change(actor=contact, award_id=award.pk, reason="r", items=[item]).state
            == "pending"
        )
    with pytest.raises(AwardError):
        services.file_change(actor=contact, award_id=award.pk, reason="r", items=[{"kind": "teleport"}])
    assert (
        services.file_change(
            actor=contact,
            award_id=award.pk,
            reason="r",
            items=[{"kind": "contact", "description": "담당자 변경"}],
        ).state
        == "applied"
    )


def test_carry_over_within_the_programs_limit():
    award = make_award()
    officer = award.program.officers.get()
    src = first_tranche(award)
    budget = tranche_balances(src.pk).budget_krw
    with pytest.raises(InvalidAmount):
        services.carry_over(actor=officer, from_tranche_id=src.pk, amount_krw=budget // 5 + 1)
    carry = services.carry_over(actor=officer, from_tranche_id=src.pk, amount_krw=budget // 5)
    assert tranche_balances(carry.to_tranche_id).budget_krw == budget + budget // 5
    assert_ledger_agrees(award)


def test_settlement_report_and_recovery_with_demand_notice(mailoutbox, django_capture_on_commit_callbacks):
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    stage = award.stages.get()
    services.submit_settlement(actor=contact, stage_id=stage.pk, unspent_krw=10_000_000)
    tranche = first_tranche(award)
    with pytest.raises(InvalidAmount):  # nothing paid yet: nothing to recover
        services.notify_recovery(actor=officer, tranche_id=tranche.pk, amount_krw=1, reason="미사용")
    d = services.request_disbursement(actor=contact, tranche_id=tranche.pk, amount_krw=50_000_000)
    services.approve_disbursement(actor=officer, disbursement_id=d.pk)
    services.pay_disbursement(actor=officer, disbursement_id=d.pk, paid_on=TODAY(), reference="R1")
    notified = dt.date(2026, 9, 1)
    with django_capture_on_commit_callbacks(execute=True):
        recovery = services.notify_recovery(
            actor=officer,
            tranche_id=tranche.pk,
            amount_krw=10_000_000,
            reason="미사용 직접비",
            notified_on=notified,
        )
    assert recovery.due_on == due_after_days(notified, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_demand_notices(today=recovery.due_on) == 0
        assert services.send_demand_notices(today=recovery.due_on + dt.timedelta(days=1)) == 1
        assert services.send_demand_notices(today=recovery.due_on + dt.timedelta(days=2)) == 0
    recovery = Recovery.objects.get(pk=recovery.pk)
    assert recovery.demand_notified_on == recovery.due_on + dt.timedelta(days=1)
    assert recovery.demand_due_on == due_after_days(recovery.demand_notified_on, 15)
    assert [m.subject for m in mailoutbox] == [
        f"[메가프로젝트] 사업비 환수 통지: {award.title}",
        f"[메가프로젝트] 환수금 독촉장: {award.title}",
    ]
    services.record_recovery_payment(actor=officer, recovery_id=recovery.pk, paid_on=TODAY())
    assert tranche_balances(tranche.pk).net_paid_krw == 40_000_000
    assert_ledger_agrees(award)

"""Money moves exactly once under real concurrent transactions (PostgreSQL), and the ledger
refuses UPDATE and DELETE in the database itself."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from awards import services
from awards.models import Disbursement, LedgerEntry
from awards.selectors import tranche_balances
from tests.awards.helpers import assert_ledger_agrees, first_tranche, make_award

pytestmark = pytest.mark.django_db(transaction=True)


def _run_concurrently(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_twenty_concurrent_payments_pay_exactly_the_remaining_amount(postgres):
    award = make_award()
    officer = award.program.officers.get()
    tranche = first_tranche(award)
    remaining = tranche_balances(tranche.pk).remaining_krw  # 800,000,000
    share = remaining // 8

    def pay_a_share(i: int) -> int:
        # Each thread asks for an eighth, gets it approved and paid: only 8 of 20 fit.
        client = APIClient()
        client.force_authenticate(officer)
        res = client.post(
            f"/api/awards/{award.pk}/disbursements/",
            {"tranche": tranche.pk, "amount_krw": share},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"req-{i}",
        )
        if res.status_code != 201:
            return res.status_code
        d = res.json()["id"]
        client.post(f"/api/awards/disbursements/{d}/approve/", format="json", HTTP_IDEMPOTENCY_KEY=f"ok-{i}")
        res = client.post(
            f"/api/awards/disbursements/{d}/pay/",
            {"paid_on": str(timezone.localdate()), "reference": f"KB-{i}"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"pay-{i}",
        )
        return res.status_code

    statuses = _run_concurrently(20, pay_a_share)
    assert sorted(statuses).count(200) == 8 and sorted(statuses).count(400) == 12
    balances = tranche_balances(tranche.pk)
    assert balances.paid_krw == remaining and balances.remaining_krw == 0
    assert Disbursement.objects.filter(state="paid").count() == 8
    assert_ledger_agrees(award)


def test_twenty_concurrent_pay_calls_on_one_disbursement_pay_once(postgres):
    award = make_award()
    officer = award.program.officers.get()
    tranche = first_tranche(award)
    d = services.request_disbursement(actor=officer, tranche_id=tranche.pk, amount_krw=1_000_000)
    services.approve_disbursement(actor=officer, disbursement_id=d.pk)

    def pay(i: int) -> tuple[int, dict]:
        client = APIClient()
        client.force_authenticate(officer)
        # Half the threads retry one key, the other half each use their own.
        key = "one-key" if i % 2 else f"key-{i}"
        res = client.post(
            f"/api/awards/disbursements/{d.pk}/pay/",
            {"paid_on": str(timezone.localdate()), "reference": "KB-9"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        return res.status_code, res.json()

    results = _run_concurrently(20, pay)
    same_key = [body for i, (code, body) in enumerate(results) if i % 2]
    assert all(body == same_key[0] for body in same_key)
    assert [code for code, _ in results].count(200) >= 1
    assert tranche_balances(tranche.pk).paid_krw == 1_000_000
    assert LedgerEntry.objects.filter(disbursement=d, kind="paid", bucket="paid").count() == 1
    assert_ledger_agrees(award)


def test_database_refuses_ledger_update_and_delete(postgres):
    award = make_award()
    entry = LedgerEntry.objects.filter(award=award).first()
    for statement in (
        "UPDATE awards_ledgerentry SET amount_krw = 1 WHERE id = %s",
        "DELETE FROM awards_ledgerentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(statement, [entry.pk])
    with pytest.raises(DatabaseError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_krw=1)
    assert LedgerEntry.objects.get(pk=entry.pk).amount_krw == entry.amount_krw


def test_two_concurrent_stop_confirmations_stop_once_and_write_the_ledger_once(postgres):
    """Two workers (a redelivered task, the beat and a rejection's task) confirm one stop at once."""
    import datetime as dt

    from awards.models import Award
    from consortia.models import Notice

    award = make_award()
    officer = award.program.officers.get()
    notified = timezone.localdate() - dt.timedelta(days=40)
    services.record_grade(actor=officer, award_id=award.pk, year=1, code="D", on=notified)
    before = LedgerEntry.objects.filter(award=award).count()

    results = _run_concurrently(4, lambda i: services.confirm_due_stop(award_id=award.pk))
    assert sorted(results) == [False, False, False, True]
    assert Award.objects.get(pk=award.pk).state == "stopped"
    cancelled = LedgerEntry.objects.filter(award=award, kind="cancelled").count()
    assert cancelled > 0 and LedgerEntry.objects.filter(award=award).count() == before + cancelled
    assert Notice.objects.filter(kind="award_stopped").count() == 1
    assert_ledger_agrees(award)


def test_concurrent_reversals_of_one_entry_write_one(postgres):
    award = make_award()
    officer = award.program.officers.get()
    entry = LedgerEntry.objects.filter(award=award, kind="planned").first()

    def reverse(i: int) -> int:
        client = APIClient()
        client.force_authenticate(officer)
        res = client.post(
            f"/api/awards/ledger/{entry.pk}/reverse/",
            {"reason": "입력 오류"},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"rev-{i}",
        )
        return res.status_code

    statuses = _run_concurrently(6, reverse)
    assert sorted(statuses) == [201, 400, 400, 400, 400, 400]
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1
    assert_ledger_agrees(award)

"""Awards for tests, and the invariant every money test asserts after every operation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from awards import services
from awards.models import Award, Bucket, Disbursement, LedgerEntry, Tranche
from awards.selectors import award_balances, tranche_balances, tranches_of, year_totals
from consortia.models import Application
from tests.factories import complete_application, officer_of


def selected_application(**kwargs) -> Application:
    """A complete application moved to selected the way a fixture may (selection is `eval`'s)."""
    app = complete_application(**kwargs)
    Application.objects.filter(pk=app.pk).update(
        state=Application.State.SELECTED, submitted_at=timezone.now()
    )
    return Application.objects.get(pk=app.pk)


def make_award(*, application: Application | None = None, officer=None, **kwargs) -> Award:
    """An award that started 30 days ago (year 1 is this calendar year or earlier)."""
    application = application or selected_application()
    officer = officer or officer_of(application.call.program)
    today = timezone.localdate()
    kwargs.setdefault("notified_on", today - dt.timedelta(days=60))
    kwargs.setdefault("starts_on", today - dt.timedelta(days=30))
    return services.create_award(actor=officer, application_id=application.pk, **kwargs)


def first_tranche(award: Award, *, year: int = 1, source: str = "national") -> Tranche:
    return Tranche.objects.filter(award=award, year=year, source=source).order_by("pk").first()


def assert_ledger_agrees(award: Award | int) -> None:
    """Every balance shown (per tranche, per year, per award) equals the ledger summed by hand,
    matches the disbursements' states, and nothing is committed beyond a tranche's budget."""
    award_id = award if isinstance(award, int) else award.pk
    by_hand: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in LedgerEntry.objects.filter(award_id=award_id):
        assert entry.amount_krw != 0 and isinstance(entry.amount_krw, int)
        assert entry.tranche.award_id == award_id
        by_hand[entry.tranche_id][entry.bucket] += entry.amount_krw
    totals: dict[str, int] = defaultdict(int)
    for tranche in tranches_of(award_id):
        hand = by_hand[tranche.pk]
        for bucket in Bucket.values:
            assert getattr(tranche, f"{bucket}_krw") == hand[bucket], (tranche, bucket)
            totals[bucket] += hand[bucket]
        assert tranche.remaining_krw >= 0, tranche
        assert tranche.budget_krw >= 0, tranche
        assert tranche_balances(tranche.pk).remaining_krw == tranche.remaining_krw
        disbursements = Disbursement.objects.filter(tranche=tranche)
        for state, bucket in (("requested", "pending"), ("approved", "approved"), ("paid", "paid")):
            expected = sum(d.amount_krw for d in disbursements if d.state == state)
            reversed_ = sum(
                e.amount_krw
                for e in LedgerEntry.objects.filter(tranche=tranche, bucket=bucket, kind="reversal")
            )
            assert hand[bucket] - reversed_ == expected, (tranche, state)
        assert 0 <= hand["recovered"] <= hand["paid"]
    balances = award_balances(award_id)
    for bucket in Bucket.values:
        assert getattr(balances, f"{bucket}_krw") == totals[bucket]
        assert sum(row[f"{bucket}_krw"] for row in year_totals(award_id)) == totals[bucket]

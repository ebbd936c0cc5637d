"""Aggregation and selection as domain.md settles them: exact, order-free, one of each extreme."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from evaluations import aggregation as agg

points = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
totals_lists = st.lists(points, min_size=0, max_size=9)
methods = st.sampled_from([agg.MEAN, agg.MEDIAN, agg.TRIMMED_MEAN])


def test_trimmed_mean_drops_exactly_one_of_each_extreme():
    # Three share the top and two the bottom: one of each goes, the rest stay.
    totals = [Decimal(x) for x in ("90", "90", "90", "60", "60", "75")]
    assert agg.aggregate(totals, agg.TRIMMED_MEAN) == Fraction(90 + 90 + 60 + 75, 4)


def test_trimmed_mean_below_five_submitted_is_the_mean():
    totals = [Decimal("80"), Decimal("70"), Decimal("10"), Decimal("100")]
    assert agg.aggregate(totals, agg.TRIMMED_MEAN) == agg.aggregate(totals, agg.MEAN) == 65


def test_display_rounds_half_up_but_ranks_use_the_exact_value():
    assert agg.display(Fraction(7005, 100)) == Decimal("70.05")
    assert agg.display(Fraction(70125, 1000)) == Decimal("70.13")  # half-up, not banker's
    a = agg.result(
        application_id=1,
        totals=[Decimal("70.00"), Decimal("70.01"), Decimal("70.00")],
        method="mean",
        cutoff=70,
    )
    b = agg.result(
        application_id=2,
        totals=[Decimal("70.00"), Decimal("70.00"), Decimal("70.01")],
        method="mean",
        cutoff=70,
    )
    c = agg.result(
        application_id=3,
        totals=[Decimal("70.00"), Decimal("70.00"), Decimal("70.00")],
        method="mean",
        cutoff=70,
    )
    assert agg.display(a.final) == agg.display(c.final) == Decimal("70.00")
    ranked = agg.ranked([c, b, a])
    assert [r.application_id for r in ranked] == [1, 2, 3]  # 70.0033 > 70.0000 even if both show 70.00


def test_cutoff_is_at_or_above_and_before_the_bonus():
    at = agg.result(application_id=1, totals=[70], method="mean", cutoff=70)
    below = agg.result(
        application_id=2, totals=[Decimal("69.99")], method="mean", cutoff=70, bonus_points=[5], bonus_cap=3
    )
    assert at.passes and not below.passes
    assert below.final == Fraction(6999, 100) + 3  # bonus capped at 3, added after aggregation
    after = agg.result(
        application_id=3,
        totals=[Decimal("69.99")],
        method="mean",
        cutoff=70,
        bonus_points=[1],
        bonus_cap=3,
        cutoff_before_bonus=False,
    )
    assert after.passes


def test_disagreement_is_flagged():
    r = agg.result(application_id=1, totals=[90, 60, 80], method="mean", cutoff=70, disagreement=25)
    assert r.flagged and r.spread == 30


def test_ties_go_to_the_named_criterion_then_the_earlier_submission():
    t0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    early = agg.result(
        application_id=1, totals=[80], method="mean", cutoff=70, tie_break_points=[20], submitted_at=t0
    )
    late_better = agg.result(
        application_id=2,
        totals=[80],
        method="mean",
        cutoff=70,
        tie_break_points=[25],
        submitted_at=t0 + dt.timedelta(hours=1),
    )
    late_same = agg.result(
        application_id=3,
        totals=[80],
        method="mean",
        cutoff=70,
        tie_break_points=[20],
        submitted_at=t0 + dt.timedelta(hours=2),
    )
    assert [r.application_id for r in agg.ranked([late_same, early, late_better])] == [2, 1, 3]


@given(totals=totals_lists, method=methods, data=st.data())
def test_same_result_whatever_the_order(totals, method, data):
    shuffled = data.draw(st.permutations(totals))
    assert agg.aggregate(totals, method) == agg.aggregate(shuffled, method)


@given(totals=st.lists(points, min_size=5, max_size=9))
def test_trimmed_drops_exactly_one_highest_and_one_lowest(totals):
    values = sorted(Fraction(t) for t in totals)
    assert agg.aggregate(totals, agg.TRIMMED_MEAN) * (len(values) - 2) == sum(values) - values[0] - values[-1]
    assert agg.dropped(totals, agg.TRIMMED_MEAN) == (values[0], values[-1])


@given(totals=st.lists(points, min_size=1, max_size=9), method=methods)
def test_aggregate_lies_between_the_extremes(totals, method):
    value = agg.aggregate(totals, method)
    assert min(Fraction(t) for t in totals) <= value <= max(Fraction(t) for t in totals)


applications = st.lists(
    st.tuples(
        st.lists(points, min_size=0, max_size=7), st.lists(points.filter(lambda p: p <= 5), max_size=3)
    ),
    min_size=0,
    max_size=12,
)


@given(
    apps=applications,
    quota=st.integers(min_value=1, max_value=4),
    cutoff=points,
    method=methods,
    before=st.booleans(),
    data=st.data(),
)
def test_selection_never_exceeds_quota_nor_takes_one_below_the_cutoff(
    apps, quota, cutoff, method, before, data
):
    base = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    rows = [
        agg.result(
            application_id=i,
            totals=t,
            method=method,
            bonus_points=b,
            bonus_cap=3,
            cutoff=cutoff,
            cutoff_before_bonus=before,
            submitted_at=base + dt.timedelta(minutes=i),
        )
        for i, (t, b) in enumerate(apps)
    ]
    chosen = agg.propose(rows, quota)
    assert len(chosen) <= quota
    by_id = {r.application_id: r for r in rows}
    for a in chosen:
        judged = by_id[a].score if before else by_id[a].final
        assert judged is not None and judged >= Fraction(cutoff)
    # Nobody left out ranks above someone chosen, among those that pass.
    passing = [r for r in rows if r.passes]
    assert len(chosen) == min(quota, len(passing))
    # Order of input does not matter.
    again = [
        agg.result(
            application_id=r.application_id,
            totals=data.draw(st.permutations(r.totals)),
            method=method,
            bonus_points=[b for b in apps[r.application_id][1]],
            bonus_cap=3,
            cutoff=cutoff,
            cutoff_before_bonus=before,
            submitted_at=r.submitted_at,
        )
        for r in data.draw(st.permutations(rows))
    ]
    assert agg.propose(again, quota) == chosen

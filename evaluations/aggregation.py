"""Aggregation and ranking exactly as domain.md settles them, in exact arithmetic (Fraction).

- A reviewer's total is the sum of their criterion points.
- mean, median, or trimmed mean: with at least 5 *submitted* totals, exactly one highest and
  one lowest are dropped (one of each even when several share the extreme); fewer: the mean.
- The bonus (capped) is added after aggregation; the cut-off applies to the score before the
  bonus unless the panel says otherwise, "at or above".
- Ranking uses the unrounded values; display rounds half-up to two decimals.
- Per-reviewer z-scores are shown beside the raw result, never instead of it.

Pure functions: no database, so the property tests can throw anything at them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import median

MEAN, MEDIAN, TRIMMED_MEAN = "mean", "median", "trimmed_mean"
TRIM_FROM = 5


def as_fraction(value: Decimal | int | Fraction) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def aggregate(totals: Sequence[Decimal | Fraction | int], method: str) -> Fraction | None:
    """The panel's score for one application from its submitted totals (None when there are none)."""
    values = sorted(as_fraction(t) for t in totals)
    if not values:
        return None
    if method == MEDIAN:
        return Fraction(median(values))
    if method == TRIMMED_MEAN and len(values) >= TRIM_FROM:
        values = values[1:-1]  # exactly one of each extreme, however many share it
    elif method not in (MEAN, TRIMMED_MEAN):
        raise ValueError(f"unknown aggregation {method!r}")
    return sum(values, Fraction(0)) / len(values)


def dropped(totals: Sequence[Decimal | Fraction | int], method: str) -> tuple[Fraction, Fraction] | None:
    """The (lowest, highest) totals a trimmed mean drops, or None."""
    if method != TRIMMED_MEAN or len(totals) < TRIM_FROM:
        return None
    values = sorted(as_fraction(t) for t in totals)
    return values[0], values[-1]


def capped_bonus(points: Iterable[Decimal | Fraction | int], cap: Decimal | Fraction | int) -> Fraction:
    return min(sum((as_fraction(p) for p in points), Fraction(0)), as_fraction(cap))


def display(value: Fraction | None) -> Decimal | None:
    """Two decimals, half-up (the display only; ranks use the exact value)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    # Decimal division carries 28 digits: plenty for scores below 1000 with two decimals.
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def zscores(totals_by_reviewer: dict[int, dict[int, Fraction]]) -> dict[int, dict[int, float]]:
    """{reviewer: {application: z}} over each reviewer's own submitted totals (population sd).

    A reviewer with one score, or all equal, gets 0: no spread to normalise by.
    """
    out: dict[int, dict[int, float]] = {}
    for reviewer, by_app in totals_by_reviewer.items():
        values = [float(v) for v in by_app.values()]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        out[reviewer] = {a: ((float(v) - mean) / sd if sd > 0 else 0.0) for a, v in by_app.items()}
    return out


@dataclass
class ApplicationResult:
    application_id: int
    totals: list[Fraction]
    score: Fraction | None  # aggregated, before the bonus
    bonus: Fraction
    final: Fraction | None  # with the bonus: what ranks
    passes: bool
    spread: Fraction | None
    flagged: bool
    tie_break: Fraction | None  # the named criterion's aggregated points
    submitted_at: object  # datetime: the earlier submission wins a tie
    normalised: float | None = None
    dropped: tuple[Fraction, Fraction] | None = None
    rank: int | None = None
    extra: dict = field(default_factory=dict)


def result(
    *,
    application_id: int,
    totals: Sequence[Decimal | Fraction | int],
    method: str,
    bonus_points: Iterable[Decimal | Fraction | int] = (),
    bonus_cap: Decimal | Fraction | int = 0,
    cutoff: Decimal | Fraction | int,
    cutoff_before_bonus: bool = True,
    disagreement: Decimal | Fraction | int = 20,
    tie_break_points: Sequence[Decimal | Fraction | int] = (),
    submitted_at=None,
) -> ApplicationResult:
    values = [as_fraction(t) for t in totals]
    score = aggregate(values, method)
    bonus = capped_bonus(bonus_points, bonus_cap)
    final = None if score is None else score + bonus
    judged = score if cutoff_before_bonus else final
    spread = (max(values) - min(values)) if values else None
    return ApplicationResult(
        application_id=application_id,
        totals=values,
        score=score,
        bonus=bonus,
        final=final,
        passes=judged is not None and judged >= as_fraction(cutoff),
        spread=spread,
        flagged=spread is not None and len(values) > 1 and spread >= as_fraction(disagreement),
        tie_break=aggregate(tie_break_points, method) if tie_break_points else None,
        submitted_at=submitted_at,
        dropped=dropped(values, method),
    )


def rank_key(r: ApplicationResult):
    """Best first: final score, then the named criterion, then the earlier submission, then id."""
    return (
        -(r.final if r.final is not None else Fraction(-1)),
        -(r.tie_break if r.tie_break is not None else Fraction(-1)),
        r.submitted_at is None,
        r.submitted_at or 0,
        r.application_id,
    )


def ranked(results: Iterable[ApplicationResult]) -> list[ApplicationResult]:
    rows = sorted(results, key=rank_key)
    for i, r in enumerate(rows, start=1):
        r.rank = i
    return rows


def propose(results: Iterable[ApplicationResult], quota: int) -> list[int]:
    """The applications the system proposes in one (track, region): the best `quota` that pass."""
    return [r.application_id for r in ranked(results) if r.passes and r.final is not None][:quota]

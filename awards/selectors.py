"""Reads of awards: every balance is a SUM over the ledger, never a stored column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from awards.models import Award, Bucket, Disbursement, Grade, LedgerEntry, Recovery, Tranche
from awards.permissions import visible_awards_filter


def _bucket_sum(bucket: str, prefix: str = "entries__") -> Coalesce:
    return Coalesce(Sum(f"{prefix}amount_krw", filter=Q(**{f"{prefix}bucket": bucket})), Value(0))


BALANCE_NAMES = ("budget_krw", "pending_krw", "approved_krw", "paid_krw", "recovered_krw")


def with_balances(queryset: QuerySet, prefix: str = "entries__") -> QuerySet:
    """Annotates tranches (or awards, same `entries` relation) with their ledger balances."""
    return queryset.annotate(
        budget_krw=_bucket_sum(Bucket.BUDGET, prefix),
        pending_krw=_bucket_sum(Bucket.PENDING, prefix),
        approved_krw=_bucket_sum(Bucket.APPROVED, prefix),
        paid_krw=_bucket_sum(Bucket.PAID, prefix),
        recovered_krw=_bucket_sum(Bucket.RECOVERED, prefix),
    ).annotate(remaining_krw=F("budget_krw") - F("pending_krw") - F("approved_krw") - F("paid_krw"))


@dataclass(frozen=True)
class Balances:
    budget_krw: int = 0
    pending_krw: int = 0
    approved_krw: int = 0
    paid_krw: int = 0
    recovered_krw: int = 0

    @property
    def remaining_krw(self) -> int:
        """What may still be requested: budget less everything requested, approved or paid."""
        return self.budget_krw - self.pending_krw - self.approved_krw - self.paid_krw

    @property
    def net_paid_krw(self) -> int:
        return self.paid_krw - self.recovered_krw


def tranche_balances(tranche_id: int) -> Balances:
    rows = (
        LedgerEntry.objects.filter(tranche_id=tranche_id).values("bucket").annotate(total=Sum("amount_krw"))
    )
    return Balances(**{f"{r['bucket']}_krw": r["total"] for r in rows})


def award_balances(award_id: int) -> Balances:
    rows = LedgerEntry.objects.filter(award_id=award_id).values("bucket").annotate(total=Sum("amount_krw"))
    return Balances(**{f"{r['bucket']}_krw": r["total"] for r in rows})


def tranches_of(award: Award | int) -> QuerySet[Tranche]:
    """The award's tranches with their balances, in year/source/line/member order (1 query)."""
    award_id = award if isinstance(award, int) else award.pk
    return with_balances(Tranche.objects.filter(award_id=award_id).select_related("member")).order_by(
        "year", "source", "line", "member_id"
    )


def year_totals(award: Award | int) -> list[dict]:
    """Per project year: budget, paid and remaining (from the ledger, 1 query)."""
    award_id = award if isinstance(award, int) else award.pk
    rows = (
        LedgerEntry.objects.filter(award_id=award_id)
        .values("tranche__year", "tranche__fiscal_year")
        .annotate(
            budget_krw=_bucket_sum(Bucket.BUDGET, ""),
            pending_krw=_bucket_sum(Bucket.PENDING, ""),
            approved_krw=_bucket_sum(Bucket.APPROVED, ""),
            paid_krw=_bucket_sum(Bucket.PAID, ""),
            recovered_krw=_bucket_sum(Bucket.RECOVERED, ""),
        )
        .order_by("tranche__year")
    )
    return [
        {
            "year": r["tranche__year"],
            "fiscal_year": r["tranche__fiscal_year"],
            **{k: r[k] for k in BALANCE_NAMES},
            "remaining_krw": r["budget_krw"] - r["pending_krw"] - r["approved_krw"] - r["paid_krw"],
        }
        for r in rows
    ]


def visible_awards(user) -> QuerySet[Award]:
    """Awards `user` may see, with award-wide balances (1 query)."""
    if not user.is_authenticated:
        return Award.objects.none()
    ids = Award.objects.filter(visible_awards_filter(user)).values("pk")
    return with_balances(
        Award.objects.filter(pk__in=ids).select_related(
            "program", "call", "track", "consortium", "lead_province"
        )
    ).order_by("-created_at", "-id")


def disbursements_of(award: Award | int) -> QuerySet[Disbursement]:
    award_id = award if isinstance(award, int) else award.pk
    return Disbursement.objects.filter(tranche__award_id=award_id).select_related(
        "tranche__member", "requested_by", "approved_by", "paid_by"
    )


def ledger_of(award: Award | int) -> QuerySet[LedgerEntry]:
    award_id = award if isinstance(award, int) else award.pk
    return LedgerEntry.objects.filter(award_id=award_id).select_related("tranche__member", "actor")


def recoveries_due(*, on: dt.date) -> QuerySet[Recovery]:
    """Unpaid recoveries whose first due date has passed and that have no demand notice yet."""
    return Recovery.objects.filter(state=Recovery.State.NOTIFIED, due_on__lt=on)


def awards_needing_attention(*, program_ids: list[int] | None, on: dt.date) -> QuerySet[Award]:
    """Awards with an overdue report, pending approvals, a low grade or recoveries due."""
    from awards.models import AwardChange

    qs = Award.objects.all() if program_ids is None else Award.objects.filter(program_id__in=program_ids)
    return (
        qs.annotate(
            # Every report the award owes is a milestone (annual, stage, settlement, final,
            # results-use and the plan's deliverables; monitoring generates them).
            overdue_reports=Count(
                "milestones",
                filter=Q(milestones__state__in=("open", "returned"), milestones__due_on__lt=on),
                distinct=True,
            ),
            pending_requests=Exists(
                Disbursement.objects.filter(
                    tranche__award=OuterRef("pk"),
                    state__in=[Disbursement.State.REQUESTED, Disbursement.State.APPROVED],
                )
            ),
            pending_changes=Exists(
                AwardChange.objects.filter(award=OuterRef("pk"), state=AwardChange.State.PENDING)
            ),
            low_grade=Exists(Grade.objects.filter(award=OuterRef("pk"), change_percent__lt=0)),
            recoveries_open=Exists(
                Recovery.objects.filter(award=OuterRef("pk")).exclude(state=Recovery.State.PAID)
            ),
        )
        .filter(
            Q(overdue_reports__gt=0)
            | Q(pending_requests=True)
            | Q(pending_changes=True)
            | Q(low_grade=True)
            | Q(recoveries_open=True)
            | Q(state__in=[Award.State.STOP_PENDING])
        )
        .select_related("consortium", "lead_province", "program")
        .order_by("program_id", "title")
    )


# --- the officers' dashboard: a fixed number of queries whatever the number of awards -----------


def _money_rows(entries: QuerySet[LedgerEntry], *group: str) -> list[dict]:
    rows = (
        entries.values(*group)
        .annotate(
            awarded_krw=_bucket_sum(Bucket.BUDGET, ""),
            paid_krw=_bucket_sum(Bucket.PAID, ""),
            recovered_krw=_bucket_sum(Bucket.RECOVERED, ""),
        )
        .order_by(*group)
    )
    out = []
    for r in rows:
        disbursed = r["paid_krw"] - r["recovered_krw"]
        out.append(
            {
                **{g: r[g] for g in group},
                "awarded_krw": r["awarded_krw"],
                "disbursed_krw": disbursed,
                "outstanding_krw": r["awarded_krw"] - disbursed,
            }
        )
    return out


def dashboard(*, program_ids: list[int] | None, on: dt.date, call_id: int | None = None) -> dict:
    """Money awarded, disbursed (paid less recovered) and outstanding by calendar year, track and
    region, and the awards needing attention. One pass over the ledger grouped by award and year
    (the other groupings are sums of those rows), so 4 queries whatever the number of awards."""
    from programs.models import Region

    entries = LedgerEntry.objects.all()
    awards = Award.objects.all()
    if program_ids is not None:
        entries = entries.filter(award__program_id__in=program_ids)
        awards = awards.filter(program_id__in=program_ids)
    if call_id:
        entries = entries.filter(award__call_id=call_id)
        awards = awards.filter(call_id=call_id)
    rows = _money_rows(entries, "award_id", "tranche__fiscal_year")
    about = {
        pk: (call, track, province)
        for pk, call, track, province in awards.values_list(
            "pk", "call__title", "track__name", "lead_province_id"
        )
    }
    # Region of each lead province in the default 5+2 scheme (provinces of every period).
    region_of: dict[int, str] = {}
    for province_id, name in Region.objects.filter(scheme__is_default=True).values_list("provinces", "name"):
        region_of.setdefault(province_id, name)
    money = ("awarded_krw", "disbursed_krw", "outstanding_krw")
    by_year: dict[int, dict] = {}
    by_track: dict[tuple[str, str], dict] = {}
    by_region: dict[str, dict] = {}
    for row in rows:
        call, track, province = about.get(row["award_id"], ("-", "-", None))
        region = region_of.get(province, "-")
        for table, key, label in (
            (by_year, row["tranche__fiscal_year"], {"year": row["tranche__fiscal_year"]}),
            (by_track, (call, track), {"call": call, "track": track}),
            (by_region, region, {"region": region}),
        ):
            acc = table.setdefault(key, {**label, **dict.fromkeys(money, 0)})
            for k in money:
                acc[k] += row[k]
    attention = awards_needing_attention(program_ids=program_ids, on=on)
    if call_id:
        attention = attention.filter(call_id=call_id)
    return {
        "totals": {k: sum(r[k] for r in by_year.values()) for k in money},
        "by_year": [by_year[k] for k in sorted(by_year)],
        "by_track": [by_track[k] for k in sorted(by_track)],
        "by_region": [by_region[k] for k in sorted(by_region)],
        "attention": list(attention[:200]),
    }


def current_stop_grade(award: Award | int) -> Grade | None:
    """The grade whose stop is notified (the latest stopping grade on record)."""
    award_id = award if isinstance(award, int) else award.pk
    return Grade.objects.filter(award_id=award_id, stops=True).order_by("-year").first()

"""Generated awards and their ledger, at any size, for `generate_dataset --with awards` and the
benchmarks (bench/awards_dashboard.py; monitoring.dataset builds on `make_awards`).

Written with bulk inserts, not the services, so 500 awards and 200,000 ledger entries build in
seconds; but every row is one the services could have written: each award has its own program's
selected application, stages, lead province, tranches per year × source planned in the ledger
(years up to this one released), and disbursements requested, approved or paid whose ledger
entries are exactly the services' (pending +x; pending −x, approved +x; approved −x, paid +x),
never more than a tranche's budget. Reproducible from the seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

BATCH = 5_000
SOURCES = ["national", "local_cash", "private_cash", "private_in_kind"]
# Entries written by a disbursement in each state (request, approval, payment: see awards.services).
ENTRIES_PER_STATE = {"paid": 5, "approved": 3, "requested": 1}


@dataclass
class AwardSet:
    """What `make_awards` wrote: (award id, application id) pairs and who they belong to."""

    program_id: int
    officer_id: int
    contact_id: int
    ids: list[tuple[int, int]] = field(default_factory=list)
    starts_on: dt.date | None = None
    years: int = 0


def _tag(prefix: str, seed: int) -> str:
    from programs.models import Program

    # Unique per run on the same database (the codes and usernames are unique).
    n = Program.objects.filter(code__startswith=f"{prefix}-{seed}-").count()
    return f"{prefix}-{seed}-{n + 1}"


def make_awards(
    n: int,
    *,
    years: int = 3,
    first_year: int | None = None,
    seed: int = 1,
    prefix: str = "awards",
    officer=None,
    contact=None,
) -> AwardSet:
    """n awards, each of its own selected application in one program (one call, both tracks),
    started on 1 January of `first_year` (by default the year that makes them end next year),
    with one stage of `years` and the lead government's province. `officer` (created if None)
    manages the program; `contact` (created if None) is every consortium's contact."""
    from awards.models import Award, AwardProvince, AwardStage
    from consortia.choices import OrganisationType
    from consortia.models import Application, Consortium, Organisation
    from programs import reference_data
    from programs.models import Call, Program, Province, RegionScheme, Track

    reference_data.load()
    rng = random.Random(seed)
    User = get_user_model()
    tag = _tag(prefix, seed)
    if officer is None:
        officer = User.objects.create(
            username=f"officer-{tag}", name="생성 담당관", email=f"officer-{tag}@example.kr", is_staff=True
        )
    if contact is None:
        contact = User.objects.create(
            username=f"contact-{tag}", name="생성 담당자", email=f"contact-{tag}@example.kr"
        )
    today = timezone.localdate()
    start = dt.date(first_year or today.year - max(0, years - 2), 1, 1)
    program = Program.objects.create(code=tag, name=f"생성 협약 {tag}", ministry="과학기술정보통신부")
    program.officers.add(officer)
    call = Call.objects.create(
        program=program,
        code=tag,
        year=start.year - 1,
        title=f"{start.year - 1}년 공모 ({tag})",
        opens_at=dt.datetime(start.year - 1, 3, 2, 9, tzinfo=dt.UTC),
        closes_at=dt.datetime(start.year - 1, 4, 30, 9, tzinfo=dt.UTC),
        region_scheme=RegionScheme.objects.get(is_default=True),
    )
    tracks = Track.objects.bulk_create(
        [
            Track(
                call=call,
                code="super-regional",
                name="초광역협력형",
                national_cap_per_year_krw=2_000_000_000,
                duration_years=years,
                min_provinces=2,
            ),
            Track(
                call=call,
                code="leap",
                name="지역혁신도약형",
                national_cap_per_year_krw=1_850_000_000,
                duration_years=years,
            ),
        ]
    )
    provinces = list(Province.objects.in_force_on(today).exclude(code__in=["11", "28", "41"]))
    ends = dt.date(start.year + years, 1, 1) - dt.timedelta(days=1)
    out = AwardSet(
        program_id=program.pk, officer_id=officer.pk, contact_id=contact.pk, starts_on=start, years=years
    )
    for lo in range(0, n, BATCH):
        size = min(BATCH, n - lo)
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"지자체 {lo + i} ({tag})",
                    type=OrganisationType.LOCAL_GOVERNMENT,
                    province=rng.choice(provinces),
                )
                for i in range(size)
            ]
        )
        consortia = Consortium.objects.bulk_create(
            [Consortium(name=f"사업단 {lo + i} ({tag})", representative=orgs[i]) for i in range(size)]
        )
        Consortium.contacts.through.objects.bulk_create(
            [Consortium.contacts.through(consortium_id=c.pk, user_id=contact.pk) for c in consortia]
        )
        submitted = dt.datetime(start.year - 1, 4, 1, 9, tzinfo=dt.UTC)
        apps = Application.objects.bulk_create(
            [
                Application(
                    call=call,
                    track=tracks[(lo + i) % 2],
                    consortium=consortia[i],
                    title=f"과제 {lo + i}",
                    created_by=contact,
                    state=Application.State.SELECTED,
                    submitted_at=submitted,
                )
                for i in range(size)
            ]
        )
        awards = Award.objects.bulk_create(
            [
                Award(
                    application=apps[i],
                    program=program,
                    call=call,
                    track=tracks[(lo + i) % 2],
                    consortium=consortia[i],
                    lead_province=orgs[i].province,
                    title=f"과제 {lo + i}",
                    selection_notified_on=start - dt.timedelta(days=60),
                    agreement_due_on=start - dt.timedelta(days=30),
                    signed_on=start - dt.timedelta(days=rng.randint(31, 59)),
                    starts_on=start,
                    ends_on=ends,
                    created_by=officer,
                )
                for i in range(size)
            ]
        )
        AwardStage.objects.bulk_create(
            [
                AwardStage(
                    award=a,
                    number=1,
                    first_year=1,
                    years=years,
                    starts_on=start,
                    ends_on=ends,
                    settlement_due_on=ends + dt.timedelta(days=92),
                )
                for a in awards
            ]
        )
        AwardProvince.objects.bulk_create(
            [AwardProvince(award=a, province_id=a.lead_province_id, is_lead=True) for a in awards]
        )
        out.ids.extend((a.pk, a.application_id) for a in awards)
    return out


def make_ledger(awards: AwardSet, entries: int, *, seed: int = 1) -> int:
    """Tranches (every year × source, line R&D) planned in the ledger, then disbursements on the
    released cash tranches until the ledger holds `entries` rows (at least the planned ones).
    Returns the number of ledger entries written."""
    from awards.models import Bucket, Disbursement, LedgerEntry, Tranche

    rng = random.Random(seed)
    today = timezone.localdate()
    start, years = awards.starts_on, awards.years
    officer_id, contact_id = awards.officer_id, awards.contact_id
    n = len(awards.ids)
    planned = n * years * len(SOURCES)
    extra = max(0, entries - planned)
    written = 0
    # Awards in chunks: each chunk's tranches, then its disbursements and entries.
    chunk = max(1, BATCH // (years * len(SOURCES)))
    for lo in range(0, n, chunk):
        tranches = Tranche.objects.bulk_create(
            [
                Tranche(
                    award_id=award_id,
                    year=y,
                    fiscal_year=start.year + y - 1,
                    source=s,
                    line="rnd",
                    released_on=dt.date(start.year + y - 1, 1, 1)
                    if start.year + y - 1 <= today.year
                    else None,
                )
                for award_id, _app in awards.ids[lo : lo + chunk]
                for y in range(1, years + 1)
                for s in SOURCES
            ]
        )
        budget, rows = {}, []
        for t in tranches:
            national = rng.randint(1_000, 1_850) * 1_000_000
            budget[t.pk] = {
                "national": national,
                "local_cash": national * 3 // 10,
                "private_cash": national // 10,
                "private_in_kind": national // 20,
            }[t.source]
            rows.append(
                LedgerEntry(
                    tranche=t,
                    award_id=t.award_id,
                    kind=LedgerEntry.Kind.PLANNED,
                    bucket=Bucket.BUDGET,
                    amount_krw=budget[t.pk],
                    actor_id=officer_id,
                )
            )
        by_award: dict[int, list] = {}
        for t in tranches:
            if t.released_on and t.source != "private_in_kind":
                by_award.setdefault(t.award_id, []).append(t)
        # Each award's share of the extra entries, as disbursements in states costing 5, 3 or 1.
        plans = []  # (tranche, state)
        for i, (award_id, _app) in enumerate(awards.ids[lo : lo + chunk], start=lo):
            payable = by_award.get(award_id)
            left = extra // n + (1 if i < extra % n else 0)
            while payable and left > 0:
                state = rng.choices(["paid", "approved", "requested"], [8, 1, 1])[0]
                if ENTRIES_PER_STATE[state] > left:
                    state = "approved" if left >= 3 else "requested"
                plans.append((rng.choice(payable), state))
                left -= ENTRIES_PER_STATE[state]
        count: dict[int, int] = {}
        for t, _state in plans:
            count[t.pk] = count.get(t.pk, 0) + 1
        disbursements = []
        for t, state in plans:
            limit = budget[t.pk] // count[t.pk] // 1_000 * 1_000  # their sum stays within the budget
            amount = rng.randint(max(1, limit // 2000), max(1, limit // 1000)) * 1_000
            fiscal = dt.date(t.fiscal_year, 1, 1)
            day = fiscal + dt.timedelta(days=rng.randint(30, max(30, min(330, (today - fiscal).days))))
            at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
            d = Disbursement(tranche=t, amount_krw=amount, state=state, requested_by_id=contact_id)
            if state in ("approved", "paid"):
                d.approved_by_id, d.approved_at = officer_id, at
            if state == "paid":
                d.paid_by_id, d.paid_on, d.reference = officer_id, day, f"PAY-{t.pk}-{len(disbursements)}"
            disbursements.append(d)
        Disbursement.objects.bulk_create(disbursements, batch_size=BATCH)
        for d in disbursements:
            t, amount = d.tranche, d.amount_krw

            def entry(kind, bucket, value, actor_id, t=t, d=d):
                return LedgerEntry(
                    tranche=t,
                    award_id=t.award_id,
                    kind=kind,
                    bucket=bucket,
                    amount_krw=value,
                    actor_id=actor_id,
                    disbursement=d,
                )

            rows.append(entry(LedgerEntry.Kind.REQUESTED, Bucket.PENDING, amount, contact_id))
            if d.state in ("approved", "paid"):
                rows.append(entry(LedgerEntry.Kind.APPROVED, Bucket.PENDING, -amount, officer_id))
                rows.append(entry(LedgerEntry.Kind.APPROVED, Bucket.APPROVED, amount, officer_id))
            if d.state == "paid":
                rows.append(entry(LedgerEntry.Kind.PAID, Bucket.APPROVED, -amount, officer_id))
                rows.append(entry(LedgerEntry.Kind.PAID, Bucket.PAID, amount, officer_id))
        LedgerEntry.objects.bulk_create(rows, batch_size=BATCH)
        written += len(rows)
    return written


def generate(awards: int = 500, entries: int = 200_000, *, seed: int = 1, officer=None) -> dict:
    """`awards` three-year awards and a ledger of `entries` rows (500 and 200,000 nationally)."""
    made = make_awards(awards, years=3, seed=seed, officer=officer)
    written = make_ledger(made, entries, seed=seed)
    return {"program_id": made.program_id, "awards": len(made.ids), "ledger_entries": written}

"""Demo awards for seed_demo: two awards from applications selected in last year's call, with
payments, a C grade that cut the next tranche, and a recovery due. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from awards import services
from awards.models import Award, Tranche
from consortia.models import Application, ApplicationEvent, BudgetLine, Consortium, KpiTarget
from consortia.services import receipt_number_for
from programs.models import Call, MatchingRule, Program, RegionScheme, Track

SEOUL = dt.timezone(dt.timedelta(hours=9))

# The awarded themes: (future technology, regional key industry).
THEMES = {
    "대경 이차전지 초광역 사업단": ("하이니켈 양극재", "이차전지"),
    "경남 스마트제조 사업단": ("AI 협동로봇", "스마트 제조"),
}

# indicator, target of the first project year (the later years' targets grow linearly)
DEMO_KPI_TARGETS = [
    ("new_jobs", 50),
    ("researchers", 40),
    ("deeptech_startups", 4),
    ("papers", 10),
    ("patents_filed", 6),
]

# consortium, track code, title, notified on, starts on
AWARDS = [
    (
        "대경 이차전지 초광역 사업단",
        "super-regional",
        "이차전지 양극재 초광역 실증 (2025 선정)",
        (2025, 12, 1),
        (2026, 1, 1),
    ),
    ("경남 스마트제조 사업단", "leap", "협동로봇 스마트공장 확산 (2025 선정)", (2025, 12, 1), (2026, 3, 1)),
]


@transaction.atomic
def seed_awards(*, program: Program, officer) -> int:
    """Creates the demo's awards once; returns how many it created."""
    if Award.objects.filter(program=program).exists():
        return 0
    call = _last_years_call(program)
    created = 0
    for name, track_code, title, notified, starts in AWARDS:
        consortium = Consortium.objects.filter(name=name).first()
        if consortium is None:
            continue
        app = _selected_application(call, call.tracks.get(code=track_code), consortium, title, officer)
        award = services.create_award(
            actor=officer, application_id=app.pk, notified_on=dt.date(*notified), starts_on=dt.date(*starts)
        )
        services.record_signed_agreement(
            actor=officer, award_id=award.pk, signed_on=dt.date(*notified) + dt.timedelta(days=20)
        )
        created += 1
        _money(award, officer, first=created == 1)
    return created


def _last_years_call(program: Program) -> Call:
    year = timezone.localdate().year - 1
    call, made = Call.objects.get_or_create(
        program=program,
        year=year,
        title=f"{year}년 지역혁신 메가프로젝트 공모",
        defaults={
            "title_en": f"{year} Regional Innovation Megaproject call",
            "opens_at": dt.datetime(year, 3, 2, 9, tzinfo=SEOUL),
            "closes_at": dt.datetime(year, 5, 29, 18, tzinfo=SEOUL),
            "region_scheme": RegionScheme.objects.get(is_default=True),
            "description": "권역별 1개 내외 선정 (선정 완료)",
        },
    )
    if made:
        call.eligible_regions.set(call.region_scheme.regions.filter(is_capital_area=False))
        for code, name, cap, provinces in (
            ("super-regional", "초광역협력형", 2_000_000_000, 2),
            ("leap", "지역혁신도약형", 1_850_000_000, 1),
        ):
            Track.objects.create(
                call=call,
                code=code,
                name=name,
                national_cap_per_year_krw=cap,
                duration_years=3,
                min_provinces=provinces,
            )
        MatchingRule.objects.create(
            call=call,
            numerator_local_cash=True,
            comparison="gte",
            percent=Decimal("20"),
            base_national=True,
            base_local_cash=True,
        )
    return call


def _selected_application(
    call: Call, track: Track, consortium: Consortium, title: str, officer
) -> Application:
    contact = consortium.contacts.first()
    technology, industry = THEMES.get(consortium.name, ("", ""))
    app = Application.objects.create(
        call=call,
        track=track,
        consortium=consortium,
        title=title,
        summary=title,
        future_technology=technology,
        key_industry=industry,
        created_by=contact,
    )
    members = list(consortium.members.exclude(role="lead_government"))
    lead_gov = consortium.members.filter(role="lead_government").first()
    for year in (1, 2, 3):
        BudgetLine.objects.create(application=app, member=lead_gov, year=year, local_cash_krw=400_000_000)
        for i, member in enumerate(members):
            BudgetLine.objects.create(
                application=app,
                member=member,
                year=year,
                # The first partner's share is non-R&D (the cluster program's split).
                line="non_rnd" if i == len(members) - 1 and len(members) > 1 else "rnd",
                national_krw=1_500_000_000 // len(members),
                private_cash_krw=100_000_000 // len(members) // 10_000_000 * 10_000_000,  # round
            )
    # The plan's KPI targets per project year, so that the monitoring rollups have something to
    # measure achievement against (the reports of seed_monitoring are the actuals).
    for indicator, per_year in DEMO_KPI_TARGETS:
        for year in (1, 2, 3):
            KpiTarget.objects.create(application=app, indicator=indicator, year=year, value=per_year * year)
    # The demo's history: submitted, screened, reviewed and selected last year.
    path = ["submitted", "screening", "under_review", "selected"]
    Application.objects.filter(pk=app.pk).update(
        state="selected",
        submitted_at=dt.datetime(call.year, 5, 20, 15, tzinfo=SEOUL),
        receipt_number=receipt_number_for(app),
    )
    before = "draft"
    for state in path:
        ApplicationEvent.objects.create(
            application=app,
            actor=contact if state == "submitted" else officer,
            from_state=before,
            to_state=state,
            reason="demo" if state != "selected" else "권역 1위",
        )
        before = state
    return Application.objects.get(pk=app.pk)


def _money(award: Award, officer, *, first: bool) -> None:
    today = timezone.localdate()
    tranches = list(Tranche.objects.filter(award=award, year=1, source="national").order_by("pk"))
    for i, tranche in enumerate(tranches):
        d = services.request_disbursement(actor=officer, tranche_id=tranche.pk, amount_krw=300_000_000)
        services.approve_disbursement(actor=officer, disbursement_id=d.pk)
        services.pay_disbursement(
            actor=officer,
            disbursement_id=d.pk,
            paid_on=today - dt.timedelta(days=60 - i),
            reference=f"DEMO-{award.pk}-{i + 1}",
        )
    if first:
        # Year 1 graded C (미흡): year 2's tranches are 30 % lower; a misused amount is recovered.
        services.record_grade(
            actor=officer, award_id=award.pk, year=1, code="C", decision="핵심성과지표 달성률 62%"
        )
        services.notify_recovery(
            actor=officer,
            tranche_id=tranches[0].pk,
            amount_krw=45_000_000,
            reason="목적 외 사용 (회의비)",
            notified_on=today - dt.timedelta(days=10),
        )
    else:
        # A request waiting for the officer.
        services.request_disbursement(
            actor=award.consortium.contacts.first(), tranche_id=tranches[0].pk, amount_krw=150_000_000
        )

"""Bulk data for the monitoring benchmarks (no `generate_dataset` command on main yet): awards
with KPI targets and validated/submitted observations, and milestones, in batches so the
generator itself stays small in memory."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

BATCH = 5_000


def make_awards(n: int):
    """n bare awards (one program, one call, two tracks) with one stage of 10 years."""
    from awards.models import Award
    from consortia.models import Application, Consortium, Organisation
    from programs import reference_data
    from programs.models import Province
    from tests.factories import CallFactory, ProgramFactory, UserFactory

    reference_data.load()
    officer = UserFactory(username="bench-officer", is_staff=True, email="officer@example.org")
    contact = UserFactory(username="bench-contact", email="contact@example.org")
    program = ProgramFactory(officers=[officer])
    call = CallFactory(program=program)
    tracks = list(call.tracks.all())
    provinces = list(Province.objects.in_force_on(timezone.localdate()).exclude(code__in=["11", "28", "41"]))
    start = dt.date(timezone.localdate().year - 3, 3, 1)
    ids = []
    for lo in range(0, n, BATCH):
        size = min(BATCH, n - lo)
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"지자체 {lo + i}",
                    type="local_government",
                    province=provinces[(lo + i) % len(provinces)],
                )
                for i in range(size)
            ]
        )
        consortia = Consortium.objects.bulk_create(
            [Consortium(name=f"사업단 {lo + i}", representative=orgs[i]) for i in range(size)]
        )
        Consortium.contacts.through.objects.bulk_create(
            [Consortium.contacts.through(consortium_id=c.pk, user_id=contact.pk) for c in consortia]
        )
        apps = Application.objects.bulk_create(
            [
                Application(
                    call=call,
                    track=tracks[(lo + i) % 2],
                    consortium=consortia[i],
                    title=f"과제 {lo + i}",
                    created_by=officer,
                    state="selected",
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
                    starts_on=start,
                    ends_on=dt.date(start.year + 10, 2, 28),
                    created_by=officer,
                )
                for i in range(size)
            ]
        )
        from awards.models import AwardProvince

        AwardProvince.objects.bulk_create(
            [AwardProvince(award=a, province_id=a.lead_province_id, is_lead=True) for a in awards]
        )
        ids.extend((a.pk, a.application_id) for a in awards)
    return program, officer, contact, ids


def make_observations(award_ids, observations: int, seed: int = 1) -> int:
    """KPI targets (every indicator × 10 years) and `observations` reports, 70 % validated."""
    from consortia.choices import KpiIndicator
    from consortia.models import KpiTarget
    from monitoring.models import KpiReport

    rng = random.Random(seed)
    indicators = KpiIndicator.values
    year0 = timezone.localdate().year - 3
    user_id = _any_user_id()
    made, targets, reports = 0, [], []
    for award_id, application_id in award_ids:
        for year in range(1, 11):
            for ind in indicators:
                targets.append(
                    KpiTarget(
                        application_id=application_id,
                        indicator=ind,
                        year=year,
                        value=rng.choice([0, 10, 50, 100]),
                    )
                )
                if made < observations:
                    reports.append(
                        KpiReport(
                            award_id=award_id,
                            indicator=ind,
                            year=year,
                            calendar_year=year0 + year - 1,
                            value=rng.randrange(0, 120),
                            reported_by_id=user_id,
                            state="validated" if rng.random() < 0.7 else "submitted",
                        )
                    )
                    made += 1
                if len(reports) >= BATCH:
                    KpiReport.objects.bulk_create(reports)
                    reports = []
                if len(targets) >= BATCH:
                    KpiTarget.objects.bulk_create(targets)
                    targets = []
    KpiReport.objects.bulk_create(reports)
    KpiTarget.objects.bulk_create(targets)
    return made


def make_milestones(award_ids, milestones: int, seed: int = 2) -> int:
    """`milestones` open milestones, due between 40 days ago and 60 days ahead."""
    from monitoring.models import Milestone

    rng = random.Random(seed)
    today = timezone.localdate()
    rows, made = [], 0
    per_award = max(1, milestones // len(award_ids) + 1)
    for award_id, _ in award_ids:
        for seq in range(1, per_award + 1):
            if made >= milestones:
                break
            rows.append(
                Milestone(
                    award_id=award_id,
                    kind="planned",
                    sequence=seq,
                    title=f"산출물 {seq}",
                    due_on=today + dt.timedelta(days=rng.randrange(-40, 60)),
                )
            )
            made += 1
            if len(rows) >= BATCH:
                Milestone.objects.bulk_create(rows)
                rows = []
    Milestone.objects.bulk_create(rows)
    return made


def _any_user_id() -> int:
    from accounts.models import User

    return User.objects.order_by("pk").values_list("pk", flat=True).first()

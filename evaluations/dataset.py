"""A generated review panel at any size, for the assignment benchmark and the conflict tests:
applications with consortia, members and departments, their project directors and principal
investigators with affiliations; reviewers with current and past affiliations at the same
organisations, a few officials and sanctioned ones, some who are researchers themselves. Text is
tokenised as when it is saved, so a measured run never tokenises.

`generate_panel(n_apps, n_reviewers, seed=7)` returns (panel, officer). `varied=True` adds what the
benchmark's data leaves out, so every conflict rule has rows: declared relatives, researchers whose
affiliation's department differs from the one their member names, affiliations ended inside the
conflict window, and both of the panel's optional rules (same institution, lead province).
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.utils import timezone

TERMS = [
    "이차전지",
    "양극재",
    "음극재",
    "전고체",
    "배터리",
    "리튬",
    "소재",
    "수소",
    "연료전지",
    "그린수소",
    "저장",
    "수전해",
    "자율주행",
    "모빌리티",
    "전기차",
    "부품",
    "반도체",
    "패키징",
    "전력반도체",
    "시스템반도체",
    "인공지능",
    "데이터",
    "클라우드",
    "바이오",
    "의약품",
    "의료기기",
    "백신",
    "디지털헬스",
    "조선",
    "해양",
    "선박",
    "스마트야드",
    "항공",
    "우주",
    "드론",
    "로봇",
    "제조",
    "스마트팩토리",
    "탄소중립",
    "재생에너지",
    "태양광",
    "풍력",
    "원전",
    "소형모듈원자로",
    "농생명",
    "스마트팜",
    "식품",
    "관광",
    "콘텐츠",
    "게임",
    "메타버스",
    "양자",
    "통신",
    "6G",
    "센서",
    "디스플레이",
    "소재부품",
    "정밀화학",
    "철강",
    "금속",
    "섬유",
    "탄소섬유",
    "이산화탄소",
    "포집",
    "자원순환",
    "폐배터리",
    "재활용",
]
DEPARTMENTS = [
    f"{w}학과"
    for w in (
        "화학",
        "기계공학",
        "전자공학",
        "신소재",
        "생명과학",
        "산업공학",
        "컴퓨터공학",
        "조선해양",
        "에너지공학",
        "경영",
        "물리",
        "환경공학",
    )
] + [f"{w}연구본부" for w in ("소재", "에너지", "모빌리티", "바이오", "디지털", "제조")]


def _text(rng: random.Random, n: int) -> str:
    words = rng.sample(TERMS, n)
    return f"{' '.join(words[:3])} 기반 지역 혁신", f"{' '.join(words)} 기술을 개발하고 실증한다"


def generate_panel(n_apps: int, n_reviewers: int, *, seed: int = 7, varied: bool = False):
    """The dataset of one panel: returns (panel, officer)."""
    from django.contrib.auth import get_user_model

    from consortia.choices import OrganisationType
    from consortia.models import (
        Affiliation,
        Application,
        ApplicationPerson,
        Consortium,
        ConsortiumMember,
        Organisation,
        Person,
    )
    from evaluations import affinity
    from evaluations.models import (
        ApplicationText,
        Criterion,
        Panel,
        PanelMember,
        Reviewer,
        ReviewerAffiliation,
        Sanction,
    )
    from programs.models import Call, Program, Province, RegionScheme, Track

    rng = random.Random(seed)
    User = get_user_model()
    tag = f"b{n_apps}x{n_reviewers}-{int(time.time())}"
    today = timezone.localdate()
    provinces = list(Province.objects.in_force_on(today))
    officer = User.objects.create(username=f"officer-{tag}", name="벤치 담당관", is_staff=True)
    program = Program.objects.create(code=f"bench-{tag}", name=f"벤치 {tag}", ministry="과학기술정보통신부")
    program.officers.add(officer)
    now = timezone.now()
    call = Call.objects.create(
        program=program,
        year=2026,
        code=f"bench-{tag}",
        title=f"벤치 공모 {tag}",
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        region_scheme=RegionScheme.objects.get(is_default=True),
    )
    track = Track.objects.create(
        call=call, code="leap", name="지역혁신도약형", national_cap_per_year_krw=10**10, duration_years=3
    )
    govs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"{p.name} {tag}", type=OrganisationType.LOCAL_GOVERNMENT, province=p)
            for p in provinces
        ]
    )
    n_orgs = max(60, n_apps // 8)
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"기관 {i} {tag}",
                type=rng.choice(
                    [
                        OrganisationType.UNIVERSITY,
                        OrganisationType.SME,
                        OrganisationType.GOVERNMENT_RESEARCH_INSTITUTE,
                    ]
                ),
                province=rng.choice(provinces),
            )
            for i in range(n_orgs)
        ],
        batch_size=2000,
    )
    consortia = Consortium.objects.bulk_create(
        [Consortium(name=f"사업단 {i} {tag}", representative=rng.choice(govs)) for i in range(n_apps)],
        batch_size=2000,
    )
    members = []
    for c in consortia:
        members.append(ConsortiumMember(consortium=c, organisation=c.representative, role="lead_government"))
        for j, org in enumerate(rng.sample(orgs, 3)):
            members.append(
                ConsortiumMember(
                    consortium=c,
                    organisation=org,
                    role="lead" if j == 0 else "partner",
                    department=rng.choice(DEPARTMENTS),
                )
            )
    members = ConsortiumMember.objects.bulk_create(members, batch_size=5000)
    by_consortium: dict[int, list] = {}
    for m in members:
        if m.role != "lead_government":
            by_consortium.setdefault(m.consortium_id, []).append(m)
    texts = [_text(rng, 8) for _ in range(n_apps)]
    apps = Application.objects.bulk_create(
        [
            Application(
                call=call,
                track=track,
                consortium=c,
                title=t[:200],
                summary=s,
                created_by=officer,
                state=Application.State.UNDER_REVIEW,
                submitted_at=now - dt.timedelta(days=31, minutes=i),
            )
            for i, (c, (t, s)) in enumerate(zip(consortia, texts, strict=True))
        ],
        batch_size=2000,
    )
    # Tokenised as when saved (not part of the measured run).
    ApplicationText.objects.bulk_create(
        [
            ApplicationText(
                application=a,
                text_hash=affinity.text_hash(affinity.application_text(a, [])),
                tokens=" ".join(affinity.tokens(affinity.application_text(a, []))),
            )
            for a in apps
        ],
        batch_size=2000,
    )
    people, roles = [], []
    from django.db.models import Max

    # Researcher numbers are unique: continue after the ones an earlier run left.
    number = int(Person.objects.aggregate(m=Max("researcher_number"))["m"] or 10_000_000)
    for a in apps:
        for j, m in enumerate(by_consortium[a.consortium_id]):
            number += 1
            person = Person(name=f"연구자{number}", researcher_number=str(number))
            people.append(person)
            roles.append((a, m, person, "director" if j == 0 else "pi"))
    Person.objects.bulk_create(people, batch_size=5000)
    ApplicationPerson.objects.bulk_create(
        [ApplicationPerson(application=a, member=m, person=p, role=r) for a, m, p, r in roles],
        batch_size=5000,
    )
    Affiliation.objects.bulk_create(
        [
            Affiliation(
                person=p, organisation=m.organisation, department=m.department, since=dt.date(2015, 3, 1)
            )
            for a, m, p, r in roles
        ],
        batch_size=5000,
    )
    users = User.objects.bulk_create(
        [
            User(username=f"rev-{tag}-{i}", name=f"심사위원{i}", email=f"rev{i}@bench.kr")
            for i in range(n_reviewers)
        ],
        batch_size=2000,
    )
    researcher_people = rng.sample(people, min(len(people), n_reviewers // 20))
    reviewers = []
    for i, u in enumerate(users):
        keywords = ", ".join(rng.sample(TERMS, 4))
        reviewers.append(
            Reviewer(
                user=u,
                affiliation="",
                expertise=keywords,
                expertise_text="",
                expertise_tokens=" ".join(affinity.reviewer_tokens(keywords, "")),
                is_official=i < max(1, n_reviewers // 1000),
                person=researcher_people[i] if i < len(researcher_people) else None,
                province=rng.choice(provinces),
            )
        )
    reviewers = Reviewer.objects.bulk_create(reviewers, batch_size=2000)
    raffs = []
    for r in reviewers:
        raffs.append(
            ReviewerAffiliation(
                reviewer=r,
                organisation=rng.choice(orgs),
                department=rng.choice(DEPARTMENTS),
                since=dt.date(2018, 3, 1),
            )
        )
        if rng.random() < 0.5:
            raffs.append(
                ReviewerAffiliation(
                    reviewer=r,
                    organisation=rng.choice(orgs),
                    department=rng.choice(DEPARTMENTS),
                    since=dt.date(2010, 3, 1),
                    until=dt.date(2018, 2, 28),
                )
            )
    ReviewerAffiliation.objects.bulk_create(raffs, batch_size=5000)
    Sanction.objects.bulk_create(
        [
            Sanction(reviewer=r, decided_on=today - dt.timedelta(days=400), reason="벤치")
            for r in reviewers[n_reviewers // 1000 + 1 : n_reviewers // 1000 + 1 + max(1, n_reviewers // 200)]
        ]
    )
    if varied:
        _vary(random.Random(seed + 1), roles, reviewers, orgs, today)
    panel = Panel.objects.create(
        call=call,
        track=track,
        name=f"벤치 패널 {tag}",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
        reviewers_per_application=5,
        max_per_reviewer=15,
        conflict_same_institution=varied,
        conflict_lead_province=varied,
    )
    Criterion.objects.bulk_create(
        [
            Criterion(panel=panel, code=c, name=c, max_points=p, order=i)
            for i, (c, p) in enumerate([("plan", 30), ("fit", 20), ("org", 20), ("impact", 30)])
        ]
    )
    PanelMember.objects.bulk_create(
        [PanelMember(panel=panel, reviewer=r, pledged_at=now) for r in reviewers], batch_size=5000
    )
    return panel, officer


def _vary(rng: random.Random, roles, reviewers, orgs, today: dt.date) -> None:
    """The rows the benchmark's data lacks (its own random stream: the plain data stays the same)."""
    from consortia.models import Affiliation
    from evaluations.models import ReviewerAffiliation, ReviewerRelative, Sanction

    people = [p for _a, _m, p, _r in roles]
    # Declared relatives among the applications' people.
    n = min(len(people), max(2, len(reviewers) // 10))
    ReviewerRelative.objects.bulk_create(
        [
            ReviewerRelative(reviewer=r, person=p, relation="배우자")
            for r, p in zip(rng.sample(reviewers, n), rng.sample(people, n), strict=True)
        ]
    )
    # Researchers who moved to another department of their member's organisation: the department
    # named for the member and the one of the affiliation now differ.
    moved = rng.sample(roles, len(roles) // 3)
    Affiliation.objects.filter(person__in=[p for _a, _m, p, _r in moved]).update(
        until=today - dt.timedelta(days=30)
    )
    Affiliation.objects.bulk_create(
        [
            Affiliation(
                person=p,
                organisation=m.organisation,
                department="" if i % 4 == 0 else rng.choice(DEPARTMENTS),  # some name none
                since=today - dt.timedelta(days=29),
            )
            for i, (_a, m, p, _r) in enumerate(moved)
        ]
    )
    no_department = [m.organisation for _a, m, _p, _r in moved[::4]]
    # Reviewers: affiliations ended within the conflict window, some without a department, some
    # current at a member's organisation in a member's department.
    raffs = []
    for r in reviewers:
        roll = rng.random()
        if roll < 0.3:
            raffs.append(
                ReviewerAffiliation(
                    reviewer=r,
                    organisation=rng.choice(orgs),
                    department=rng.choice(DEPARTMENTS),
                    since=dt.date(2019, 3, 1),
                    until=today - dt.timedelta(days=rng.randint(30, 700)),
                )
            )
        elif roll < 0.4:  # no department, where a researcher names none either
            raffs.append(
                ReviewerAffiliation(
                    reviewer=r, organisation=rng.choice(no_department), since=dt.date(2020, 3, 1)
                )
            )
        elif roll < 0.6:
            _a, m, _p, _r = rng.choice(roles)
            raffs.append(
                ReviewerAffiliation(
                    reviewer=r,
                    organisation=m.organisation,
                    department=m.department,
                    since=dt.date(2021, 3, 1),
                )
            )
    ReviewerAffiliation.objects.bulk_create(raffs)
    # Two sanctions of one reviewer within 3 years, and one older than that.
    first, old = rng.sample(reviewers, 2)
    Sanction.objects.bulk_create(
        [
            Sanction(reviewer=first, decided_on=today - dt.timedelta(days=100), reason="벤치"),
            Sanction(reviewer=first, decided_on=today - dt.timedelta(days=700), reason="벤치"),
            Sanction(reviewer=old, decided_on=today - dt.timedelta(days=4 * 366), reason="벤치"),
        ]
    )

"""A generated national dataset (issue 18): reproducible from a seed, bulk-inserted, and true to
the rules the services enforce, so benchmarks and tests measure data the system could hold.

`build(scale="national"|"small", seed=N)` writes, on top of the reference data:

- one program with calls over 10 program-years (the newest open now), each with both tracks;
- organisations (the capital region over-represented), firms with valid business numbers,
  one local government per province, with the province history of the merged provinces;
- consortia of 6-12 members, led by local governments (super-regional ones by two), with
  verified staff of their representative as contacts, and one heavy contact of many consortia;
- applications in every state: at most one slot-holding application per province and track,
  state events for every non-draft one, lead-province snapshots for every submitted one;
- budget lines per member x 5 years x 4 sources meeting the call's matching rules and caps,
  KPI targets, planned milestones, researchers with affiliations and declared projects
  (within the 3책5공 limits).

Other apps extend it: `build` returns a `Dataset` whose lists of ids later steps can use.
Dates are anchored on today (the newest call is open now); everything else follows the seed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from consortia.business_number import check_digit
from consortia.choices import FIRM_TYPES, KpiIndicator, OrganisationType
from consortia.models import (
    Affiliation,
    Application,
    ApplicationEvent,
    ApplicationLeadProvince,
    ApplicationPerson,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    DeclaredProject,
    KpiTarget,
    Organisation,
    OrganisationProvinceChange,
    OrganisationStaff,
    Person,
    PlannedMilestone,
)
from programs import reference_data
from programs.models import (
    DEFAULT_EXEMPT_KINDS,
    Call,
    ConcurrencyExemption,
    MatchingRule,
    MemberTypeRequirement,
    Program,
    ProjectKind,
    Province,
    Region,
    RegionScheme,
    Track,
)

PROGRAM_CODE = "national-dataset"
PASSWORD = "bench-pass-2026"
BATCH = 2000
SEOUL = dt.timezone(dt.timedelta(hours=9))
PLAN_YEARS = 5

SCALES = {
    "national": {
        "years": 10,
        "organisations": 20_000,
        "consortia": 2_000,
        "applications": 5_000,
        "people": 30_000,
        "heavy_consortia": 40,
        "staff_per_government": 40,
    },
    "small": {
        "years": 3,
        "organisations": 300,
        "consortia": 30,
        "applications": 60,
        "people": 500,
        "heavy_consortia": 8,
        "staff_per_government": 3,
    },
}

# Local governments (one per province, as the services allow) and the province history of the
# ones whose province ended: (name, province code today, [(code before, effective_on)]).
GOVERNMENTS = [
    ("서울특별시", "11", []),
    ("부산광역시", "26", []),
    ("대구광역시", "27", []),
    ("인천광역시", "28", []),
    ("대전광역시", "30", []),
    ("울산광역시", "31", []),
    ("세종특별자치시", "36", []),
    ("경기도", "41", []),
    ("충청북도", "43", []),
    ("충청남도", "44", []),
    ("경상북도", "47", []),
    ("경상남도", "48", []),
    ("제주특별자치도", "50", []),
    ("강원특별자치도", "51", [("42", dt.date(2023, 6, 11))]),
    ("전북특별자치도", "52", [("45", dt.date(2024, 1, 18))]),
    # The merger moved both governments to the new province (the move job's result).
    ("광주광역시", "12", [("29", dt.date(2026, 7, 1))]),
    ("전라남도", "12", [("46", dt.date(2026, 7, 1))]),
]

# Where organisations are: the capital region holds about half (domain.md: GRDP share 52.5%).
PROVINCE_WEIGHTS = {
    "11": 22, "41": 24, "28": 5, "26": 6, "27": 4, "30": 5, "31": 2, "36": 1, "43": 4, "44": 5,
    "47": 5, "48": 6, "50": 1, "51": 2, "52": 3, "12": 5,
}  # fmt: skip

TYPE_WEIGHTS = [
    (OrganisationType.SME, 40),
    (OrganisationType.STARTUP, 15),
    (OrganisationType.MIDSIZE_FIRM, 8),
    (OrganisationType.LARGE_FIRM, 3),
    (OrganisationType.UNIVERSITY, 12),
    (OrganisationType.GOVERNMENT_RESEARCH_INSTITUTE, 4),
    (OrganisationType.RESEARCH_INSTITUTE, 6),
    (OrganisationType.PUBLIC_AGENCY, 7),
    (OrganisationType.NON_PROFIT, 5),
]

SYLLABLES = "한빛새누리미래대한동서남북청솔푸른하늘바다별빛온누리가람나래다온라온마루아라채움".replace(
    " ", ""
)
FIRM_WORDS = [
    "바이오", "배터리", "수소", "로보틱스", "모빌리티", "반도체", "소재", "에너지", "헬스케어", "데이터",
    "AI", "드론", "스마트팜", "디스플레이", "정밀", "화학", "메디칼", "테크", "시스템즈", "네트웍스",
]  # fmt: skip
DEPARTMENTS = [
    "기계공학과",
    "전자공학과",
    "화학공학과",
    "신소재공학과",
    "컴퓨터공학과",
    "생명과학과",
    "산학협력단",
]
FAMILY = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진"
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "지우",
    "하준",
    "서윤",
    "지호",
    "하은",
    "예준",
    "수아",
    "지민",
    "현우",
    "유진",
    "은서",
]
THEMES = [
    ("차세대 이차전지", "이차전지"), ("그린수소", "수소에너지"), ("자율주행 모빌리티", "자동차부품"),
    ("AI 스마트제조", "기계"), ("디지털 헬스케어", "바이오헬스"), ("전력반도체", "반도체"),
    ("해양 풍력", "조선해양"), ("우주항공 부품", "항공"), ("스마트팜", "농생명"), ("탄소소재", "섬유"),
]  # fmt: skip
KPIS = [
    (KpiIndicator.NEW_JOBS, 40),
    (KpiIndicator.FIRMS_ATTRACTED, 5),
    (KpiIndicator.SALES_KRW, 1_500_000_000),
    (KpiIndicator.PATENTS_FILED, 6),
    (KpiIndicator.PAPERS, 10),
    (KpiIndicator.DEEPTECH_STARTUPS, 2),
]
MILESTONES = ["핵심기술 확보", "실증 설계", "시제품 제작", "실증", "사업화 및 기업 유치"]

S = Application.State


@dataclass
class Dataset:
    """What was generated: ids for later steps (reviewers, awards, KPI observations) to build on."""

    program_id: int = 0
    call_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    consortium_ids: list[int] = field(default_factory=list)
    application_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    officer_id: int = 0
    admin_id: int = 0
    heavy_contact_id: int = 0
    counts: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def _explicit_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Lets bulk_create keep the historical timestamps we set (auto_now_add would overwrite them)."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


def business_number(rng: random.Random, taken: set[str]) -> str:
    """A unique 10-digit number whose last digit is the NTS check digit."""
    while True:
        first = f"{rng.randint(101, 899)}{rng.randint(1, 99):02d}{rng.randint(0, 9999):04d}"
        number = first + str(check_digit(first))
        if number not in taken:
            taken.add(number)
            return number


def split(total: int, n: int) -> list[int]:
    parts = [total // n] * n
    parts[-1] += total - sum(parts)  # leftover won goes to the last member
    return parts


def province_on(changes: list[tuple[dt.date, int]], current: int, day: dt.date) -> int:
    """As consortia.selectors.province_on: the first move after `day` names the province it left."""
    for effective_on, from_id in sorted(changes):
        if effective_on > day:
            return from_id
    return current


class _Builder:
    def __init__(self, scale: str, seed: int, stdout=None):
        self.cfg = SCALES[scale]
        self.rng = random.Random(seed)
        self.out = stdout
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.ds = Dataset()
        self.hash = make_password(PASSWORD)

    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)

    # -- people who log in ----------------------------------------------------------------
    def users(self) -> None:
        User = get_user_model()
        admin = User(
            username="bench-admin", name="관리자", email="bench-admin@example.kr", password=self.hash
        )
        admin.is_staff = admin.is_superuser = True
        officer = User(
            username="bench-officer", name="김민수", email="bench-officer@example.kr", is_staff=True
        )
        officer.password = self.hash
        other = User(
            username="bench-officer2", name="이서준", email="bench-officer2@example.kr", is_staff=True
        )
        other.password = self.hash
        User.objects.bulk_create([admin, officer, other])
        self.admin, self.officer = admin, officer
        self.ds.admin_id, self.ds.officer_id = admin.pk, officer.pk

    # -- program and calls ----------------------------------------------------------------
    def program(self) -> None:
        program = Program.objects.create(
            code=PROGRAM_CODE,
            name="지역혁신 메가프로젝트 (생성 데이터)",
            name_en="Regional Innovation Megaproject (generated)",
            ministry="과학기술정보통신부",
        )
        program.officers.add(self.officer)
        ConcurrencyExemption.objects.bulk_create(
            [ConcurrencyExemption(program=program, kind=k) for k in DEFAULT_EXEMPT_KINDS]
        )
        self.program_obj = program
        self.ds.program_id = program.pk
        scheme = RegionScheme.objects.get(is_default=True)
        regions = list(Region.objects.filter(scheme=scheme).prefetch_related("provinces"))
        eligible_regions = [r for r in regions if not r.is_capital_area]
        self.region_of: dict[int, int] = {}
        for r in regions:
            for p in r.provinces.all():
                self.region_of[p.pk] = r.pk
        self.calls: list[dict] = []
        years = self.cfg["years"]
        for age in range(years - 1, -1, -1):
            year = self.today.year - age
            if age == 0:
                opens = dt.datetime.combine(self.today - dt.timedelta(days=14), dt.time(9), tzinfo=SEOUL)
                closes = dt.datetime.combine(self.today + dt.timedelta(days=30), dt.time(18), tzinfo=SEOUL)
            else:
                opens = dt.datetime(year, 3, 2, 9, tzinfo=SEOUL)
                closes = dt.datetime(year, 4, 30, 18, tzinfo=SEOUL)
            call = Call.objects.create(
                program=program,
                code=f"{program.code}-{year}",
                year=year,
                title=f"{year}년 지역혁신 메가프로젝트 공모",
                title_en=f"{year} Regional Innovation Megaproject call",
                opens_at=opens,
                closes_at=closes,
                region_scheme=scheme,
            )
            call.eligible_regions.set(eligible_regions)
            tracks = Track.objects.bulk_create(
                [
                    Track(
                        call=call,
                        code="super-regional",
                        name="초광역협력형",
                        name_en="Super-regional cooperation",
                        national_cap_per_year_krw=2_000_000_000,
                        duration_years=PLAN_YEARS,
                        min_provinces=2,
                    ),
                    Track(
                        call=call,
                        code="leap",
                        name="지역혁신도약형",
                        name_en="Regional innovation leap",
                        national_cap_per_year_krw=1_850_000_000,
                        duration_years=5,
                        min_provinces=1,
                    ),
                ]
            )
            MatchingRule.objects.bulk_create(
                [
                    MatchingRule(
                        call=call,
                        numerator_local_cash=True,
                        comparison="gte",
                        percent=20,
                        base_national=True,
                        base_local_cash=True,
                    ),
                    MatchingRule(
                        call=call,
                        numerator_private_in_kind=True,
                        comparison="lte",
                        percent=50,
                        base_private_cash=True,
                        base_private_in_kind=True,
                    ),
                ]
            )
            MemberTypeRequirement.objects.create(
                call=call, organisation_type=OrganisationType.UNIVERSITY, min_count=1
            )
            opening = timezone.localdate(opens)
            eligible = {
                p.pk
                for r in eligible_regions
                for p in r.provinces.all()
                if p.effective_from <= opening and (p.effective_to is None or p.effective_to >= opening)
            }
            self.calls.append(
                {"call": call, "age": age, "tracks": tracks, "opening": opening, "eligible": eligible}
            )
            self.ds.call_ids.append(call.pk)

    # -- organisations --------------------------------------------------------------------
    def organisations(self) -> None:
        rng = self.rng
        by_code = {p.code: p for p in Province.objects.all() if p.effective_to is None}
        all_by_code: dict[str, list[Province]] = defaultdict(list)
        for p in Province.objects.all():
            all_by_code[p.code].append(p)
        governments = [
            Organisation(name=name, type=OrganisationType.LOCAL_GOVERNMENT, province=by_code[code])
            for name, code, _history in GOVERNMENTS
        ]
        n_other = self.cfg["organisations"] - len(governments)
        codes, weights = zip(*PROVINCE_WEIGHTS.items(), strict=True)
        types, type_weights = zip(*TYPE_WEIGHTS, strict=True)
        taken: set[str] = set()
        others = []
        for i in range(n_other):
            kind = rng.choices(types, type_weights)[0]
            province = by_code[rng.choices(codes, weights)[0]]
            stem = rng.choice(SYLLABLES) + rng.choice(SYLLABLES)
            if kind in FIRM_TYPES:
                name = f"(주){stem}{rng.choice(FIRM_WORDS)}"
                others.append(
                    Organisation(
                        name=name, type=kind, province=province, business_number=business_number(rng, taken)
                    )
                )
            elif kind == OrganisationType.UNIVERSITY:
                others.append(
                    Organisation(
                        name=f"{province.name[:2]}{stem}대학교",
                        type=kind,
                        province=province,
                        department=rng.choice(DEPARTMENTS),
                    )
                )
            else:
                suffix = {
                    OrganisationType.GOVERNMENT_RESEARCH_INSTITUTE: "연구원",
                    OrganisationType.RESEARCH_INSTITUTE: "기술연구소",
                    OrganisationType.PUBLIC_AGENCY: "테크노파크",
                    OrganisationType.NON_PROFIT: "산업진흥재단",
                }[kind]
                others.append(
                    Organisation(
                        name=f"{province.name[:2]}{stem}{suffix} {i % 97}", type=kind, province=province
                    )
                )
        Organisation.objects.bulk_create(governments + others, batch_size=BATCH)
        changes = []
        self.org_changes: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
        for org, (_name, _code, history) in zip(governments, GOVERNMENTS, strict=True):
            for old_code, effective_on in history:
                old = next(p for p in all_by_code[old_code])
                changes.append(
                    OrganisationProvinceChange(
                        organisation=org,
                        from_province=old,
                        to_province=org.province,
                        effective_on=effective_on,
                    )
                )
                self.org_changes[org.pk].append((effective_on, old.pk))
        OrganisationProvinceChange.objects.bulk_create(changes)
        self.governments = governments
        self.others = others
        self.by_type: dict[str, list[Organisation]] = defaultdict(list)
        for org in others:
            self.by_type[org.type].append(org)
        self.ds.organisation_ids = [o.pk for o in governments + others]

    def province_on(self, org: Organisation, day: dt.date) -> int:
        return province_on(self.org_changes.get(org.pk, []), org.province_id, day)

    # -- staff and contacts ---------------------------------------------------------------
    def staff(self) -> None:
        User = get_user_model()
        users, self.staff_of = [], defaultdict(list)
        for g in self.governments:
            for i in range(self.cfg["staff_per_government"]):
                name = self.rng.choice(FAMILY) + self.rng.choice(GIVEN)
                users.append(
                    (
                        g,
                        User(
                            username=f"gov{g.pk}-{i}",
                            name=name,
                            email=f"gov{g.pk}-{i}@example.kr",
                            password=self.hash,
                        ),
                    )
                )
        heavy = User(
            username="bench-heavy", name="박지훈", email="bench-heavy@example.kr", password=self.hash
        )
        User.objects.bulk_create([u for _g, u in users] + [heavy], batch_size=BATCH)
        self.heavy = heavy
        self.ds.heavy_contact_id = heavy.pk
        verified = self.now - dt.timedelta(days=400)
        with _explicit_timestamps(OrganisationStaff._meta.get_field("added_at")):
            OrganisationStaff.objects.bulk_create(
                [
                    OrganisationStaff(
                        organisation=g,
                        user=u,
                        added_at=verified,
                        verified_at=verified,
                        verified_by=self.admin,
                    )
                    for g, u in users
                ],
                batch_size=BATCH,
            )
        for g, u in users:
            self.staff_of[g.pk].append(u)

    # -- consortia ------------------------------------------------------------------------
    def consortia(self) -> None:
        rng = self.rng
        # Representatives lead from outside the capital region (the calls exclude it).
        capital = {"11", "28", "41"}
        code_of = {p.pk: p.code for p in Province.objects.all()}
        leaders = [g for g in self.governments if code_of[g.province_id] not in capital]
        heavy_gov = next(g for g in leaders if g.name == "경상북도")
        leads_inst = (
            self.by_type[OrganisationType.UNIVERSITY]
            + self.by_type[OrganisationType.GOVERNMENT_RESEARCH_INSTITUTE]
        )
        universities = self.by_type[OrganisationType.UNIVERSITY]
        pool = self.others
        consortia, self.plan = [], []
        for i in range(self.cfg["consortia"]):
            heavy = i < self.cfg["heavy_consortia"]
            rep = heavy_gov if heavy else rng.choice(leaders)
            super_regional = rng.random() < 0.4
            co_leads = []
            if super_regional:
                co_leads = [
                    rng.choice([g for g in leaders if g.pk != rep.pk and g.province_id != rep.province_id])
                ]
            theme, industry = rng.choice(THEMES)
            kind = "초광역" if super_regional else "도약"
            consortia.append(
                Consortium(
                    name=f"{rep.name[:2]} {theme} {kind} 사업단 {i + 1}",
                    representative=rep,
                    created_at=self.now - dt.timedelta(days=rng.randint(30, 3000)),
                )
            )
            size = rng.randint(6, 12)
            lead_inst = rng.choice(leads_inst)
            chosen = {lead_inst.pk: lead_inst}
            if lead_inst.type != OrganisationType.UNIVERSITY:
                u = rng.choice(universities)
                chosen[u.pk] = u
            while len(chosen) < size - 1 - len(co_leads):
                o = rng.choice(pool)
                chosen.setdefault(o.pk, o)
            self.plan.append(
                {
                    "rep": rep,
                    "co_leads": co_leads,
                    "lead_inst": lead_inst,
                    "members": [o for o in chosen.values() if o.pk != lead_inst.pk],
                    "super": super_regional,
                    "theme": theme,
                    "industry": industry,
                    "heavy": heavy,
                }
            )
        with _explicit_timestamps(Consortium._meta.get_field("created_at")):
            Consortium.objects.bulk_create(consortia, batch_size=BATCH)
        members, contacts = [], []
        Contact = Consortium.contacts.through
        for c, p in zip(consortia, self.plan, strict=True):
            p["consortium"] = c
            rows = [
                ConsortiumMember(consortium=c, organisation=g, role="lead_government")
                for g in [p["rep"], *p["co_leads"]]
            ]
            rows.append(ConsortiumMember(consortium=c, organisation=p["lead_inst"], role="lead"))
            for o in p["members"]:
                role = "subcontractor" if rng.random() < 0.1 else "partner"
                rows.append(ConsortiumMember(consortium=c, organisation=o, role=role))
            p["rows"] = rows
            members += rows
            staff = self.staff_of[p["rep"].pk]
            people = [self.heavy] if p["heavy"] else rng.sample(staff, min(len(staff), rng.randint(1, 2)))
            p["contact"] = people[0]
            contacts += [Contact(consortium=c, user=u) for u in people]
        ConsortiumMember.objects.bulk_create(members, batch_size=BATCH)
        Contact.objects.bulk_create(contacts, batch_size=BATCH)
        # The heavy contact is verified staff of the government it submits for.
        OrganisationStaff.objects.create(
            organisation=heavy_gov, user=self.heavy, verified_at=self.now, verified_by=self.admin
        )
        self.ds.consortium_ids = [c.pk for c in consortia]

    # -- applications ---------------------------------------------------------------------
    def _target_state(self, age: int) -> str:
        r = self.rng.random()
        if age == 0:  # open now
            return S.DRAFT if r < 0.5 else S.SUBMITTED if r < 0.85 else S.WITHDRAWN
        if age == 1:  # closed, being evaluated
            return (
                S.SCREENING if r < 0.25 else S.UNDER_REVIEW if r < 0.55 else S.NOT_SELECTED if r < 0.75
                else S.WITHDRAWN if r < 0.85 else S.DRAFT
            )  # fmt: skip
        return S.SELECTED if r < 0.15 else S.NOT_SELECTED if r < 0.8 else S.WITHDRAWN if r < 0.9 else S.DRAFT

    def applications(self) -> None:
        rng = self.rng
        n = self.cfg["applications"]
        taken: dict[tuple[int, int], set[int]] = defaultdict(set)  # (call, track) -> provinces
        selected_regions: dict[tuple[int, int], set[int]] = defaultdict(set)
        used: set[tuple[int, int]] = set()  # (consortium, call)
        apps, self.app_plan = [], []
        attempts = 0
        while len(apps) < n and attempts < n * 20:
            attempts += 1
            p = rng.choice(self.plan)
            c = rng.choice(self.calls)
            call = c["call"]
            if (p["consortium"].pk, call.pk) in used:
                continue
            track = c["tracks"][0] if p["super"] else c["tracks"][1]
            leads = [p["rep"], *p["co_leads"]]
            provinces = {self.province_on(g, c["opening"]) for g in leads}
            if len(provinces) < track.min_provinces or not provinces <= c["eligible"]:
                continue  # a merger left a super-regional consortium with one province: not this call
            used.add((p["consortium"].pk, call.pk))
            state = self._target_state(c["age"])
            key = (call.pk, track.pk)
            if state in Application.SLOT_HOLDING:
                region = self.region_of[self.province_on(p["rep"], c["opening"])]
                if taken[key] & provinces or (state == S.SELECTED and region in selected_regions[key]):
                    # The province's slot is held: this one never got past submission.
                    state = S.WITHDRAWN if c["age"] == 0 else S.NOT_SELECTED
                else:
                    taken[key] |= provinces
                    if state == S.SELECTED:
                        selected_regions[key].add(region)
            submitted_at = None
            if state != S.DRAFT and not (state == S.WITHDRAWN and rng.random() < 0.5):
                span = int((min(call.closes_at, self.now) - call.opens_at).total_seconds())
                submitted_at = call.opens_at + dt.timedelta(seconds=rng.randint(3600, max(3601, span - 60)))
            created_at = call.opens_at + dt.timedelta(hours=rng.randint(1, 24))
            if submitted_at and created_at > submitted_at:
                created_at = submitted_at - dt.timedelta(minutes=5)
            apps.append(
                Application(
                    call=call,
                    track=track,
                    consortium=p["consortium"],
                    title=f"{p['theme']} 기반 {p['rep'].name[:2]} {p['industry']} 혁신 {len(apps) + 1}",
                    future_technology=p["theme"],
                    key_industry=p["industry"],
                    summary=f"{p['theme']}와 {p['industry']}을 결합한 {track.name} 과제",
                    state=state,
                    submitted_at=submitted_at,
                    created_by=p["contact"],
                    created_at=created_at,
                )
            )
            self.app_plan.append({"plan": p, "call": c, "track": track, "provinces": provinces})
        with _explicit_timestamps(Application._meta.get_field("created_at")):
            Application.objects.bulk_create(apps, batch_size=BATCH)
        self.apps = apps
        self.ds.application_ids = [a.pk for a in apps]
        self._events()
        self._lead_provinces()

    def _events(self) -> None:
        paths = {
            S.SUBMITTED: [S.SUBMITTED],
            S.SCREENING: [S.SUBMITTED, S.SCREENING],
            S.UNDER_REVIEW: [S.SUBMITTED, S.SCREENING, S.UNDER_REVIEW],
            S.SELECTED: [S.SUBMITTED, S.SCREENING, S.UNDER_REVIEW, S.SELECTED],
            S.NOT_SELECTED: [S.SUBMITTED, S.SCREENING, S.NOT_SELECTED],
        }
        events = []
        for app, ap in zip(self.apps, self.app_plan, strict=True):
            if app.state == S.DRAFT:
                continue
            path = paths.get(app.state) or ([S.SUBMITTED, S.WITHDRAWN] if app.submitted_at else [S.WITHDRAWN])
            at = app.submitted_at or app.created_at + dt.timedelta(days=3)
            before = S.DRAFT
            for to in path:
                by_applicant = to in (S.SUBMITTED, S.WITHDRAWN)
                events.append(
                    ApplicationEvent(
                        application=app,
                        actor=ap["plan"]["contact"] if by_applicant else self.officer,
                        from_state=before,
                        to_state=to,
                        reason="" if by_applicant else "심사 진행",
                        at=at,
                    )
                )
                before, at = to, min(self.now, at + dt.timedelta(days=self.rng.randint(5, 40)))
        with _explicit_timestamps(ApplicationEvent._meta.get_field("at")):
            ApplicationEvent.objects.bulk_create(events, batch_size=BATCH)

    def _lead_provinces(self) -> None:
        province_ids = {p.pk: p for p in Province.objects.all()}
        rows = []
        for app, ap in zip(self.apps, self.app_plan, strict=True):
            if not app.submitted_at:
                continue
            p = ap["plan"]
            for g in [p["rep"], *p["co_leads"]]:
                rows.append(
                    ApplicationLeadProvince(
                        application=app,
                        organisation=g,
                        province=province_ids[self.province_on(g, ap["call"]["opening"])],
                        is_representative=g.pk == p["rep"].pk,
                    )
                )
        ApplicationLeadProvince.objects.bulk_create(rows, batch_size=BATCH)

    # -- plans: budget, KPIs, milestones --------------------------------------------------
    def plans(self) -> None:
        rng = self.rng
        lines, kpis, milestones = [], [], []
        for app, ap in zip(self.apps, self.app_plan, strict=True):
            rows = ap["plan"]["rows"]
            govs = [m for m in rows if m.role == "lead_government"]
            rest = [m for m in rows if m.role != "lead_government"]
            firms = [m for m in rest if m.organisation.type in FIRM_TYPES] or rest
            cap = ap["track"].national_cap_per_year_krw
            for year in range(1, PLAN_YEARS + 1):
                national = rng.randint(cap // 2, cap) // 1_000_000 * 1_000_000
                # Local cash 30% of national: 23% of (national + local), above the 20% rule.
                local = national * 3 // 10
                private = national // 10
                in_kind = private // 2  # a third of the private share, under the 50% rule
                nat, loc = split(national, len(rest)), split(local, len(govs))
                cash, kind = split(private, len(firms)), split(in_kind, len(firms))
                firm_index = {m.pk: i for i, m in enumerate(firms)}
                for m, won in zip(govs, loc, strict=True):
                    lines.append(BudgetLine(application=app, member=m, year=year, local_cash_krw=won))
                for m, won in zip(rest, nat, strict=True):
                    i = firm_index.get(m.pk)
                    lines.append(
                        BudgetLine(
                            application=app,
                            member=m,
                            year=year,
                            line="rnd" if rng.random() < 0.8 else "non_rnd",
                            national_krw=won,
                            private_cash_krw=cash[i] if i is not None else 0,
                            private_in_kind_krw=kind[i] if i is not None else 0,
                        )
                    )
                for indicator, base in KPIS:
                    kpis.append(KpiTarget(application=app, indicator=indicator, year=year, value=base * year))
                milestones.append(PlannedMilestone(application=app, year=year, title=MILESTONES[year - 1]))
            if len(lines) >= 20_000:
                BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
                KpiTarget.objects.bulk_create(kpis, batch_size=BATCH)
                PlannedMilestone.objects.bulk_create(milestones, batch_size=BATCH)
                lines, kpis, milestones = [], [], []
        BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
        KpiTarget.objects.bulk_create(kpis, batch_size=BATCH)
        PlannedMilestone.objects.bulk_create(milestones, batch_size=BATCH)

    # -- researchers ----------------------------------------------------------------------
    def people(self) -> None:
        rng = self.rng
        n = self.cfg["people"]
        numbers = rng.sample(range(10_000_000, 100_000_000), n)
        people = [
            Person(name=rng.choice(FAMILY) + rng.choice(GIVEN), researcher_number=f"{num:08d}")
            for num in numbers
        ]
        Person.objects.bulk_create(people, batch_size=BATCH)
        self.ds.person_ids = [p.pk for p in people]
        # Each person is on at most two applications: within 3책5공 (5, 3 as lead) with a
        # declared project besides.
        order = people * 2
        cursor = 0
        roles, affiliated = [], {}
        for app, ap in zip(self.apps, self.app_plan, strict=True):
            rows = [m for m in ap["plan"]["rows"] if m.role != "lead_government"]
            team = [(rows[0], ApplicationPerson.Role.DIRECTOR)]
            team += [(m, ApplicationPerson.Role.PRINCIPAL_INVESTIGATOR) for m in rows[1:3]]
            team += [(rng.choice(rows), ApplicationPerson.Role.RESEARCHER) for _ in range(3)]
            on_app = set()
            for member, role in team:
                while order[cursor % len(order)].pk in on_app:
                    cursor += 1
                person = order[cursor % len(order)]
                cursor += 1
                on_app.add(person.pk)
                roles.append(ApplicationPerson(application=app, member=member, person=person, role=role))
                affiliated.setdefault(person.pk, member.organisation_id)
        ApplicationPerson.objects.bulk_create(roles, batch_size=BATCH)
        affiliations, declared = [], []
        for person in people:
            org_id = affiliated.get(person.pk) or rng.choice(self.others).pk
            since = self.today - dt.timedelta(days=rng.randint(200, 4000))
            if rng.random() < 0.3:
                earlier = rng.choice(self.others).pk
                affiliations.append(
                    Affiliation(
                        person=person,
                        organisation_id=earlier,
                        since=since - dt.timedelta(days=rng.randint(400, 3000)),
                        until=since - dt.timedelta(days=1),
                    )
                )
            affiliations.append(Affiliation(person=person, organisation_id=org_id, since=since))
            if rng.random() < 0.15:
                start = self.today - dt.timedelta(days=rng.randint(0, 700))
                declared.append(
                    DeclaredProject(
                        person=person,
                        title=f"국가 R&D 과제 {person.researcher_number[-4:]}",
                        kind=ProjectKind.RESEARCH,
                        starts_on=start,
                        ends_on=start + dt.timedelta(days=rng.randint(365, 1500)),
                    )
                )
        Affiliation.objects.bulk_create(affiliations, batch_size=BATCH)
        DeclaredProject.objects.bulk_create(declared, batch_size=BATCH)

    def run(self) -> Dataset:
        steps = [
            ("users", self.users),
            ("program and calls", self.program),
            ("organisations", self.organisations),
            ("staff", self.staff),
            ("consortia", self.consortia),
            ("applications", self.applications),
            ("budgets, KPIs, milestones", self.plans),
            ("people", self.people),
        ]
        for label, step in steps:
            started = timezone.now()
            step()
            self.log(f"{label}: {(timezone.now() - started).total_seconds():.1f}s")
        for model in (
            Organisation, Consortium, ConsortiumMember, Application, ApplicationEvent, BudgetLine,
            KpiTarget, PlannedMilestone, Person, ApplicationPerson, Affiliation, DeclaredProject,
        ):  # fmt: skip
            self.ds.counts[model._meta.model_name] = model.objects.count()
        return self.ds


def build(*, scale: str = "small", seed: int = 1, stdout=None) -> Dataset:
    """Generates the dataset in one transaction on top of the reference data (loaded if missing)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: one of {', '.join(SCALES)}")
    reference_data.load()
    with transaction.atomic():
        return _Builder(scale, seed, stdout).run()

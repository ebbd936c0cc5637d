"""A realistic demo: one program, one open call with two tracks, consortia in several states.

Idempotent: a second run finds the demo and only prints the logins again.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from consortia import services as consortia_services
from consortia.choices import OrganisationType
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationPerson,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    KpiTarget,
    Organisation,
    Person,
    PlannedMilestone,
)
from consortia.services import receipt_number_for
from evaluations.models import Reviewer
from programs import reference_data, services
from programs.models import (
    DEFAULT_EXEMPT_KINDS,
    ConcurrencyExemption,
    Program,
    Province,
    RegionScheme,
)
from programs.money import format_krw

PASSWORD = "demo-pass-2026"
PROGRAM_CODE = "regional-megaproject"

# name, province code, type, business number (valid check digits)
ORGS = [
    ("경상북도", "47", OrganisationType.LOCAL_GOVERNMENT, ""),
    ("대구광역시", "27", OrganisationType.LOCAL_GOVERNMENT, ""),
    ("충청남도", "44", OrganisationType.LOCAL_GOVERNMENT, ""),
    ("전북특별자치도", "52", OrganisationType.LOCAL_GOVERNMENT, ""),
    ("경상남도", "48", OrganisationType.LOCAL_GOVERNMENT, ""),
    ("경북대학교", "27", OrganisationType.UNIVERSITY, ""),
    ("포항공과대학교", "47", OrganisationType.UNIVERSITY, ""),
    ("한국기계연구원", "30", OrganisationType.GOVERNMENT_RESEARCH_INSTITUTE, ""),
    ("충남대학교", "30", OrganisationType.UNIVERSITY, ""),
    ("전북대학교", "52", OrganisationType.UNIVERSITY, ""),
    ("경남테크노파크", "48", OrganisationType.PUBLIC_AGENCY, ""),
    ("(주)대경배터리", "47", OrganisationType.SME, "1234567891"),
    ("(주)충남수소", "44", OrganisationType.SME, "2208162517"),
    ("(주)새만금모빌리티", "52", OrganisationType.STARTUP, "1018100340"),
    ("(주)동남로보틱스", "48", OrganisationType.MIDSIZE_FIRM, "6068160523"),
]

# The theme of each application: (future technology, regional key industry), as the guideline asks.
THEMES = {
    "대경 이차전지 초광역 사업단": ("차세대 전고체 이차전지 소재", "이차전지"),
    "충남 수소에너지 사업단": ("수전해 그린수소 생산·저장", "수소에너지"),
    "전북 미래모빌리티 사업단": ("레벨4 자율주행", "미래 모빌리티"),
    "경남 스마트제조 사업단": ("AI 협동로봇", "스마트 제조"),
}

# name, representative, other lead governments, contact, members (org, role), track, state, title
CONSORTIA = [
    (
        "대경 이차전지 초광역 사업단",
        "경상북도",
        ["대구광역시"],
        "gyeongbuk",
        [("포항공과대학교", "lead"), ("경북대학교", "partner"), ("(주)대경배터리", "partner")],
        "super-regional",
        Application.State.UNDER_REVIEW,
        "차세대 이차전지 소재·부품 초광역 혁신 클러스터",
    ),
    (
        "충남 수소에너지 사업단",
        "충청남도",
        [],
        "chungnam",
        [("충남대학교", "lead"), ("한국기계연구원", "partner"), ("(주)충남수소", "partner")],
        "leap",
        Application.State.SUBMITTED,
        "그린수소 생산·저장 실증 기반 지역혁신 도약",
    ),
    (
        "전북 미래모빌리티 사업단",
        "전북특별자치도",
        [],
        "jeonbuk",
        [("전북대학교", "lead"), ("(주)새만금모빌리티", "partner")],
        "leap",
        Application.State.DRAFT,
        "새만금 자율주행 모빌리티 실증 허브",
    ),
    (
        "경남 스마트제조 사업단",
        "경상남도",
        [],
        "gyeongnam",
        [("경남테크노파크", "lead"), ("(주)동남로보틱스", "partner")],
        "leap",
        Application.State.SCREENING,
        "AI 기반 스마트 제조 로봇 지역혁신",
    ),
]


# 6억원 of national money a year, split in round amounts by the number of non-government members.
NATIONAL_SPLITS = {
    1: [600_000_000],
    2: [400_000_000, 200_000_000],
    3: [300_000_000, 200_000_000, 100_000_000],
}


class Command(BaseCommand):
    help = "Loads reference data and the demo (idempotent) and prints the demo logins."

    def handle(self, *args, **options):
        reference_data.load()
        if not Program.objects.filter(code=PROGRAM_CODE).exists():
            with transaction.atomic():
                self._seed()
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        else:
            self.stdout.write("Demo data already present.")
        from awards.demo import seed_awards

        program = Program.objects.get(code=PROGRAM_CODE)
        if seed_awards(program=program, officer=program.officers.get(username="officer")):
            self.stdout.write(self.style.SUCCESS("Demo awards created."))
        from monitoring.demo import seed_monitoring

        if seed_monitoring(program=program, officer=program.officers.get(username="officer")):
            self.stdout.write(self.style.SUCCESS("Demo milestones and KPI reports created."))
        self._print_logins()

    def _user(self, username, first, last, **extra):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "name": f"{last}{first}",
                "email": f"{username}@example.kr",
                **extra,
            },
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
        return user

    def _seed(self):
        admin = self._user("admin", "관리자", "", is_staff=True, is_superuser=True)
        officer = self._user("officer", "민수", "김", is_staff=True)
        program = Program.objects.create(
            code=PROGRAM_CODE,
            name="지역혁신 메가프로젝트",
            name_en="Regional Innovation Megaproject",
            ministry="과학기술정보통신부",
            description="지역 주력산업과 미래유망기술을 결합한 장기 대형 연구개발 사업",
        )
        program.officers.add(officer)
        ConcurrencyExemption.objects.bulk_create(
            [ConcurrencyExemption(program=program, kind=k) for k in DEFAULT_EXEMPT_KINDS]
        )
        for i, (username, first, last, affiliation, expertise) in enumerate(
            [
                ("reviewer1", "지훈", "이", "한국과학기술원", "이차전지, 소재"),
                ("reviewer2", "서연", "박", "서울대학교", "수소, 에너지"),
                ("reviewer3", "현우", "최", "한국산업기술진흥원", "모빌리티, 자율주행"),
                ("reviewer4", "지민", "정", "연세대학교", "로봇, 스마트제조"),
                ("reviewer5", "예린", "강", "한국전자통신연구원", "인공지능, 반도체"),
            ]
        ):
            # Staff: reviewers work in the admin (their own queue only).
            user = self._user(username, first, last, is_staff=True)
            Reviewer.objects.create(
                user=user,
                affiliation=affiliation,
                expertise=expertise,
                department=f"연구부 {i + 1}",
            )

        today = timezone.localdate()
        in_force = {p.code: p for p in Province.objects.in_force_on(today)}
        orgs = {}
        for name, code, kind, brn in ORGS:
            orgs[name] = Organisation.objects.create(
                name=name, type=kind, province=in_force[code], business_number=brn
            )

        scheme = RegionScheme.objects.get(is_default=True)
        regions = list(scheme.regions.filter(is_capital_area=False))
        seoul = dt.timezone(dt.timedelta(hours=9))
        opens = dt.datetime.combine(today - dt.timedelta(days=14), dt.time(9, 0), tzinfo=seoul)
        closes = dt.datetime.combine(today + dt.timedelta(days=30), dt.time(18, 0), tzinfo=seoul)
        call = services.create_call(
            actor=admin,
            program=program,
            code=f"megaproject-{today.year}",
            year=today.year,
            title=f"{today.year}년 지역혁신 메가프로젝트 공모",
            title_en=f"{today.year} Regional Innovation Megaproject call",
            description="권역별 1개 내외 선정. 국비 3년간 약 55억원, 지방비 20% 이상 매칭.",
            opens_at=opens,
            closes_at=closes,
            region_scheme=scheme,
            eligible_regions=regions,
            cutoff_score=Decimal("70"),
            tracks=[
                {
                    "code": "super-regional",
                    "name": "초광역협력형",
                    "name_en": "Super-regional cooperation",
                    "national_cap_per_year_krw": 2_000_000_000,
                    "duration_years": 3,
                    "min_provinces": 2,
                    "quota_per_region": 1,
                },
                {
                    "code": "leap",
                    "name": "지역혁신도약형",
                    "name_en": "Regional innovation leap",
                    "national_cap_per_year_krw": 1_800_000_000,
                    "duration_years": 3,
                    "min_provinces": 1,
                    "quota_per_region": 1,
                },
            ],
            matching_rules=[
                {
                    "numerator_local_cash": True,
                    "comparison": "gte",
                    "percent": Decimal("20"),
                    "base_national": True,
                    "base_local_cash": True,
                },
                {
                    "numerator_private_in_kind": True,
                    "comparison": "lte",
                    "percent": Decimal("50"),
                    "base_private_cash": True,
                    "base_private_in_kind": True,
                },
            ],
            member_requirements=[
                {"organisation_type": OrganisationType.UNIVERSITY, "min_count": 1},
            ],
            required_documents=["proposal"],
        )
        call.guideline.save("guideline-demo.pdf", ContentFile(guideline_pdf(call)), save=True)
        tracks = {t.code: t for t in call.tracks.all()}
        for name, rep, co_leads, username, members, track, state, title in CONSORTIA:
            contact = self._user(username, "담당자", name[:2])
            consortium = Consortium.objects.create(name=name, representative=orgs[rep])
            consortium.contacts.add(contact)
            for gov in [rep, *co_leads]:
                # The demo applicant is verified staff of the governments it acts for.
                consortia_services.add_staff(actor=admin, organisation=orgs[gov], user=contact, verified=True)
                ConsortiumMember.objects.create(
                    consortium=consortium, organisation=orgs[gov], role="lead_government"
                )
            member_rows = [
                ConsortiumMember.objects.create(consortium=consortium, organisation=orgs[o], role=role)
                for o, role in members
            ]
            app = Application.objects.create(
                call=call,
                track=tracks[track],
                consortium=consortium,
                title=title,
                future_technology=THEMES[name][0],
                key_industry=THEMES[name][1],
                summary=f"{title}: 지역 주력산업과 미래유망기술을 결합한 {tracks[track].name} 과제",
                created_by=contact,
            )
            lead_gov = consortium.members.get(organisation=orgs[rep])
            # Round amounts, as plans are written: the lead institution takes the larger national
            # share, firms bring the private match (cash and in kind).
            national = NATIONAL_SPLITS[len(member_rows)]
            firms = [m for m in member_rows if m.organisation.is_firm] or member_rows[-1:]
            for year in (1, 2, 3):
                # Local matching cash comes from the lead local government: 21% of national + local.
                BudgetLine.objects.create(
                    application=app, member=lead_gov, year=year, local_cash_krw=160_000_000
                )
                for m, national_krw in zip(member_rows, national, strict=True):
                    private = m in firms
                    BudgetLine.objects.create(
                        application=app,
                        member=m,
                        year=year,
                        national_krw=national_krw,
                        private_cash_krw=40_000_000 // len(firms) if private else 0,
                        private_in_kind_krw=20_000_000 // len(firms) if private else 0,
                    )
            for indicator, per_year in (("new_jobs", 40), ("patents_filed", 6), ("sales_krw", 1_500_000_000)):
                for year in (1, 2, 3):
                    KpiTarget.objects.create(
                        application=app, indicator=indicator, year=year, value=per_year * year
                    )
            for year, title in (
                (1, "핵심기술 확보 및 실증 설계"),
                (2, "시제품 제작 및 실증"),
                (3, "사업화 및 기업 유치"),
            ):
                PlannedMilestone.objects.create(application=app, year=year, title=title)
            director = Person.objects.create(
                name=f"{name[:2]} 사업단장", researcher_number=f"{10000000 + app.pk * 10:08d}"
            )
            ApplicationPerson.objects.create(
                application=app, member=member_rows[0], person=director, role=ApplicationPerson.Role.DIRECTOR
            )
            if state != Application.State.DRAFT:
                # The call requires the plan; the draft is left for the applicant to upload.
                plan = korean_pdf([(18, title), (12, f"{name} 사업계획서 (데모)"), (11, app.summary)])
                document = ApplicationDocument(
                    application=app,
                    kind=ApplicationDocument.Kind.PROPOSAL,
                    original_name="사업계획서.pdf",
                    content_type="application/pdf",
                    size=len(plan),
                    uploaded_by=contact,
                )
                document.file.save("plan.pdf", ContentFile(plan), save=True)
            path = [
                (
                    Application.State.SUBMITTED,
                    "submit",
                    {"at": opens + dt.timedelta(days=3)},
                    contact,
                ),
                (Application.State.SCREENING, "start_screening", {}, officer),
                (Application.State.UNDER_REVIEW, "start_review", {}, officer),
            ]
            for target, method, kwargs, actor in path:
                if app.state == state:
                    break
                before = app.state
                getattr(app, method)(**kwargs)
                if method == "submit":
                    app.receipt_number = receipt_number_for(app)  # 접수번호, as submission assigns it
                app.save()
                if method == "submit":
                    consortia_services.snapshot_lead_provinces(app)
                ApplicationEvent.objects.create(
                    application=app, actor=actor, from_state=before, to_state=target, reason="demo"
                )

        self._seed_panel(call, officer)

    def _seed_panel(self, call, officer):
        """A written-review panel on the super-regional track: five reviewers, three assigned to the
        application under review, one score in, one draft, one agency official's conflict waived."""
        from evaluations import services as evaluation
        from evaluations.models import Reviewer

        now = timezone.now()
        reviewers = {r.user.username: r for r in Reviewer.objects.select_related("user")}
        Reviewer.objects.filter(user__username="reviewer3").update(is_official=True)  # 한국산업기술진흥원
        panel = evaluation.create_panel(
            actor=officer,
            call=call,
            track=call.tracks.get(code="super-regional"),
            name=f"{call.title} 초광역협력형 서면평가",
            opens_at=now - dt.timedelta(days=1),
            closes_at=dt.datetime.combine(
                timezone.localdate() + dt.timedelta(days=14),
                dt.time(18),
                tzinfo=timezone.get_current_timezone(),
            ),
            reviewers_per_application=3,
            max_per_reviewer=5,
            bonus_cap=Decimal("3"),
            criteria=[
                {"code": "planning", "name": "사업계획의 타당성", "max_points": "30"},
                {"code": "fit", "name": "지역 적합성", "max_points": "20"},
                {"code": "organisation", "name": "추진체계", "max_points": "20"},
                {"code": "impact", "name": "기대효과", "max_points": "30"},
            ],
            bonus_items=[{"code": "capital-move", "name": "수도권 기업 이전", "max_points": "3"}],
            tie_break="impact",
        )
        for username in ("reviewer2", "reviewer1", "reviewer3", "reviewer4", "reviewer5"):
            evaluation.add_panel_member(
                actor=officer,
                panel_id=panel.pk,
                reviewer_id=reviewers[username].pk,
                is_chair=username == "reviewer2",
            )
        evaluation.recompute_conflicts(panel_id=panel.pk)
        app = Application.objects.get(call=call, state=Application.State.UNDER_REVIEW)
        evaluation.waive_conflict(
            actor=officer,
            panel_id=panel.pk,
            application_id=app.pk,
            reviewer_id=reviewers["reviewer3"].pk,
            reason="모빌리티 분야 평가위원이 부족하여 전문성이 필요함(시행령 제27조 단서)",
        )
        assignments = {
            username: evaluation.assign_reviewer(
                actor=officer, panel_id=panel.pk, application_id=app.pk, reviewer_id=reviewers[username].pk
            )
            for username in ("reviewer1", "reviewer2", "reviewer3")
        }
        for username in ("reviewer2", "reviewer3"):
            evaluation.sign_pledge(actor=reviewers[username].user, panel_id=panel.pk)
        evaluation.save_score(
            actor=reviewers["reviewer2"].user,
            assignment_id=assignments["reviewer2"].pk,
            points={"planning": "26", "fit": "17", "organisation": "16", "impact": "25"},
            comment="초광역 협력 구조가 명확함",
            submit=True,
        )
        evaluation.save_score(
            actor=reviewers["reviewer3"].user,
            assignment_id=assignments["reviewer3"].pk,
            points={"planning": "24", "fit": "18"},
        )

    def _print_logins(self):
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"Megaproject demo logins (password for all: {PASSWORD})",
                    "  admin      administrator (Django admin at /admin/)",
                    "  officer    ministry officer of 지역혁신 메가프로젝트",
                    "  reviewer1..reviewer5   reviewers (reviewer1: /admin/ → pledge → score)",
                    "  gyeongbuk, chungnam, jeonbuk, gyeongnam   applicants (one per consortium)",
                    "",
                ]
            )
        )


def guideline_pdf(call) -> bytes:
    """The demo call's guideline (공고문) in Korean: a one-page PDF the seed writes itself."""
    tracks = [
        (11, f"{t.name}: 연간 국비 {format_krw(t.national_cap_per_year_krw)} 이내, {t.duration_years}년")
        for t in call.tracks.all()
    ]
    return korean_pdf(
        [
            (18, call.title),
            (11, "과학기술정보통신부 공고 (데모)"),
            (13, "1. 사업 목적"),
            (11, "지역 주력산업과 미래유망기술을 결합한 장기 대형 연구개발 사업단을 육성합니다."),
            (13, "2. 지원 유형과 규모"),
            *tracks,
            (11, "권역별 1개 내외 선정, 지방비는 (국비 + 지방비)의 20% 이상 현금 매칭"),
            (13, "3. 신청 자격"),
            (11, "비수도권 광역지방자치단체가 대표하는 사업단 (초광역협력형은 2개 이상 시·도)"),
            (13, "4. 접수 기간"),
            (
                11,
                f"{timezone.localtime(call.opens_at):%Y-%m-%d %H:%M}부터 "
                f"{timezone.localtime(call.closes_at):%Y-%m-%d %H:%M}까지 (한국 표준시)",
            ),
            (13, "5. 제출 서류"),
            (11, "사업계획서(PDF 또는 HWP), 지방비 매칭 확약서, 사업단 구성 협약서"),
        ]
    )


def korean_pdf(lines: list[tuple[int, str]]) -> bytes:
    """A one-page PDF of Korean text lines (size, text), in the standard Adobe-Korea1 font.

    HYSMyeongJo-Medium with the UniKS-UCS2-H CMap is one of PDF's predefined CJK fonts: viewers
    supply it (Chrome and pdf.js with the system's Korean fonts), so nothing is embedded.
    """
    ops = ["BT", "60 780 Td"]
    for size, text in lines:
        ops.append(f"/F1 {size} Tf")
        ops.append(f"<{text.encode('utf-16-be').hex().upper()}> Tj")
        ops.append(f"0 -{int(size * 2)} Td")
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HYSMyeongJo-Medium /Encoding /UniKS-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HYSMyeongJo-Medium "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Korea1) /Supplement 1 >> "
        b"/FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>",
        b"<< /Type /FontDescriptor /FontName /HYSMyeongJo-Medium /Flags 6 "
        b"/FontBBox [-88 -88 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 "
        b"/StemV 80 >>",
    ]
    return _pdf(objects)


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)

"""Factories for every app (one module: apps' objects reference each other)."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from consortia.choices import OrganisationType
from consortia.models import Application, Consortium, ConsortiumMember, Organisation, OrganisationStaff
from evaluations.models import Reviewer
from programs.models import Call, MatchingRule, Program, Province, Region, RegionScheme, Track

KST = dt.timezone(dt.timedelta(hours=9))


def province(code: str, on: dt.date | None = None) -> Province:
    return Province.objects.in_force_on(on or timezone.localdate()).get(code=code)


def default_scheme() -> RegionScheme:
    return RegionScheme.objects.get(is_default=True)


def region(code: str) -> Region:
    return default_scheme().regions.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.kr")
    name = "홍길동"
    password = factory.PostGenerationMethodCall("set_password", "pw")

    class Params:
        reviewer = factory.Trait(
            profile=factory.RelatedFactory("tests.factories.ReviewerFactory", factory_related_name="user")
        )

    @factory.post_generation
    def save_again(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reviewer

    user = factory.SubFactory(UserFactory)
    affiliation = "한국과학기술원"
    expertise = "이차전지, 소재"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"program-{n}")
    name = factory.Sequence(lambda n: f"지역혁신 메가프로젝트 {n}")
    ministry = "과학기술정보통신부"

    @factory.post_generation
    def officers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.officers.add(*extracted)


def officer_of(program: Program, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    program.officers.add(user)
    return user


class CallFactory(factory.django.DjangoModelFactory):
    """An open call (opened 10 days ago, closes in 20 days at 18:00 KST), 2 tracks, 20% local match."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    program = factory.SubFactory(ProgramFactory)
    year = 2026
    title = factory.Sequence(lambda n: f"2026년 메가프로젝트 공모 {n}")
    opens_at = factory.LazyFunction(
        lambda: dt.datetime.combine(timezone.localdate() - dt.timedelta(days=10), dt.time(9), tzinfo=KST)
    )
    closes_at = factory.LazyFunction(
        lambda: dt.datetime.combine(timezone.localdate() + dt.timedelta(days=20), dt.time(18), tzinfo=KST)
    )
    region_scheme = factory.LazyFunction(default_scheme)
    cutoff_score = Decimal("70")

    @factory.post_generation
    def eligible_regions(obj, create, extracted, **kwargs):
        if create:
            obj.eligible_regions.set(
                extracted
                if extracted is not None
                else obj.region_scheme.regions.filter(is_capital_area=False)
            )

    @factory.post_generation
    def tracks(obj, create, extracted, **kwargs):
        if create and extracted is None:
            TrackFactory(call=obj, code="super-regional", name="초광역협력형", min_provinces=2)
            TrackFactory(call=obj, code="leap", name="지역혁신도약형")

    @factory.post_generation
    def matching(obj, create, extracted, **kwargs):
        if create and extracted is None:
            MatchingRule.objects.create(
                call=obj,
                numerator_local_cash=True,
                comparison="gte",
                percent=Decimal("20"),
                base_national=True,
                base_local_cash=True,
            )


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    call = factory.SubFactory(CallFactory, tracks=False)
    code = factory.Sequence(lambda n: f"track-{n}")
    name = "지역혁신도약형"
    national_cap_per_year_krw = 2_000_000_000
    duration_years = 3
    min_provinces = 1
    quota_per_region = 1


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"기관 {n}")
    type = OrganisationType.UNIVERSITY
    province = factory.LazyFunction(lambda: province("47"))


def verified_staff(organisation: Organisation, user) -> OrganisationStaff:
    """The user works for the organisation, as an administrator has confirmed."""
    row, _ = OrganisationStaff.objects.get_or_create(organisation=organisation, user=user)
    if row.verified_at is None:
        row.verified_at = timezone.now()
        row.save(update_fields=["verified_at"])
    return row


class ConsortiumFactory(factory.django.DjangoModelFactory):
    """Its contacts are verified staff of the representative local government (they act for it)."""

    class Meta:
        model = Consortium
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"사업단 {n}")
    representative = factory.SubFactory(OrganisationFactory, type=OrganisationType.LOCAL_GOVERNMENT)

    @factory.post_generation
    def contacts(obj, create, extracted, **kwargs):
        if create:
            contacts = extracted or [UserFactory()]
            obj.contacts.add(*contacts)
            for user in contacts:
                verified_staff(obj.representative, user)
            ConsortiumMember.objects.get_or_create(
                consortium=obj,
                organisation=obj.representative,
                defaults={"role": "lead_government"},
            )


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    track = factory.LazyAttribute(lambda a: a.call.tracks.order_by("-code").first())
    consortium = factory.SubFactory(ConsortiumFactory)
    title = factory.Sequence(lambda n: f"과제 {n}")
    created_by = factory.LazyAttribute(lambda a: a.consortium.contacts.first())


def submitted(application: Application, at: dt.datetime | None = None) -> Application:
    """Moves a factory application to submitted the way a fixture may (no rule checks), with the
    lead provinces snapshot that submit takes."""
    from consortia.services import snapshot_lead_provinces

    Application.objects.filter(pk=application.pk).update(
        state=Application.State.SUBMITTED, submitted_at=at or timezone.now()
    )
    application = Application.objects.select_related("call", "consortium").get(pk=application.pk)
    snapshot_lead_provinces(application)
    return Application.objects.get(pk=application.pk)


def complete_application(
    *, call=None, track_code: str = "leap", province_code: str = "47", **kwargs
) -> Application:
    """A draft that meets the default call's rules: lead government of `province_code`, a
    university lead institution and an SME partner, a 3-year budget with 20% local cash."""
    from consortia.models import BudgetLine

    call = call or CallFactory()
    track = call.tracks.get(code=track_code)
    gov = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT, province=province(province_code))
    contact = UserFactory()
    consortium = ConsortiumFactory(representative=gov, contacts=[contact])
    uni = ConsortiumMember.objects.create(
        consortium=consortium, organisation=OrganisationFactory(), role=ConsortiumMember.Role.LEAD_INSTITUTION
    )
    firm = ConsortiumMember.objects.create(
        consortium=consortium,
        organisation=OrganisationFactory(type=OrganisationType.SME, business_number=next(_brns)),
        role=ConsortiumMember.Role.PARTNER,
    )
    lead_gov = consortium.members.get(organisation=gov)
    app = ApplicationFactory(call=call, track=track, consortium=consortium, created_by=contact, **kwargs)
    for year in range(1, track.duration_years + 1):
        BudgetLine.objects.create(application=app, member=uni, year=year, national_krw=800_000_000)
        BudgetLine.objects.create(
            application=app,
            member=firm,
            year=year,
            national_krw=200_000_000,
            private_cash_krw=100_000_000,
            private_in_kind_krw=50_000_000,
        )
        BudgetLine.objects.create(application=app, member=lead_gov, year=year, local_cash_krw=250_000_000)
    return app


def _valid_brns():
    from consortia.business_number import check_digit

    n = 100000000
    while True:
        n += 7
        nine = f"{n:09d}"
        yield nine + str(check_digit(nine))


_brns = _valid_brns()


# --- evaluation ---------------------------------------------------------------------------------

RUBRIC = [
    {"code": "planning", "name": "사업계획", "max_points": "30"},
    {"code": "fit", "name": "지역 적합성", "max_points": "20"},
    {"code": "organisation", "name": "추진체계", "max_points": "20"},
    {"code": "impact", "name": "기대효과", "max_points": "30"},
]


def make_panel(*, call=None, track_code: str = "leap", officer=None, **settings):
    """A panel through the real service: the default rubric (30/20/20/30), scoring open now."""
    from evaluations.services import create_panel

    call = call or CallFactory()
    officer = officer or officer_of(call.program)
    now = timezone.now()
    settings.setdefault("opens_at", now - dt.timedelta(days=1))
    settings.setdefault("closes_at", now + dt.timedelta(days=7))
    settings.setdefault("criteria", RUBRIC)
    settings.setdefault("name", f"{call.title} 서면평가")
    return create_panel(actor=officer, call=call, track=call.tracks.get(code=track_code), **settings)


def under_review(application: Application, at: dt.datetime | None = None) -> Application:
    """A factory application moved to under review the way a fixture may (no rule checks)."""
    Application.objects.filter(pk=application.pk).update(
        state=Application.State.UNDER_REVIEW, submitted_at=at or timezone.now()
    )
    return Application.objects.get(pk=application.pk)


def seat(panel, reviewer=None, *, pledged: bool = True, **kwargs):
    """Seats a reviewer (a new one by default) on the panel, pledge signed."""
    from evaluations.models import PanelMember

    reviewer = reviewer or ReviewerFactory(**kwargs)
    member, _ = PanelMember.objects.get_or_create(panel=panel, reviewer=reviewer)
    if pledged:
        PanelMember.objects.filter(pk=member.pk).update(pledged_at=timezone.now())
    return reviewer


def assign(panel, application, reviewer):
    from evaluations.models import Assignment

    return Assignment.objects.create(panel=panel, application=application, reviewer=reviewer)

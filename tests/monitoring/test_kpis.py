"""Issue 17 items 3-4: KPI reports (validated or returned by officers) and rollups in the
database equal to a hand-written SQL GROUP BY over generated data."""

import random
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from awards.models import AwardProvince
from consortia.choices import KpiIndicator
from consortia.models import KpiTarget
from monitoring import rollups, selectors, services
from monitoring.exceptions import InvalidReport
from monitoring.indicators import CATALOGUE, Unit
from monitoring.models import KpiReport, KpiRollup
from tests.awards.helpers import selected_application
from tests.factories import CallFactory, ProgramFactory, UserFactory, officer_of
from tests.monitoring.helpers import contact_of, make_award, officer_of_award, pdf

pytestmark = pytest.mark.django_db


def test_every_indicator_has_a_unit():
    assert CATALOGUE[KpiIndicator.SALES_KRW].unit == Unit.KRW
    assert CATALOGUE[KpiIndicator.NEW_JOBS_YOUTH].part_of == KpiIndicator.NEW_JOBS


def test_applicant_reports_and_officer_validates_or_returns(django_capture_on_commit_callbacks):
    award = make_award()
    contact, officer = contact_of(award), officer_of_award(award)
    report = services.report_kpi(
        actor=contact, award_id=award.pk, indicator="papers", year=1, value=4, evidence=pdf("papers.pdf")
    )
    assert report.calendar_year == award.starts_on.year
    with pytest.raises(InvalidReport):
        services.report_kpi(actor=contact, award_id=award.pk, indicator="papers", year=1, value=5)
    with pytest.raises(InvalidReport):
        services.report_kpi(actor=contact, award_id=award.pk, indicator="papers", year=99, value=5)
    with pytest.raises(InvalidReport):
        services.report_kpi(actor=contact, award_id=award.pk, indicator="jobs", year=1, value=5)
    services.return_kpi(actor=officer, report_id=report.pk, reason="증빙 부족")
    services.report_kpi(actor=contact, award_id=award.pk, indicator="papers", year=1, value=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.validate_kpi(actor=officer, report_id=report.pk)
    assert KpiReport.objects.get(pk=report.pk).state == "validated"
    # The validation refreshed its program and year.
    row = KpiRollup.objects.get(
        level="award", subject_id=award.pk, indicator="papers", year=report.calendar_year
    )
    assert row.actual == 3


@pytest.mark.parametrize("who", ["other_applicant", "reviewer", "other_officer", "own_officer"])
def test_outsiders_cannot_report(who):
    award = make_award()
    actor = {
        "other_applicant": lambda: contact_of(make_award()),
        "reviewer": lambda: UserFactory(reviewer=True),
        "other_officer": lambda: officer_of(ProgramFactory()),
        "own_officer": lambda: officer_of_award(award),  # the consortium reports, not the officer
    }[who]()
    with pytest.raises(PermissionDenied):
        services.report_kpi(actor=actor, award_id=award.pk, indicator="papers", year=1, value=1)


def test_outsiders_cannot_validate():
    award = make_award()
    report = services.report_kpi(
        actor=contact_of(award), award_id=award.pk, indicator="papers", year=1, value=1
    )
    for actor in (contact_of(award), officer_of(ProgramFactory()), UserFactory(reviewer=True)):
        with pytest.raises(PermissionDenied):
            services.validate_kpi(actor=actor, report_id=report.pk)


def test_a_zero_target_shows_a_dash_and_achievement_is_a_ratio_of_sums():
    assert rollups.achievement(5, 0) is None
    assert selectors.format_achievement(None) == "—"
    # Two awards: 1/1 and 1/9 -> ratio of sums 2/10, not the mean of rates (0.5556).
    assert rollups.achievement(1 + 1, 1 + 9) == Fraction(1, 5)


def _generate(seed: int = 7):
    rng = random.Random(seed)
    program = ProgramFactory()
    officer = officer_of(program)
    calls = [CallFactory(program=program)]
    awards = []
    for i in range(6):
        app = selected_application(
            call=calls[0],
            province_code=rng.choice(["47", "44", "43", "48"]),
            track_code=rng.choice(["leap", "super-regional"]) if i else "leap",
        )
        for ind in rng.sample(KpiIndicator.values, 5):
            for year in (1, 2, 3):
                KpiTarget.objects.get_or_create(
                    application=app, indicator=ind, year=year, defaults={"value": rng.choice([0, 5, 10, 100])}
                )
        awards.append(make_award(application=app, officer=officer))
    # A super-regional award counts in each of its provinces.
    AwardProvince.objects.get_or_create(
        award=awards[1], province=AwardProvince.objects.exclude(award=awards[1]).first().province
    )
    for award in awards:
        contact = contact_of(award)
        for ind in rng.sample(KpiIndicator.values, 6):
            for year in (1, 2):
                r = services.report_kpi(
                    actor=contact, award_id=award.pk, indicator=ind, year=year, value=rng.randrange(0, 50)
                )
                choice = rng.random()
                if choice < 0.6:
                    services.validate_kpi(actor=officer, report_id=r.pk)
                elif choice < 0.8:
                    services.return_kpi(actor=officer, report_id=r.pk, reason="x")
    return program


HAND_WRITTEN = """
    SELECT {subject} AS subject, f.year, f.indicator, SUM(f.actual), SUM(f.target)
      FROM (SELECT r.award_id, r.indicator, r.calendar_year AS year, r.value AS actual, 0 AS target
              FROM monitoring_kpireport r WHERE r.state = 'validated'
            UNION ALL
            SELECT a.id, t.indicator, {year} + t.year - 1, 0, t.value
              FROM consortia_kpitarget t JOIN awards_award a ON a.application_id = t.application_id) f
      JOIN awards_award aw ON aw.id = f.award_id {join}
     WHERE aw.program_id = %s
     GROUP BY {subject}, f.year, f.indicator
"""


def _by_hand(program_id: int, level: str) -> set[tuple]:
    subject, join = {
        "award": ("aw.id", ""),
        "track": ("aw.track_id", ""),
        "region": ("ap.province_id", "JOIN awards_awardprovince ap ON ap.award_id = aw.id"),
        "program": ("aw.program_id", ""),
    }[level]
    year = (
        "CAST(EXTRACT(YEAR FROM a.starts_on) AS integer)"
        if connection.vendor == "postgresql"
        else "CAST(strftime('%%Y', a.starts_on) AS integer)"
    )
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN.format(subject=subject, join=join, year=year), [program_id])
        return {tuple(int(v) if not isinstance(v, str) else v for v in row) for row in cursor.fetchall()}


def test_rollups_equal_a_hand_written_group_by(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        program = _generate()
    assert KpiReport.objects.filter(state="validated").exists()
    for full in (False, True):
        if full:
            KpiRollup.objects.all().delete()
            rollups.rebuild_all()
        for level in ("award", "track", "region", "program"):
            stored = set(
                KpiRollup.objects.filter(program=program, level=level).values_list(
                    "subject_id", "year", "indicator", "actual", "target"
                )
            )
            assert stored == _by_hand(program.pk, level), (level, full)
    # Only validated actuals count.
    validated = sum(KpiReport.objects.filter(state="validated").values_list("value", flat=True))
    assert sum(KpiRollup.objects.filter(level="program").values_list("actual", flat=True)) == validated


def test_rollup_list_queries_are_bounded(django_assert_max_num_queries, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        program = _generate(3)
    with django_assert_max_num_queries(2):
        rows = selectors.rollup_rows(program_ids=[program.pk], level="region")
    assert rows and all("subject" in r for r in rows)


def test_a_rebuild_after_changes_writes_only_what_changed_and_still_equals_the_group_by(
    django_capture_on_commit_callbacks,
):
    """The rebuild upserts new and changed rows and deletes vanished ones: after a value changes,
    a target disappears and a report leaves the validated state, it equals the GROUP BY again."""
    from consortia.models import KpiTarget

    with django_capture_on_commit_callbacks(execute=True):
        program = _generate()
    rollups.rebuild_all()
    assert rollups.rebuild_all() == 0  # nothing changed: nothing written
    validated = KpiReport.objects.filter(state="validated").order_by("pk")
    KpiReport.objects.filter(pk=validated[0].pk).update(value=validated[0].value + 7)
    KpiReport.objects.filter(pk=validated[1].pk).update(state="returned")
    target = KpiTarget.objects.filter(application__award__program=program).order_by("pk").first()
    KpiTarget.objects.filter(indicator=target.indicator, application=target.application).delete()
    assert rollups.rebuild_all() > 0
    for level in ("award", "track", "region", "program"):
        stored = set(
            KpiRollup.objects.filter(program=program, level=level).values_list(
                "subject_id", "year", "indicator", "actual", "target"
            )
        )
        assert stored == _by_hand(program.pk, level), level

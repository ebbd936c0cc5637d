"""Per-firm cost sharing by firm size (domain.md): a versioned rate table a call may switch on,
checked per firm and year in exact integers; off for calls that match at the consortium level."""

import datetime as dt

import pytest

from consortia.models import BudgetLine
from consortia.rules import check_application
from programs.models import CostShareRate
from tests.factories import CallFactory, complete_application

pytestmark = pytest.mark.django_db


def _firm_lines(app, *, national: int, cash: int, in_kind: int) -> None:
    BudgetLine.objects.filter(application=app, member__organisation__type="sme").update(
        national_krw=national, private_cash_krw=cash, private_in_kind_krw=in_kind
    )


def _cost_share(app) -> list:
    return [f for f in check_application(app) if f.rule.startswith("cost_share.")]


@pytest.fixture
def app():
    return complete_application(call=CallFactory(per_firm_cost_sharing=True))


def test_the_seeded_rates_are_a_table_not_constants():
    sme = CostShareRate.objects.get(organisation_type="sme")
    assert (sme.government_max_percent, sme.own_cash_min_percent) == (75, 10)
    assert CostShareRate.objects.get(organisation_type="large_firm").government_max_percent == 50


def test_a_government_share_exactly_at_the_rate_passes_and_one_won_over_fails(app):
    _firm_lines(app, national=300_000_000, cash=100_000_000, in_kind=0)  # 75.00 %
    assert _cost_share(app) == []
    _firm_lines(app, national=300_000_001, cash=100_000_000, in_kind=0)
    failures = _cost_share(app)
    assert {f.rule for f in failures} == {"cost_share.government_share"}
    firm = BudgetLine.objects.filter(application=app, member__organisation__type="sme").first().member
    assert {f.member_id for f in failures} == {firm.pk}
    assert sorted(f.year for f in failures) == [
        app.call.calendar_year(y) for y in range(1, len(failures) + 1)
    ]
    assert "75.00%" in failures[0].message and "75%" in failures[0].message  # truncated, never rounded up


def test_the_own_share_needs_its_cash_part(app):
    _firm_lines(app, national=100_000_000, cash=10_000_000, in_kind=90_000_000)  # cash 10.00 % of own
    assert _cost_share(app) == []
    _firm_lines(app, national=100_000_000, cash=10_000_000, in_kind=90_000_001)
    assert {f.rule for f in _cost_share(app)} == {"cost_share.own_cash"}


def test_the_rate_in_force_on_the_opening_date_applies(app):
    _firm_lines(app, national=400_000_000, cash=100_000_000, in_kind=0)  # 80 %
    assert {f.rule for f in _cost_share(app)} == {"cost_share.government_share"}
    opened = app.call.opening_date
    CostShareRate.objects.create(
        organisation_type="sme",
        effective_from=opened + dt.timedelta(days=1),
        government_max_percent=90,
        own_cash_min_percent=10,
    )
    assert _cost_share(app)  # a later change does not reach an open call
    CostShareRate.objects.create(
        organisation_type="sme", effective_from=opened, government_max_percent=80, own_cash_min_percent=10
    )
    assert _cost_share(app) == []


def test_a_call_that_matches_at_the_consortium_level_leaves_it_off():
    app = complete_application()  # the megaproject's default: per_firm_cost_sharing off
    _firm_lines(app, national=900_000_000, cash=1, in_kind=99_000_000)
    assert _cost_share(app) == []


def test_officers_read_the_rate_table_and_only_administrators_change_it(
    client, django_assert_max_num_queries
):
    from tests.factories import ProgramFactory, UserFactory, officer_of

    url = "/admin/programs/costsharerate/"
    rate = CostShareRate.objects.get(organisation_type="sme")
    client.force_login(officer_of(ProgramFactory()))
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    assert client.get(f"{url}add/").status_code == 403
    before = rate.government_max_percent
    client.post(f"{url}{rate.pk}/change/", {"government_max_percent": 99})
    rate.refresh_from_db()
    assert rate.government_max_percent == before
    client.force_login(UserFactory())  # an applicant: no back office at all
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(f"{url}add/").status_code == 200

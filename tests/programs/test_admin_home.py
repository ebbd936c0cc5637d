"""The back office's home page: what waits for each user, scoped, in a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.models import Milestone
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ProgramFactory,
    UserFactory,
    assign,
    make_panel,
    officer_of,
    seat,
    submitted,
    under_review,
)
from tests.monitoring.helpers import contact_of, make_award, officer_of_award

pytestmark = pytest.mark.django_db


def _cards(client) -> dict[str, str]:
    page = client.get("/admin/")
    assert page.status_code == 200
    return {c.title: c.value for c in page.context["home_cards"]}


def test_an_officer_sees_the_queues_of_their_programs_only(client):
    award = make_award()
    Milestone.objects.filter(award=award, kind="annual", sequence=1).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )
    submitted(ApplicationFactory(call=CallFactory(program=award.program)))
    client.force_login(officer_of_award(award))
    cards = _cards(client)
    assert cards["검토할 신청서"] == "1"
    assert cards["기한 지난 마일스톤"] == "1"

    client.force_login(officer_of(ProgramFactory()))
    cards = _cards(client)
    assert cards["검토할 신청서"] == "0"
    assert cards["기한 지난 마일스톤"] == "0"
    assert "발송 실패한 이메일" not in cards  # administrators only


def test_a_reviewer_sees_their_reviews_and_nothing_of_the_officers(client):
    panel = make_panel()
    reviewer = seat(panel)
    type(reviewer.user).objects.filter(pk=reviewer.user_id).update(is_staff=True)  # as the pool's import does
    app = under_review(submitted(ApplicationFactory(call=panel.call, track=panel.track)))
    assign(panel, app, reviewer)
    client.force_login(reviewer.user)
    cards = _cards(client)
    assert cards == {"평가할 신청서": "1"}


def test_applicants_do_not_reach_the_back_office(client):
    award = make_award()
    client.force_login(contact_of(award))
    assert client.get("/admin/").status_code == 302
    client.force_login(UserFactory())
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("n", [1, 8])
def test_the_home_page_costs_the_same_whatever_the_rows(client, django_assert_max_num_queries, n):
    awards = [make_award() for _ in range(n)]
    program = awards[0].program
    for a in awards[1:]:
        a.program = program
        a.save(update_fields=["program"])
    client.force_login(officer_of_award(awards[0]))
    with django_assert_max_num_queries(40):
        assert client.get("/admin/").status_code == 200


def test_an_administrator_also_sees_the_emails_that_failed(client):
    from consortia.models import Notice

    Notice.objects.create(
        kind="x", dedupe_key="k", recipients=["a@example.org"], subject="s", body="b", status="failed"
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert _cards(client)["발송 실패한 이메일"] == "1"

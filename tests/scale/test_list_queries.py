"""Lists at scale (issue 18): the same number of queries for 10 rows and for 200, and the same rows
as before the rewrites (EXISTS scopes, EXISTS search, pages without a count, bulk set_people)."""

import pytest

from consortia import selectors, services
from consortia.models import Application, BudgetLine, ConsortiumMember
from tests.factories import (
    CallFactory,
    ConsortiumFactory,
    OrganisationFactory,
    ProgramFactory,
    UserFactory,
    officer_of,
)

pytestmark = pytest.mark.django_db


def add_applications(n, *, consortium, call, title="과제"):
    """n drafts in bulk, each with a budget line (what the lists total)."""
    track = call.tracks.first()
    user = consortium.contacts.first()
    apps = Application.objects.bulk_create(
        [
            Application(call=call, track=track, consortium=consortium, title=f"{title} {i}", created_by=user)
            for i in range(n)
        ]
    )
    member = consortium.members.first()
    BudgetLine.objects.bulk_create(
        [BudgetLine(application=a, member=member, year=1, national_krw=1_000) for a in apps]
    )
    return apps


def queries(django_assert_max_num_queries, fetch, rows_before, grow, bound):
    with django_assert_max_num_queries(bound) as few:
        assert fetch() == rows_before
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        fetch()


def test_officer_list_has_flat_queries_and_no_duplicates(api, django_assert_max_num_queries):
    call = CallFactory()
    officer = officer_of(call.program)
    # Also a contact of the consortium: EXISTS must not list its applications twice.
    consortium = ConsortiumFactory(contacts=[officer, UserFactory()])
    add_applications(10, consortium=consortium, call=call)
    add_applications(3, consortium=ConsortiumFactory(), call=CallFactory(program=ProgramFactory()))
    api.force_authenticate(officer)

    def fetch():
        body = api.get("/api/applications/").json()
        assert len({r["id"] for r in body["results"]}) == len(body["results"])
        return body["count"]

    queries(
        django_assert_max_num_queries,
        fetch,
        10,
        lambda: add_applications(190, consortium=consortium, call=call),
        8,
    )
    assert fetch() == 200


def test_contact_sees_only_own_consortia_applications():
    call = CallFactory()
    mine = ConsortiumFactory()
    user = mine.contacts.first()
    add_applications(2, consortium=mine, call=call)
    add_applications(3, consortium=ConsortiumFactory(), call=call)
    assert selectors.applications_for(user).count() == 2
    assert selectors.applications_of_contact(user).count() == 2


def test_my_page_is_paged_with_flat_queries(client, django_assert_max_num_queries):
    user = UserFactory()
    call = CallFactory()
    consortia = [ConsortiumFactory(contacts=[user]) for _ in range(2)]
    add_applications(5, consortium=consortia[0], call=call)
    add_applications(5, consortium=consortia[1], call=call)
    client.force_login(user)

    def fetch():
        return client.get("/my/").content.decode().count('data-testid="application-row"')

    def grow():
        for c in [ConsortiumFactory(contacts=[user]) for _ in range(8)]:
            add_applications(24, consortium=c, call=call)

    queries(django_assert_max_num_queries, fetch, 10, grow, 10)
    body = client.get("/my/?applications_page=10").content.decode()
    assert body.count('data-testid="application-row"') == 20
    assert 'rel="prev"' in body and 'rel="next"' in body
    last = client.get("/my/?applications_page=11").content.decode()
    assert 'rel="next"' not in last


def test_admin_search_matches_members_once_with_flat_queries(client, django_assert_max_num_queries):
    call = CallFactory()
    officer = officer_of(call.program)
    consortium = ConsortiumFactory()
    for _ in range(3):  # several matching members must not repeat an application
        ConsortiumMember.objects.create(
            consortium=consortium, organisation=OrganisationFactory(name="(주)한빛바이오"), role="partner"
        )
    add_applications(10, consortium=consortium, call=call)
    add_applications(5, consortium=ConsortiumFactory(), call=call, title="다른 과제")
    client.force_login(officer)

    def fetch():
        response = client.get("/admin/consortia/application/", {"q": "바이오"})
        assert response.status_code == 200
        return response.context_data["cl"].result_count

    queries(
        django_assert_max_num_queries,
        fetch,
        10,
        lambda: add_applications(190, consortium=consortium, call=call),
        30,
    )
    assert fetch() == 200
    found = selectors.search_applications(Application.objects.all(), "다른 과제")
    assert found.count() == 5


@pytest.mark.parametrize("n", [10, 200])
def test_set_people_is_bulk(n, django_assert_max_num_queries):
    call = CallFactory()
    consortium = ConsortiumFactory()
    app = add_applications(1, consortium=consortium, call=call)[0]
    member = ConsortiumMember.objects.create(
        consortium=consortium, organisation=OrganisationFactory(), role="lead"
    )
    rows = [
        {
            "member": member.pk,
            "role": "researcher",
            "name": f"연구자{i}",
            "researcher_number": f"{20000000 + i}",
        }
        for i in range(n)
    ]
    with django_assert_max_num_queries(20):
        people = services.set_people(actor=consortium.contacts.first(), application_id=app.pk, rows=rows)
    assert len(people) == n == app.people.count()
    # Again, with the people known now: the same names pass, nobody is duplicated.
    with django_assert_max_num_queries(20):
        services.set_people(actor=consortium.contacts.first(), application_id=app.pk, rows=rows)
    assert app.people.count() == n

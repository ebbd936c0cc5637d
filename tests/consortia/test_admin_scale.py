"""The admin's pages at national scale (issue 18): the list filters take their options from the
small tables, the list counts to a bound (the organisation list not at all), the case file reads
its application once; each page runs the same queries for 10 rows and for 200."""

from types import SimpleNamespace

import pytest
from unfold import admin as unfold_admin
from unfold.templatetags import unfold_list

from config.admin_lists import action_checkbox_html
from consortia.admin import ApplicationAdmin
from consortia.models import (
    Application,
    ApplicationPerson,
    BudgetLine,
    ConsortiumMember,
    Organisation,
    Person,
)
from tests.factories import (
    CallFactory,
    ConsortiumFactory,
    OrganisationFactory,
    ProgramFactory,
    complete_application,
    officer_of,
    province,
    region,
    submitted,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/consortia/application/"
ORGANISATIONS = "/admin/consortia/organisation/"


def add_applications(n, *, consortium, call, title="바이오 과제"):
    track = call.tracks.order_by("code").first()
    return Application.objects.bulk_create(
        [
            Application(
                call=call,
                track=track,
                consortium=consortium,
                title=f"{title} {i}",
                created_by=consortium.contacts.first(),
            )
            for i in range(n)
        ]
    )


@pytest.fixture
def scope():
    """An officer's program with 10 drafts of one consortium (representative in 경북), and another
    program's call with applications the officer must not see, nor see in the filters."""
    call = CallFactory()
    officer = officer_of(call.program)
    consortium = ConsortiumFactory()
    add_applications(10, consortium=consortium, call=call)
    other_call = CallFactory(program=ProgramFactory())
    add_applications(3, consortium=ConsortiumFactory(), call=other_call, title="다른 사업 과제")
    return SimpleNamespace(call=call, officer=officer, consortium=consortium, other_call=other_call)


def application_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if '"consortia_application"' in q["sql"]]


LISTS = {
    "everything": lambda s: {},
    "call and state": lambda s: {"call__id__exact": s.call.pk, "state__exact": "draft"},
    "track": lambda s: {"track__id__exact": s.call.tracks.order_by("code").first().pk},
    "region": lambda s: {"region": region("daegyeong").pk},
    "province": lambda s: {"province": province("47").pk},
    "search": lambda s: {"q": "바이오"},
}


@pytest.mark.parametrize("name", LISTS)
def test_application_list_runs_the_same_queries_for_10_and_200_rows(
    client, scope, name, django_assert_max_num_queries
):
    client.force_login(scope.officer)
    params = LISTS[name](scope)
    with django_assert_max_num_queries(16) as few:
        response = client.get(CHANGELIST, params)
    assert response.status_code == 200 and response.context["cl"].result_count == 10
    add_applications(190, consortium=scope.consortium, call=scope.call)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(CHANGELIST, params)
    cl = response.context["cl"]
    assert cl.result_count == 200 and len(cl.result_list) == 50
    assert "다른 사업 과제" not in response.content.decode()
    # The applications are read twice, for the bounded count and for the page: the filters'
    # options come from calls, tracks, regions and provinces, not from the officer's scope.
    reads = application_queries(many.captured_queries)
    assert len(reads) == 2, reads


def test_filter_options_are_the_officers_calls_and_tracks(client, scope):
    empty = CallFactory(program=scope.call.program)  # no application yet: still an option
    client.force_login(scope.officer)
    cl = client.get(CHANGELIST).context["cl"]
    specs = {getattr(spec, "field_path", None): spec for spec in cl.filter_specs}
    calls = {pk for pk, _label in specs["call"].lookup_choices}
    tracks = {pk for pk, _label in specs["track"].lookup_choices}
    assert calls == {scope.call.pk, empty.pk}
    assert tracks == set(scope.call.tracks.values_list("pk", flat=True)) | set(
        empty.tracks.values_list("pk", flat=True)
    )
    assert scope.other_call.pk not in calls
    assert not tracks & set(scope.other_call.tracks.values_list("pk", flat=True))
    # Another program's call asked for by id lists nothing of it.
    response = client.get(CHANGELIST, {"call__id__exact": scope.other_call.pk})
    assert response.status_code == 200 and response.context["cl"].result_count == 0


def test_a_long_list_is_counted_to_a_bound_and_still_pages(client, scope, monkeypatch):
    monkeypatch.setattr(ApplicationAdmin, "count_window", 60)
    add_applications(190, consortium=scope.consortium, call=scope.call)
    client.force_login(scope.officer)
    response = client.get(CHANGELIST)
    cl = response.context["cl"]
    assert cl.result_count == 61 and str(cl.result_count) == "60+"  # more than 60, not all 200
    html = response.content.decode()
    assert "60+" in html and "?p=2" in html
    # Further on, the bound moves with the page: page 4 of 200 rows counts them all.
    cl = client.get(CHANGELIST, {"p": 4}).context["cl"]
    assert cl.result_count == 200 and len(cl.result_list) == 50
    # A filter that leaves fewer rows than the bound is counted exactly.
    cl = client.get(CHANGELIST, {"q": '"바이오 과제 7"'}).context["cl"]
    expected = Application.objects.filter(call=scope.call, title__contains="바이오 과제 7").count()
    assert type(cl.result_count) is int and cl.result_count == expected < 60


def test_each_header_is_computed_once_per_page_not_once_per_row(client, scope, monkeypatch):
    calls = []
    label_for_field = unfold_list.label_for_field

    def counting(*args, **kwargs):
        calls.append(args[0])
        return label_for_field(*args, **kwargs)

    monkeypatch.setattr(unfold_list, "label_for_field", counting)
    client.force_login(scope.officer)
    assert client.get(CHANGELIST).status_code == 200
    columns = len(ApplicationAdmin.list_display) + 1  # and the action checkbox
    assert len(calls) <= 2 * columns  # the headers, and each row's (10 rows) from the same list


def test_the_row_checkbox_is_unfolds():
    assert action_checkbox_html(42) == unfold_admin.checkbox.render("_selected_action", "42")


# --- organisations: pages without a count ---------------------------------------------------------


def test_organisation_list_reads_no_count_and_runs_the_same_queries_for_10_and_200_rows(
    client, scope, django_assert_max_num_queries
):
    outsider = OrganisationFactory(name="가나다 다른 사업 기관")
    ConsortiumMember.objects.create(
        consortium=scope.other_call.applications.first().consortium, organisation=outsider, role="partner"
    )

    def grow(n):
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(name=f"가 기관 {i:03d}", type="university", province=province("47"))
                for i in range(n)
            ]
        )
        ConsortiumMember.objects.bulk_create(
            [ConsortiumMember(consortium=scope.consortium, organisation=o, role="partner") for o in orgs]
        )

    grow(9)  # and the representative: 10
    client.force_login(scope.officer)
    with django_assert_max_num_queries(12) as few:
        response = client.get(ORGANISATIONS)
    assert response.status_code == 200 and len(response.context["cl"].result_list) == 10
    grow(190)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(ORGANISATIONS)
    for captured in (few, many):
        assert not [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    cl = response.context["cl"]
    assert len(cl.result_list) == 100 and str(cl.result_count) == "100+"
    html = response.content.decode()
    assert "100+" in html and "?p=2" in html
    names = [o.name for o in cl.result_list]
    assert names == sorted(names)
    last = client.get(ORGANISATIONS, {"p": 2}).context["cl"]
    assert len(last.result_list) == 100 and last.result_count == 200 and str(last.result_count) == "200"
    assert outsider.name not in html
    assert not any(o.pk == outsider.pk for o in last.result_list)


# --- the case file ----------------------------------------------------------------------------------


def test_case_file_reads_its_application_once_and_the_same_queries_for_10_and_200_rows(
    client, django_assert_max_num_queries
):
    app = submitted(complete_application(title="경북 이차전지 과제"))
    officer = officer_of(app.call.program)
    member = app.consortium.members.order_by("id").first()

    def grow(n):
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(name=f"참여기관 {member.pk}-{i}", type="sme", province=province("47"))
                for i in range(n)
            ]
        )
        members = ConsortiumMember.objects.bulk_create(
            [ConsortiumMember(consortium=app.consortium, organisation=o, role="partner") for o in orgs]
        )
        BudgetLine.objects.bulk_create(
            [BudgetLine(application=app, member=m, year=1, national_krw=1_000_000) for m in members]
        )
        people = Person.objects.bulk_create(
            [Person(name=f"연구자{m.pk}", researcher_number=f"7{m.pk:07d}") for m in members]
        )
        ApplicationPerson.objects.bulk_create(
            [
                ApplicationPerson(application=app, member=m, person=p, role="researcher")
                for m, p in zip(members, people, strict=True)
            ]
        )

    grow(10)
    client.force_login(officer)
    url = f"{CHANGELIST}{app.pk}/change/"
    with django_assert_max_num_queries(24) as few:
        response = client.get(url)
    assert response.status_code == 200 and "start-screening" in response.content.decode()
    grow(190)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("연구자") >= 200
    # One read of the application row (scoped): not an existence check, the case file, the
    # steps' check and the admin's object each on their own.
    rows = [
        q
        for q in application_queries(many.captured_queries)
        if q.startswith('SELECT "consortia_application"')
    ]
    assert len(rows) == 1, rows
    assert not [q for q in application_queries(many.captured_queries) if q.startswith('SELECT 1 AS "a"')]


def test_case_file_of_another_program_is_not_found(client):
    app = submitted(complete_application())
    client.force_login(officer_of(CallFactory(program=ProgramFactory()).program))
    assert client.get(f"{CHANGELIST}{app.pk}/change/").status_code == 302  # the admin's "not found"
    assert client.get(f"{CHANGELIST}999999/change/").status_code == 302
    assert client.get(f"{CHANGELIST}abc/change/").status_code in (302, 404)

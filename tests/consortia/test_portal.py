"""The applicant portal from the outside: pages, forms, permissions and query counts."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.choices import OrganisationType
from consortia.models import (
    Application,
    ApplicationDocument,
    ApplicationPerson,
    BudgetLine,
    Consortium,
    ConsortiumMember,
    KpiTarget,
    Organisation,
    PlannedMilestone,
)
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ConsortiumFactory,
    OrganisationFactory,
    UserFactory,
    _brns,
    complete_application,
    province,
    submitted,
    verified_staff,
)

pytestmark = pytest.mark.django_db

MONEY = ("national_krw", "local_cash_krw", "private_cash_krw", "private_in_kind_krw")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def login(client, application_or_consortium):
    consortium = getattr(application_or_consortium, "consortium", application_or_consortium)
    user = consortium.contacts.first()
    client.force_login(user)
    return user


def rows_payload(rows: list[dict], prefix: str = "rows") -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = str(value)
    return data


def budget_rows(app: Application) -> list[dict]:
    return [
        {"member": line.member_id, "year": line.year, **{f: getattr(line, f) for f in MONEY}}
        for line in app.budget_lines.order_by("year", "member_id")
    ]


def text(response) -> str:
    return response.content.decode()


def state(app: Application) -> str:
    return Application.objects.get(pk=app.pk).state


# --- anonymous and other applicants -----------------------------------------------------------------


def portal_urls(app: Application, document: ApplicationDocument | None = None) -> list[str]:
    c, a = app.consortium_id, app.pk
    member = app.consortium.members.exclude(role="lead_government").first()
    urls = [
        f"/my/consortia/{c}/",
        f"/my/consortia/{c}/applications/new/",
        f"/my/consortia/{c}/members/{member.pk}/remove/",
        f"/my/applications/{a}/",
        f"/my/applications/{a}/timeline/",
        f"/my/applications/{a}/withdraw/",
        *[
            f"/my/applications/{a}/{step}/"
            for step in ("basics", "members", "budget", "kpis", "milestones", "documents", "review")
        ],
    ]
    if document:
        urls += [
            f"/my/applications/{a}/documents/{document.pk}/",
            f"/my/applications/{a}/documents/{document.pk}/delete/",
        ]
    return urls


def test_anonymous_is_sent_to_the_login_page(client):
    app = complete_application()
    for url in ["/my/", "/my/consortia/new/", "/my/organisations/search/?q=a", *portal_urls(app)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url
    response = client.post(f"/my/applications/{app.pk}/review/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert state(app) == "draft"


def test_applicant_of_another_consortium_gets_404_everywhere_and_changes_nothing(client):
    a = complete_application()
    document = ApplicationDocument.objects.create(
        application=a,
        kind="proposal",
        file=SimpleUploadedFile("plan.pdf", PDF),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=a.created_by,
    )
    b = complete_application(province_code="44")
    login(client, b)
    before = (
        list(BudgetLine.objects.filter(application=a).values_list("member", "year", *MONEY)),
        list(a.consortium.members.values_list("pk", flat=True)),
        Application.objects.get(pk=a.pk).title,
    )
    posts = {
        f"/my/consortia/{a.consortium_id}/": {"action": "add_new", "new-name": "x", "new-type": "university"},
        f"/my/applications/{a.pk}/basics/": {"title": "hijacked"},
        f"/my/applications/{a.pk}/budget/": rows_payload([]),
        f"/my/applications/{a.pk}/review/": {},
        f"/my/applications/{a.pk}/withdraw/": {"reason": "mine now"},
    }
    post_only = ("/remove/", "/delete/")
    get_only = (f"/my/applications/{a.pk}/", "/timeline/", f"/documents/{document.pk}/")
    for url in portal_urls(a, document):
        # A wrong method is refused whoever asks (405), which tells nothing about the id.
        assert client.get(url).status_code == (405 if url.endswith(post_only) else 404), url
        assert client.post(url, posts.get(url, {})).status_code == (405 if url.endswith(get_only) else 404), (
            url
        )
    # Guessed ids next to the real ones are 404 too, not 403 or 500.
    for url in (f"/my/applications/{a.pk + 1000}/budget/", f"/my/consortia/{a.consortium_id + 1000}/"):
        assert client.get(url).status_code == 404
    after = (
        list(BudgetLine.objects.filter(application=a).values_list("member", "year", *MONEY)),
        list(a.consortium.members.values_list("pk", flat=True)),
        Application.objects.get(pk=a.pk).title,
    )
    assert after == before and state(a) == "draft"
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    home = text(client.get("/my/"))
    assert b.title in home and a.title not in home and a.consortium.name not in home


def test_own_ids_cannot_reach_another_consortiums_members_or_documents(client):
    a = complete_application()
    document = ApplicationDocument.objects.create(
        application=a,
        kind="proposal",
        file=SimpleUploadedFile("plan.pdf", PDF),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=a.created_by,
    )
    b = complete_application(province_code="44")
    login(client, b)
    foreign_member = a.consortium.members.exclude(role="lead_government").first()
    assert (
        client.post(f"/my/consortia/{b.consortium_id}/members/{foreign_member.pk}/remove/").status_code == 404
    )
    assert client.get(f"/my/applications/{b.pk}/documents/{document.pk}/").status_code == 404
    assert client.post(f"/my/applications/{b.pk}/documents/{document.pk}/delete/").status_code == 404
    # A budget row naming another consortium's member is refused beside that row.
    rows = budget_rows(b)
    rows[0]["member"] = foreign_member.pk
    response = client.post(f"/my/applications/{b.pk}/budget/", rows_payload(rows))
    assert response.status_code == 200
    assert re.search(r'data-for="rows-0-member"', text(response))
    assert ConsortiumMember.objects.filter(pk=foreign_member.pk).exists()
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert not BudgetLine.objects.filter(application=b, member=foreign_member).exists()


# --- my consortia and applications ---------------------------------------------------------------


def test_home_lists_my_consortia_and_applications_with_totals(client):
    app = complete_application()
    login(client, app)
    response = client.get("/my/")
    body = text(response)
    assert response.status_code == 200
    assert app.title in body and app.consortium.name in body
    assert "30억원" in body  # national grant: 10억 × 3 years
    assert 'id="nav-my"' in body


def test_home_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    user = UserFactory()
    call = CallFactory()
    for _ in range(2):
        consortium = ConsortiumFactory(contacts=[user])
        ApplicationFactory(call=call, consortium=consortium, created_by=user)
    client.force_login(user)
    with django_assert_max_num_queries(9) as small:
        assert client.get("/my/").status_code == 200
    for _ in range(6):
        consortium = ConsortiumFactory(contacts=[user])
        for _ in range(3):
            ConsortiumMember.objects.create(
                consortium=consortium, organisation=OrganisationFactory(), role="partner"
            )
        for _ in range(2):
            app = ApplicationFactory(call=CallFactory(), consortium=consortium, created_by=user)
            member = consortium.members.first()
            for year in (1, 2, 3):
                BudgetLine.objects.create(application=app, member=member, year=year, national_krw=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/my/")
    assert text(response).count('data-testid="application-row"') == 14


def test_applicant_creates_a_consortium_led_by_a_registered_local_government(client):
    user = UserFactory()
    gov = OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT, name="경상북도청")
    OrganisationFactory(type=OrganisationType.LOCAL_GOVERNMENT, name="충청남도청")
    client.force_login(user)
    page = text(client.get("/my/consortia/new/"))
    assert "경상북도청" not in page  # only the user's own local governments are offered
    gov.staff.add(user)  # said to work there, not yet verified
    assert "경상북도청" not in text(client.get("/my/consortia/new/"))
    verified_staff(gov, user)
    page = text(client.get("/my/consortia/new/"))
    assert "경상북도청" in page and "충청남도청" not in page
    response = client.post(
        "/my/consortia/new/",
        {"name": "경북 이차전지 사업단", "representative_mode": "existing", "representative": gov.pk},
    )
    consortium = Consortium.objects.get(name="경북 이차전지 사업단")
    assert response.status_code == 302 and response["Location"] == f"/my/consortia/{consortium.pk}/"
    assert list(consortium.contacts.all()) == [user]
    assert [(m.organisation, m.role) for m in consortium.members.all()] == [(gov, "lead_government")]


def test_applicant_registers_a_new_local_government_with_the_consortium(client):
    client.force_login(UserFactory())
    province_44 = province("44")
    response = client.post(
        "/my/consortia/new/",
        {
            "name": "충남 수소 사업단",
            "representative_mode": "new",
            "new_name": "충청남도",
            "new_province": province_44.pk,
        },
    )
    # The government is registered with the user as staff pending verification; the
    # consortium waits until an administrator confirms them.
    assert response.status_code == 302 and response["Location"] == "/my/"
    government = Organisation.objects.get(name="충청남도")
    assert government.type == OrganisationType.LOCAL_GOVERNMENT and government.province == province_44
    staff = government.staff_memberships.get()
    assert staff.verified_at is None
    assert not Consortium.objects.filter(name="충남 수소 사업단").exists()


def test_consortium_form_errors_keep_what_was_typed_and_create_nothing(client):
    client.force_login(UserFactory())
    response = client.post(
        "/my/consortia/new/", {"name": "남을 이름", "representative_mode": "new", "new_name": "어느 도"}
    )
    assert response.status_code == 200
    body = text(response)
    assert 'value="남을 이름"' in body and 'value="어느 도"' in body
    assert 'data-for="new_province"' in body
    assert not Consortium.objects.exists() and not Organisation.objects.filter(name="어느 도").exists()


def test_member_search_finds_organisations_not_yet_members(client):
    app = complete_application()
    login(client, app)
    OrganisationFactory(name="경북대학교 산학협력단")
    member_uni = app.consortium.members.get(role="lead").organisation
    response = client.get("/my/organisations/search/", {"q": "경북대", "consortium": app.consortium_id})
    assert "경북대학교 산학협력단" in text(response)
    response = client.get(
        "/my/organisations/search/", {"q": member_uni.name, "consortium": app.consortium_id}
    )
    assert f'value="{member_uni.pk}"' not in text(response)
    other = ConsortiumFactory()
    assert client.get("/my/organisations/search/", {"q": "x", "consortium": other.pk}).status_code == 404


def test_applicant_adds_and_removes_members(client):
    app = complete_application()
    login(client, app)
    url = f"/my/consortia/{app.consortium_id}/"
    institute = OrganisationFactory(
        name="한국전자통신연구원", type=OrganisationType.GOVERNMENT_RESEARCH_INSTITUTE
    )
    response = client.post(
        url,
        {"action": "add_existing", "existing-organisation": institute.pk, "existing-role": "subcontractor"},
    )
    assert response.status_code == 302
    number = next(_brns)
    response = client.post(
        url,
        {
            "action": "add_new",
            "new-name": "(주)그린셀",
            "new-type": "sme",
            "new-province": province("47").pk,
            "new-business_number": f"{number[:3]}-{number[3:5]}-{number[5:]}",
            "new-role": "partner",
        },
    )
    assert response.status_code == 302
    firm = Organisation.objects.get(name="(주)그린셀")
    assert firm.business_number == number
    roles = dict(app.consortium.members.values_list("organisation__name", "role"))
    assert roles["한국전자통신연구원"] == "subcontractor" and roles["(주)그린셀"] == "partner"
    member = app.consortium.members.get(organisation=institute)
    assert client.post(f"{url}members/{member.pk}/remove/").status_code == 302
    assert not app.consortium.members.filter(organisation=institute).exists()
    # The representative stays.
    lead = app.consortium.members.get(role="lead_government")
    client.post(f"{url}members/{lead.pk}/remove/")
    assert app.consortium.members.filter(pk=lead.pk).exists()


def test_a_firm_with_a_bad_business_number_is_refused_beside_the_input(client):
    app = complete_application()
    login(client, app)
    number = next(_brns)
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    response = client.post(
        f"/my/consortia/{app.consortium_id}/",
        {
            "action": "add_new",
            "new-name": "(주)틀린번호",
            "new-type": "sme",
            "new-province": province("47").pk,
            "new-business_number": wrong,
            "new-role": "partner",
        },
    )
    assert response.status_code == 200
    body = text(response)
    assert 'data-for="new-business_number"' in body and 'value="(주)틀린번호"' in body
    assert not Organisation.objects.filter(name="(주)틀린번호").exists()


def test_applicant_starts_an_application_to_an_open_call(client):
    call = CallFactory()
    consortium = ConsortiumFactory()
    login(client, consortium)
    track = call.tracks.get(code="leap")
    response = client.post(
        f"/my/consortia/{consortium.pk}/applications/new/",
        {"track": track.pk, "title": "이차전지 메가프로젝트"},
    )
    app = Application.objects.get(title="이차전지 메가프로젝트")
    assert response["Location"] == f"/my/applications/{app.pk}/basics/"
    assert (app.call, app.track, app.consortium, app.state) == (call, track, consortium, "draft")


# --- the editor ------------------------------------------------------------------------------------


def test_basics_are_saved_and_continue_goes_to_the_next_step(client):
    app = complete_application()
    login(client, app)
    response = client.post(
        f"/my/applications/{app.pk}/basics/",
        {
            "title": "새 제목",
            "future_technology": "전고체 전지",
            "key_industry": "이차전지",
            "summary": "요약",
            "continue": "1",
        },
    )
    assert response["Location"] == f"/my/applications/{app.pk}/members/"
    app = Application.objects.get(pk=app.pk)
    assert (app.title, app.future_technology, app.key_industry) == ("새 제목", "전고체 전지", "이차전지")


def test_budget_page_shows_every_year_with_totals_and_ratios(client):
    app = complete_application()
    app.budget_lines.filter(year=2, local_cash_krw__gt=0).update(local_cash_krw=1)
    login(client, app)
    body = text(client.get(f"/my/applications/{app.pk}/budget/"))
    assert body.count('data-testid="year-block"') == 3 + 1  # three years and the blank one to clone
    assert body.count('data-testid="budget-row"') == 9 + 3 + 1
    assert 'data-total="all">14억원<' in body  # one year: 10억 national, 2.5억 local, 1.5억 private
    ratios = re.findall(r'data-testid="ratio" data-rule="0" data-ok="(\w+)"', body)
    assert ratios[:3] == ["true", "false", "true"]
    assert 'value="800,000,000"' in body


def test_budget_saves_rows_typed_with_separators(client):
    app = complete_application()
    login(client, app)
    rows = budget_rows(app)[:3]
    rows[0]["national_krw"] = "900,000,000"
    rows[2]["local_cash_krw"] = ""
    response = client.post(f"/my/applications/{app.pk}/budget/", rows_payload(rows))
    assert response.status_code == 302
    lines = list(app.budget_lines.order_by("year", "member_id"))
    assert len(lines) == 3 and lines[0].national_krw == 900_000_000
    assert sum(line.local_cash_krw for line in lines if line.member_id == rows[2]["member"]) == 0


def test_budget_errors_sit_beside_their_input_and_nothing_typed_is_lost(client):
    app = complete_application()
    login(client, app)
    before = budget_rows(app)
    rows = budget_rows(app)
    rows[3]["year"] = 7  # the track lasts 3 years: the service refuses it
    rows[5]["private_cash_krw"] = "123,456,789"
    response = client.post(f"/my/applications/{app.pk}/budget/", rows_payload(rows))
    assert response.status_code == 200
    body = text(response)
    assert 'data-for="rows-3-year"' in body
    assert body.count('data-testid="field-error"') == 1
    assert 'name="rows-5-private_cash_krw" value="123,456,789"' in body
    assert budget_rows(app) == before  # nothing saved
    rows[3]["year"] = 1
    rows[4]["national_krw"] = "12억"
    body = text(client.post(f"/my/applications/{app.pk}/budget/", rows_payload(rows)))
    assert 'data-for="rows-4-national_krw"' in body and 'value="12억"' in body
    # A member twice in one year: the service names the row.
    rows = budget_rows(app)
    rows[1]["member"] = rows[0]["member"]
    body = text(client.post(f"/my/applications/{app.pk}/budget/", rows_payload(rows)))
    assert 'data-for="rows-1-year"' in body and budget_rows(app) == before


def _grow(app: Application, members: int, years: int) -> None:
    for _ in range(members):
        member = ConsortiumMember.objects.create(
            consortium=app.consortium, organisation=OrganisationFactory(), role="partner"
        )
        for year in range(1, years + 1):
            BudgetLine.objects.create(application=app, member=member, year=year, national_krw=1_000)


def test_budget_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    small = complete_application()
    login(client, small)
    with django_assert_max_num_queries(12) as captured:
        assert client.get(f"/my/applications/{small.pk}/budget/").status_code == 200
    bound = len(captured.captured_queries)
    big = complete_application(call=CallFactory(), province_code="44")
    _grow(big, members=10, years=3)
    login(client, big)
    with django_assert_max_num_queries(bound):
        response = client.get(f"/my/applications/{big.pk}/budget/")
    assert text(response).count('data-testid="budget-row"') == 13 * 3 + 13 + 1
    # Saving, and re-rendering with errors, is bounded too.
    rows = budget_rows(big)
    with django_assert_max_num_queries(bound + 6):
        assert client.post(f"/my/applications/{big.pk}/budget/", rows_payload(rows)).status_code == 302
    rows[0]["year"] = 9
    with django_assert_max_num_queries(bound + 6):
        assert client.post(f"/my/applications/{big.pk}/budget/", rows_payload(rows)).status_code == 200


def test_researchers_kpis_and_milestones_are_saved(client):
    app = complete_application()
    login(client, app)
    uni = app.consortium.members.get(role="lead")
    people = [
        {
            "member": uni.pk,
            "role": "director",
            "name": "김연구",
            "researcher_number": "12345678",
            "email": "",
        },
        {
            "member": uni.pk,
            "role": "pi",
            "name": "이책임",
            "researcher_number": "87654321",
            "email": "lee@example.kr",
        },
    ]
    assert client.post(f"/my/applications/{app.pk}/members/", rows_payload(people)).status_code == 302
    assert sorted(app.people.values_list("person__name", "role")) == [
        ("김연구", "director"),
        ("이책임", "pi"),
    ]
    kpis = [
        {"indicator": "new_jobs", "year": 1, "value": "40"},
        {"indicator": "sales_krw", "year": 2, "value": "1,000,000"},
    ]
    assert client.post(f"/my/applications/{app.pk}/kpis/", rows_payload(kpis)).status_code == 302
    assert sorted(KpiTarget.objects.filter(application=app).values_list("indicator", "value")) == [
        ("new_jobs", 40),
        ("sales_krw", 1_000_000),
    ]
    milestones = [
        {"year": 1, "title": "시제품", "description": ""},
        {"year": 3, "title": "실증", "description": "현장"},
    ]
    assert client.post(f"/my/applications/{app.pk}/milestones/", rows_payload(milestones)).status_code == 302
    assert list(PlannedMilestone.objects.filter(application=app).values_list("year", "title")) == [
        (1, "시제품"),
        (3, "실증"),
    ]


def test_row_editor_errors_are_beside_the_row(client):
    app = complete_application()
    login(client, app)
    uni = app.consortium.members.get(role="lead")
    people = [
        {"member": uni.pk, "role": "pi", "name": "김", "researcher_number": "12345678", "email": ""},
        {"member": uni.pk, "role": "researcher", "name": "박", "researcher_number": "12345678", "email": ""},
    ]
    body = text(client.post(f"/my/applications/{app.pk}/members/", rows_payload(people)))
    assert 'data-for="rows-1-researcher_number"' in body and not ApplicationPerson.objects.exists()
    kpis = [
        {"indicator": "new_jobs", "year": 1, "value": "4"},
        {"indicator": "new_jobs", "year": 1, "value": "5"},
    ]
    body = text(client.post(f"/my/applications/{app.pk}/kpis/", rows_payload(kpis)))
    assert 'data-testid="form-errors"' in body and 'name="rows-1-value" value="5"' in body
    assert not KpiTarget.objects.exists()
    milestones = [{"year": 1, "title": "", "description": "설명은 남는다"}]
    body = text(client.post(f"/my/applications/{app.pk}/milestones/", rows_payload(milestones)))
    assert 'data-for="rows-0-title"' in body and "설명은 남는다" in body


def test_documents_are_checked_by_content_uploaded_downloaded_and_deleted(
    client, django_capture_on_commit_callbacks
):
    app = complete_application()
    login(client, app)
    url = f"/my/applications/{app.pk}/documents/"
    fake = SimpleUploadedFile("plan.pdf", b"MZ not a pdf")
    body = text(client.post(url, {"kind": "proposal", "file": fake}))
    assert 'data-for="file"' in body and not app.documents.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the file is stored after commit
        response = client.post(url, {"kind": "proposal", "file": SimpleUploadedFile("사업계획서.pdf", PDF)})
    assert response.status_code == 302
    document = app.documents.get()
    download = client.get(f"{url}{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert client.post(f"{url}{document.pk}/delete/").status_code == 302
    assert not app.documents.exists()


# --- review, submit, view, withdraw -------------------------------------------------------------------


def test_check_rules_lists_every_failure_beside_what_it_concerns(client):
    app = complete_application()
    app.budget_lines.filter(year=2, local_cash_krw__gt=0).update(local_cash_krw=1)
    firm = app.consortium.members.get(role="partner").organisation
    Organisation.objects.filter(pk=firm.pk).update(business_number="1234567890")
    login(client, app)
    body = text(client.get(f"/my/applications/{app.pk}/review/", {"check": "1"}))
    assert 'data-testid="check-result" data-failures="2"' in body
    year2 = body[body.index('id="budget-year-2"') :]
    year2 = year2[: year2.index("</table>")]
    assert 'data-rule="matching.local_share" data-field="budget.2"' in year2
    member_row = body[body.index(f'data-member="{app.consortium.members.get(role="partner").pk}"') :]
    assert 'data-rule="members.business_number"' in member_row[: member_row.index("</tr>")]
    assert state(app) == "draft"


def test_submit_with_broken_rules_shows_the_same_list(client):
    app = complete_application()
    app.budget_lines.filter(year=1, local_cash_krw__gt=0).update(local_cash_krw=0)
    login(client, app)
    response = client.post(f"/my/applications/{app.pk}/review/")
    assert response.status_code == 200
    assert 'data-rule="matching.local_share" data-field="budget.1"' in text(response)
    assert state(app) == "draft"


def test_submit_redirects_to_the_read_only_view_with_the_timeline(client, mailoutbox):
    app = complete_application()
    user = login(client, app)
    response = client.post(f"/my/applications/{app.pk}/review/")
    assert response["Location"] == f"/my/applications/{app.pk}/"
    assert state(app) == "submitted"
    body = text(client.get(response["Location"]))
    assert 'data-from="draft" data-to="submitted"' in body
    assert user.get_full_name() in body
    event = Application.objects.get(pk=app.pk).events.get()
    assert event.at.astimezone(ZoneInfo("Asia/Seoul")).strftime("%Y-%m-%d %H:%M") in body
    assert 'name="rows-0-national_krw"' not in body  # read-only
    # The editor of a submitted application sends back to the read-only view.
    for step in ("basics", "budget", "review"):
        assert client.get(f"/my/applications/{app.pk}/{step}/")["Location"] == f"/my/applications/{app.pk}/"
    assert client.post(f"/my/applications/{app.pk}/budget/", rows_payload([])).status_code == 302
    assert app.budget_lines.count() == 9
    assert "timeline" in text(client.get(f"/my/applications/{app.pk}/timeline/"))


def test_applicant_withdraws_with_a_reason(client):
    app = submitted(complete_application())
    login(client, app)
    url = f"/my/applications/{app.pk}/withdraw/"
    body = text(client.post(url, {"reason": ""}))
    assert 'data-for="reason"' in body and state(app) == "submitted"
    response = client.post(url, {"reason": "컨소시엄 재구성"})
    assert response.status_code == 302 and state(app) == "withdrawn"
    body = text(client.get(f"/my/applications/{app.pk}/"))
    assert 'data-from="submitted" data-to="withdrawn"' in body and "컨소시엄 재구성" in body
    assert 'data-testid="withdraw"' not in body
    assert client.post(url, {"reason": "again"})["Location"] == f"/my/applications/{app.pk}/"
    assert Application.objects.get(pk=app.pk).events.count() == 1

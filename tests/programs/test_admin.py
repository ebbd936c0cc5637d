import pytest

from programs.models import Call
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ProgramFactory,
    UserFactory,
    officer_of,
    submitted,
)

pytestmark = pytest.mark.django_db


def form_data(call: Call, **overrides) -> dict:
    data = {
        "program": call.program_id,
        "year": call.year,
        "code": call.code,
        "title": call.title,
        "title_en": "",
        "description": "",
        "opens_at_0": call.opens_at.astimezone().strftime("%Y-%m-%d"),
        "opens_at_1": call.opens_at.astimezone().strftime("%H:%M:%S"),
        "closes_at_0": call.closes_at.astimezone().strftime("%Y-%m-%d"),
        "closes_at_1": call.closes_at.astimezone().strftime("%H:%M:%S"),
        "stage": call.stage,
        "region_scheme": call.region_scheme_id,
        "eligible_regions": [r.pk for r in call.eligible_regions.all()],
        "cutoff_score": str(call.cutoff_score),
        "enforce_concurrency_limit": "on",
    }
    for prefix, rel in (
        ("tracks", call.tracks),
        ("matching_rules", call.matching_rules),
        ("member_requirements", call.member_requirements),
        ("required_documents", call.required_documents),
    ):
        rows = list(rel.all())
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-call"] = call.pk
            for field in row._meta.fields:
                if field.name not in ("id", "call"):
                    value = getattr(row, field.attname)
                    if isinstance(value, bool):
                        if value:
                            data[f"{prefix}-{i}-{field.name}"] = "on"
                    else:
                        data[f"{prefix}-{i}-{field.name}"] = value
    data.update(overrides)
    return data


def test_officer_sees_only_own_programs_calls(client):
    mine = CallFactory(title="내 공모")
    theirs = CallFactory(title="남의 공모")
    client.force_login(officer_of(mine.program))
    listing = client.get("/admin/programs/call/").content.decode()
    assert "내 공모" in listing and "남의 공모" not in listing
    assert client.get(f"/admin/programs/call/{theirs.pk}/change/").status_code in (302, 403, 404)
    response = client.post(f"/admin/programs/call/{theirs.pk}/change/", form_data(theirs, title="x"))
    assert response.status_code in (302, 403, 404)
    assert Call.objects.get(pk=theirs.pk).title == "남의 공모"


def test_applicant_and_reviewer_have_no_admin(client):
    call = CallFactory()
    for user in (UserFactory(), UserFactory(reviewer=True)):
        client.force_login(user)
        assert client.get(f"/admin/programs/call/{call.pk}/change/").status_code == 302  # to login


def test_admin_form_refuses_close_before_open(client):
    call = CallFactory()
    client.force_login(officer_of(call.program))
    data = form_data(call, closes_at_0="2000-01-01")
    response = client.post(f"/admin/programs/call/{call.pk}/change/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["closes_at"]
    assert Call.objects.get(pk=call.pk).closes_at == call.closes_at


def test_admin_form_refuses_rule_changes_after_submission(client):
    call = CallFactory()
    client.force_login(officer_of(call.program))
    assert (
        client.post(f"/admin/programs/call/{call.pk}/change/", form_data(call, cutoff_score="75")).status_code
        == 302
    )
    submitted(ApplicationFactory(call=call))
    call = Call.objects.get(pk=call.pk)
    # Before anyone types, the page says which rules are frozen and why; they are not inputs.
    page = client.get(f"/admin/programs/call/{call.pk}/change/")
    assert 'data-testid="frozen-rules"' in page.content.decode()
    form = page.context["adminform"].form
    assert "cutoff_score" not in form.fields and "closes_at" not in form.fields and "title" in form.fields
    response = client.post(f"/admin/programs/call/{call.pk}/change/", form_data(call, cutoff_score="60"))
    assert response.status_code == 302
    assert str(Call.objects.get(pk=call.pk).cutoff_score) == "75.00"


def test_officer_creates_program_call_only_for_own_program(client):
    mine = ProgramFactory()
    other = ProgramFactory()
    client.force_login(officer_of(mine))
    page = client.get("/admin/programs/call/add/").content.decode()
    assert mine.name in page and other.name not in page


def test_a_new_program_starts_with_the_decrees_exemptions(client):
    from programs.models import DEFAULT_EXEMPT_KINDS, Program

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/programs/program/add/",
        {
            "code": "cluster",
            "name": "국가혁신클러스터",
            "ministry": "산업통상자원부",
            "max_concurrent_projects": 5,
            "max_concurrent_lead": 3,
            "max_concurrent_projects_foreign": 6,
            "max_concurrent_lead_foreign": 4,
            "concurrency_grace_months": 6,
            "concurrency_exemptions-TOTAL_FORMS": "0",
            "concurrency_exemptions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    program = Program.objects.get(code="cluster")
    assert sorted(program.concurrency_exemptions.values_list("kind", flat=True)) == sorted(
        DEFAULT_EXEMPT_KINDS
    )

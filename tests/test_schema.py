"""The schema tells the truth about errors, numbers and downloads, and the API refuses what it does not know."""

import pytest

from tests.factories import ConsortiumFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    api.force_authenticate(UserFactory())
    return api.get("/api/schema/", {"format": "json"}).json()


def test_every_operation_declares_its_errors(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert {"400", "404"} <= codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert "400" in codes, (method, path)
            error = operation["responses"]["403"]["content"]["application/json"]["schema"]["$ref"]
            assert error.endswith("/ErrorOut"), (method, path)


def test_downloads_declare_their_real_content_types(schema):
    download = schema["paths"]["/api/applications/{id}/documents/{doc_id}/download/"]["get"]
    assert {"application/pdf", "application/x-hwp"} <= set(download["responses"]["200"]["content"])


def test_numbers_have_bounds(schema):
    row = schema["components"]["schemas"]["BudgetRowIn"]["properties"]
    assert row["national_krw"]["minimum"] == 0
    assert (row["year"]["minimum"], row["year"]["maximum"]) == (2000, 2100)


def test_unknown_query_parameters_are_refused(api):
    api.force_authenticate(ConsortiumFactory().contacts.get())
    response = api.get("/api/applications/", {"stat": "submitted"})
    assert response.status_code == 400 and "stat" in response.json()["fields"]
    assert api.get("/api/calls/", {"status": "open", "page": 1}).status_code == 200


def test_reference_lists_refuse_unknown_parameters(api):
    api.force_authenticate(UserFactory())
    assert api.get("/api/provinces/", {"al": "1"}).status_code == 400
    assert api.get("/api/provinces/", {"all": "maybe"}).status_code == 400
    assert api.get("/api/provinces/", {"all": "1"}).status_code == 200

"""Issue 13: schemathesis over the API schema as each role finds no 5xx (a bounded run for CI).

Operations are driven from the schema through the WSGI app in this process (the test's database),
a few generated examples each, derandomised so CI sees the same cases every run. Token creation
and revocation are left out: they would lock out or log out the role under test.
"""

import os
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken

from tests.factories import UserFactory, complete_application, officer_of

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
SKIP = {"token_create", "token_logout_create"}


@pytest.fixture
def api_schema(db):
    """The schema, driven through the WSGI app with the test's connection kept open.

    Django closes a connection at the end of each request when its autocommit differs from the
    settings', as it does inside the test's transaction; Django's test client switches that off
    for its requests, and so do we (otherwise PostgreSQL loses the test's data after one call).
    """
    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def role_user(role: str):
    app = complete_application()
    if role == "applicant":
        return app.consortium.contacts.first(), app
    if role == "officer":
        return officer_of(app.call.program), app
    return UserFactory(reviewer=True), app


@pytest.mark.parametrize("role", ["applicant", "officer", "reviewer"])
def test_no_operation_answers_5xx(api_schema, role):
    user, app = role_user(role)
    _, token = AuthToken.objects.create(user=user)
    headers = {"Authorization": f"Token {token}"}
    # Half the cases aim at objects that exist, so bodies reach validation and services.
    real_ids = {
        "/api/applications/": app.pk,
        "/api/consortia/": app.consortium_id,
        "/api/calls/": app.call_id,
    }
    failures: list[str] = []
    started = time.perf_counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") in SKIP:
            continue

        @given(case=operation.as_strategy(), aim=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case, aim):
            params = case.path_parameters or {}
            if aim and "id" in params:
                prefix = next((p for p in real_ids if case.path.startswith(p)), None)
                if prefix:
                    params["id"] = real_ids[prefix]
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200} -> {response.status_code}"
                )
            else:
                assert response.status_code < 500

        run()
    assert failures == [], "\n".join(failures)
    assert time.perf_counter() - started < 120

"""Schemathesis over the awards endpoints as each role, aimed at real objects half the time
(an award with a stop notified and an objection open, a ledger entry): no 5xx, and every answer
is one the schema declares (status and content type)."""

import time

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken

from awards import services
from awards.models import LedgerEntry
from tests.awards.helpers import make_award
from tests.factories import UserFactory
from tests.security.test_schemathesis import EXAMPLES, api_schema  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _objects():
    award = make_award()
    officer = award.program.officers.get()
    contact = award.consortium.contacts.get()
    services.record_grade(actor=officer, award_id=award.pk, year=1, code="D", on=timezone.localdate())
    objection = services.file_stop_objection(actor=contact, award_id=award.pk, text="이의")
    entry = LedgerEntry.objects.filter(award=award).first()
    users = {"officer": officer, "applicant": contact, "reviewer": UserFactory(reviewer=True)}
    ids = {
        "/api/awards/ledger/": entry.pk,
        "/api/awards/objections/": objection.pk,
        "/api/awards/": award.pk,
    }
    return users, ids


@pytest.mark.parametrize("role", ["applicant", "officer", "reviewer"])
def test_awards_operations_answer_as_the_schema_says(api_schema, role):  # noqa: F811
    users, real_ids = _objects()
    _, token = AuthToken.objects.create(user=users[role])
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": f"st-{role}"}
    failures: list[str] = []
    started = time.perf_counter()
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/awards"):
            continue
        operations += 1

        @given(case=operation.as_strategy(), aim=st.booleans(), n=st.integers(0, 10**6))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case, aim, n):
            params = case.path_parameters or {}
            if aim and "id" in params:
                prefix = next((p for p in real_ids if case.path.startswith(p)), None)
                if prefix:
                    params["id"] = real_ids[prefix]
            # A fresh key per case: a reused key would replay or refuse, never reach the view.
            response = case.call(
                headers={**headers, "Idempotency-Key": f"st-{role}-{n}-{time.monotonic_ns()}"}
            )
            declared = case.operation.definition.raw["responses"]
            status = str(response.status_code)
            if response.status_code >= 500 or status not in declared:
                failures.append(f"{case.method} {case.formatted_path} {case.body!r:.200} -> {status}")
                return
            raw = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
            media = (raw[0] if isinstance(raw, list) else raw).split(";")[0]
            if response.status_code != 204 and media not in declared[status].get("content", {}):
                failures.append(f"{case.method} {case.formatted_path} -> {status} {media} undeclared")

        run()
    assert operations >= 20
    assert failures == [], "\n".join(failures)
    assert time.perf_counter() - started < 180

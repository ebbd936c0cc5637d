import os

import pytest
from django.conf import settings
from django.db import connection
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_service(reason: str) -> None:
    """A missing service fails the test in CI and skips it (with the reason) elsewhere."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Provinces and regions come from a data migration; transactional tests flush them."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db:
        yield
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from programs import reference_data
    from programs.models import Province

    if not Province.objects.exists():
        reference_data.load()
    yield


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def redis_url() -> str:
    url = settings.REDIS_URL
    if not url:
        need_service("REDIS_URL is not set: this test needs a real Redis")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        need_service(f"Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        need_service("this test needs PostgreSQL (set DATABASE_URL=postgres://...)")


# Property tests check results, never speed: no per-example deadline (a loaded CI machine would
# make them flaky), and a fixed number of examples.
hypothesis_settings.register_profile("megaproject", deadline=None, max_examples=100, derandomize=True)
hypothesis_settings.load_profile("megaproject")

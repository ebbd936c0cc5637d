"""Issue 13 item 18: check --deploy clean, a strict Content-Security-Policy, a /healthz that tells nothing."""

import datetime as dt
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.utils import timezone

from programs.models import WorkerHeartbeat
from tests.factories import UserFactory, complete_application

ROOT = Path(__file__).resolve().parents[2]
SECURE_ENV = {
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
}
SHOW_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE]))"
)


def production(*args: str, **extra: str) -> subprocess.CompletedProcess:
    # The caller's environment minus what would change the verdict (the browser tests set the
    # async escape hatch that check --deploy rightly refuses).
    dropped = SECURE_ENV | {"DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.endswith("COOKIE_SECURE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY=secrets.token_urlsafe(50), **extra
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    result = production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_settings_default_on_and_are_configurable_for_a_plain_http_setup():
    on = production("-c", SHOW_SETTINGS)
    assert json.loads(on.stdout) == [True, 31_536_000, True], on.stderr
    off = production(
        "-c",
        SHOW_SETTINGS,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="false",
    )
    assert json.loads(off.stdout) == [False, 0, False], off.stderr


# --- Content-Security-Policy -------------------------------------------------------------------

# A script element without src runs inline, unless it is data (type="application/json").
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.I)


def assert_no_inline_code(html: str, where: str) -> None:
    for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
        match = pattern.search(html)
        assert match is None, f"{where}: {html[max(0, match.start() - 80) : match.end() + 80]!r}"


@pytest.mark.parametrize(
    "path",
    sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        # The admin (django-unfold) has its own policy: config/csp.py says why. The award letter
        # is rendered to PDF by WeasyPrint, never served to a browser.
        if "admin" not in p.relative_to(ROOT / "templates").parts and p.name != "letter.html"
    ),
)
def test_templates_have_no_inline_script_style_or_handler(path):
    assert_no_inline_code((ROOT / path).read_text(encoding="utf-8"), path)


def assert_strict_policy(response) -> None:
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def assert_admin_policy(response) -> None:
    """The admin's policy (config/csp.py): inline code and eval for unfold, nothing from elsewhere."""
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self' 'unsafe-inline' 'unsafe-eval'"
    assert "http" not in policy and "*" not in policy


@pytest.mark.django_db
def test_every_page_carries_the_policy_and_needs_no_inline_code(client):
    app = complete_application()
    pages = ["/", "/calls/", "/login/", "/api/docs/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_policy(response)
        assert_no_inline_code(response.content.decode(), path)

    client.force_login(app.consortium.contacts.first())
    steps = ("basics", "members", "budget", "kpis", "milestones", "documents", "review")
    portal = ["/my/", f"/my/consortia/{app.consortium.pk}/", f"/my/applications/{app.pk}/"]
    portal += [f"/my/applications/{app.pk}/{step}/" for step in steps]
    portal += [f"/my/applications/{app.pk}/timeline/"]
    for path in portal:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_policy(response)
        assert_no_inline_code(response.content.decode(), path)

    assert_admin_policy(client.get("/admin/login/"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for path in (
        "/admin/",
        "/admin/consortia/application/",
        f"/admin/consortia/application/{app.pk}/change/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_admin_policy(response)


# --- /healthz --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_degraded_until_a_worker_is_seen_and_again_when_it_goes_quiet(client, settings):
    body = client.get("/healthz").json()
    assert (body["status"], body["worker"], body["worker_last_seen"]) == ("degraded", "never seen", None)
    beat = WorkerHeartbeat.objects.create(name="worker", last_seen_at=timezone.now())
    response = client.get("/healthz")
    assert (response.status_code, response.json()["status"]) == (200, "ok")
    beat.last_seen_at = timezone.now() - dt.timedelta(seconds=settings.WORKER_STALE_SECONDS + 1)
    beat.save()
    response = client.get("/healthz")
    assert response.status_code == 200  # the web itself works: do not restart it for the worker
    assert (response.json()["status"], response.json()["worker"]) == ("degraded", "stale")


@pytest.mark.django_db
def test_healthz_reveals_no_exception_text_when_the_database_fails(client, monkeypatch):
    from programs import views

    secret = 'connection to server at "db.internal" (10.0.0.5), port 5432 failed: password authentication'

    class Broken:
        def cursor(self):
            raise OperationalError(secret)

        vendor = "postgresql"

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert "db.internal" not in response.content.decode()

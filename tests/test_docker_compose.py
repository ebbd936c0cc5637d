"""docker-compose.yml and the Dockerfile agree with the settings and the code they start.

No Docker engine is needed: both files are parsed. Compose `${VAR:-default}` references are
resolved with their defaults (the caller's environment is ignored), so the checks are about
what `docker compose up` does with nothing exported but SECRET_KEY.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from celery.utils.imports import symbol_by_name
from django.conf import settings
from django.http.request import validate_host
from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS_DIR = ROOT / "config" / "settings"

EXPECTED_SERVICES = ("postgres", "redis", "web", "worker", "beat")
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_ENV = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "SECRET_KEY")
# Read by Django itself (manage.py, config/wsgi.py, config/celery.py), not by config/settings.
READ_OUTSIDE_SETTINGS = {"DJANGO_SETTINGS_MODULE"}
# Interpreter and installer variables a Dockerfile may set besides the settings' own.
TOOLING_ENV = {"PATH", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}
PRODUCTION_SETTINGS = "config.settings.production"
DATABASE_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
SHELL_OPERATORS = {"&&", "||", ";"}


# --- helpers: settings scan ----------------------------------------------------------------

# env.str("NAME", ...), env.bool("NAME"), env("NAME"), environ.Env().str("NAME", ...)
_ENV_CALL = re.compile(r"""\b(?:env|Env\(\))(?:\.\w+)?\(\s*["'](?P<name>[A-Z][A-Z0-9_]*)["']""")
# os.environ.get("NAME"), os.getenv("NAME"), os.environ["NAME"]
_OS_ENV = re.compile(
    r"""\bos\.(?:environ\.get\(|environ\.setdefault\(|getenv\(|environ\[)\s*"""
    r"""["'](?P<name>[A-Z][A-Z0-9_]*)["']"""
)
# django-environ helpers that read a fixed variable when called without a name.
_DEFAULT_NAME_CALLS = {
    re.compile(r"\benv\.db(?:_url)?\(\s*\)"): environ.Env.DEFAULT_DATABASE_ENV,
    re.compile(r"\benv\.cache(?:_url)?\(\s*\)"): environ.Env.DEFAULT_CACHE_ENV,
    re.compile(r"\benv\.email(?:_url)?\(\s*\)"): environ.Env.DEFAULT_EMAIL_ENV,
    re.compile(r"\benv\.search_url\(\s*\)"): environ.Env.DEFAULT_SEARCH_ENV,
}


def settings_env_names() -> set[str]:
    """Every environment variable name config/settings/*.py reads."""
    names: set[str] = set()
    for path in SETTINGS_DIR.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        names.update(m["name"] for m in _ENV_CALL.finditer(source))
        names.update(m["name"] for m in _OS_ENV.finditer(source))
        names.update(name for rx, name in _DEFAULT_NAME_CALLS.items() if rx.search(source))
    return names


SETTINGS_ENV_NAMES = settings_env_names()


# --- helpers: compose --------------------------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<default>[^}]*))?\}|\$(?P<bare>[A-Za-z_]\w*)"
)


def interpolate(value: object) -> str:
    """Resolve compose interpolation with defaults only: `${A:-x}` -> x, `$$` -> `$`."""

    def replace(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        if match["op"] and "-" in match["op"]:
            return match["default"]
        return ""

    return _INTERPOLATION.sub(replace, str(value))


def load_compose() -> dict:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{COMPOSE_FILE.name} is not a YAML mapping"
    assert isinstance(data.get("services"), dict), f"{COMPOSE_FILE.name} has no services"
    return data


COMPOSE = load_compose()
SERVICES: dict[str, dict] = COMPOSE["services"]


def service(name: str) -> dict:
    assert name in SERVICES, f"docker-compose.yml has no {name!r} service"
    return SERVICES[name]


def environment(name: str) -> dict[str, object]:
    """A service's environment as a mapping of raw (uninterpolated) values."""
    env = service(name).get("environment") or {}
    if isinstance(env, list):  # ["NAME=value", ...] form
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def resolved_environment(name: str) -> dict[str, str]:
    return {key: interpolate(value) for key, value in environment(name).items()}


def shell_commands(command: object) -> list[list[str]]:
    """The commands a compose `command` (or Dockerfile CMD) runs, `sh -c` scripts split
    on && / || / ; and a leading `exec` dropped."""
    assert command, "no command given"
    words = shlex.split(command) if isinstance(command, str) else [str(w) for w in command]
    if len(words) >= 3 and Path(words[0]).name in {"sh", "bash"} and words[1] == "-c":
        words = shlex.split(words[2])
    commands: list[list[str]] = [[]]
    for word in words:
        if word in SHELL_OPERATORS:
            commands.append([])
        else:
            commands[-1].append(word)
    return [c[1:] if c[0] == "exec" else c for c in commands if c]


def option_value(words: list[str], *flags: str) -> str | None:
    """Value of `--flag value`, `--flag=value` or `-f value` in a word list."""
    for i, word in enumerate(words):
        for flag in flags:
            if word == flag and i + 1 < len(words):
                return words[i + 1]
            if flag.startswith("--") and word.startswith(flag + "="):
                return word.split("=", 1)[1]
    return None


def healthcheck_text(name: str) -> str:
    """A service's healthcheck command as one string (CMD and CMD-SHELL forms)."""
    test = (service(name).get("healthcheck") or {}).get("test")
    if isinstance(test, list):
        return interpolate(" ".join(str(part) for part in test[1:]))
    return interpolate(test or "")


def the_command(name: str, program: str) -> list[str]:
    """The single `program ...` command a service runs."""
    found = [c for c in shell_commands(service(name).get("command")) if c[0] == program]
    assert len(found) == 1, (
        f"service {name!r} should run exactly one `{program}` command, "
        f"its command is {service(name).get('command')!r}"
    )
    return found[0]


def volume_mounts(name: str) -> list[tuple[str | None, str]]:
    """(source, target) of a service's volumes, short and long syntax."""
    mounts = []
    for volume in service(name).get("volumes") or []:
        if isinstance(volume, dict):
            mounts.append((volume.get("source"), volume["target"]))
        else:
            parts = str(volume).split(":")
            mounts.append((parts[0], parts[1]) if len(parts) > 1 else (None, parts[0]))
    return mounts


def assert_on_named_volume(name: str, path: str, what: str) -> None:
    declared = COMPOSE.get("volumes") or {}
    mounts = [
        (source, target)
        for source, target in volume_mounts(name)
        if path == target or path.startswith(target.rstrip("/") + "/")
    ]
    assert mounts, f"service {name!r}: {what} {path} is not on any volume, so it is lost"
    source = mounts[-1][0]
    assert source in declared, (
        f"service {name!r}: {what} {path} is mounted from {source!r}, "
        f"which is not a named volume declared under top-level `volumes:` ({sorted(declared)})"
    )


def depends_on(name: str) -> dict:
    deps = service(name).get("depends_on") or {}
    assert isinstance(deps, dict), (
        f"service {name!r}: depends_on must use the long form with `condition:`, "
        f"a plain list only waits for the container to start, got {deps!r}"
    )
    return deps


def transitive_dependencies(name: str) -> set[str]:
    seen: set[str] = set()
    todo = list(depends_on(name))
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo.extend(depends_on(dep))
    return seen


# --- helpers: Dockerfile ---------------------------------------------------------------------


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """Instructions as (KEYWORD, arguments), grouped by build stage (one list per FROM)."""
    instructions: list[tuple[str, str]] = []
    buffer = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):  # comments may sit inside continuations too
            continue
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        keyword, _, rest = (buffer + line).strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        buffer = ""
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions:
        if keyword == "FROM":
            stages.append([])
        assert stages, f"Dockerfile: {keyword} before the first FROM"
        stages[-1].append((keyword, rest))
    assert stages, "Dockerfile has no FROM"
    return stages


def env_assignments(args: str) -> dict[str, str]:
    """ENV A=1 B=2 (and the legacy ENV A 1)."""
    words = shlex.split(args)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words)


def exec_form(args: str) -> list[str]:
    return json.loads(args) if args.startswith("[") else ["sh", "-c", args]


STAGES = dockerfile_stages()
FINAL_STAGE = STAGES[-1]


# --- services and healthchecks -----------------------------------------------------------


@pytest.mark.parametrize("name", EXPECTED_SERVICES)
def test_service_exists_with_healthcheck(name):
    healthcheck = service(name).get("healthcheck")
    assert healthcheck, f"service {name!r} has no healthcheck"
    assert not healthcheck.get("disable"), f"service {name!r} disables its healthcheck"
    test = healthcheck.get("test")
    assert test and test != ["NONE"], f"service {name!r}: healthcheck has no `test` command"
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"}, (
            f"service {name!r}: healthcheck test list must start with CMD or CMD-SHELL, got {test[0]!r}"
        )


def test_postgres_and_redis_healthchecks_use_their_clients():
    assert "pg_isready" in healthcheck_text("postgres"), "postgres healthcheck should run pg_isready"
    assert "redis-cli" in healthcheck_text("redis") and "ping" in healthcheck_text("redis"), (
        "redis healthcheck should run `redis-cli ping`"
    )


@pytest.mark.parametrize("name", [n for n in EXPECTED_SERVICES if SERVICES.get(n, {}).get("depends_on")])
def test_depends_on_waits_for_healthy_services(name):
    for dep, spec in depends_on(name).items():
        assert dep in SERVICES, f"service {name!r} depends on unknown service {dep!r}"
        condition = (spec or {}).get("condition")
        assert condition == "service_healthy", (
            f"service {name!r}: depends_on {dep!r} has condition {condition!r}, expected service_healthy"
        )
        assert service(dep).get("healthcheck"), (
            f"service {name!r} waits for {dep!r} to be healthy, but {dep!r} has no healthcheck"
        )


@pytest.mark.parametrize(
    ("name", "required"),
    [("web", {"postgres", "redis"}), ("worker", {"redis"}), ("beat", {"web"})],
)
def test_required_start_order(name, required):
    missing = required - set(depends_on(name))
    assert not missing, f"service {name!r} must depend on {sorted(missing)} (service_healthy)"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_database_and_broker(name):
    missing = {"postgres", "redis"} - transitive_dependencies(name)
    assert not missing, f"service {name!r} can start before {sorted(missing)} is healthy"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_the_project_image(name):
    build = service(name).get("build")
    context = build.get("context", ".") if isinstance(build, dict) else build
    assert context in {".", "./"}, (
        f"service {name!r} should build the project Dockerfile (build: .), got {build!r}"
    )


# --- web ---------------------------------------------------------------------------------


def test_web_runs_migrations_then_gunicorn():
    commands = shell_commands(service("web").get("command"))
    programs = [" ".join(c) for c in commands]
    migrate = [i for i, c in enumerate(commands) if c[:3] == ["python", "manage.py", "migrate"]]
    gunicorn = [i for i, c in enumerate(commands) if c[0] == "gunicorn"]
    assert migrate, f"web should run `python manage.py migrate --noinput`, runs {programs}"
    assert "--noinput" in commands[migrate[0]], "web: migrate needs --noinput (no tty in compose)"
    assert gunicorn, f"web should run gunicorn, runs {programs}"
    assert migrate[0] < gunicorn[0], "web must migrate before gunicorn starts serving"
    gunicorn_words = commands[gunicorn[0]]
    assert "config.wsgi:application" in gunicorn_words, (
        f"web: gunicorn should serve config.wsgi:application, got {gunicorn_words}"
    )
    bind = option_value(gunicorn_words, "--bind", "-b")
    assert bind == "0.0.0.0:8000", f"web: gunicorn should bind 0.0.0.0:8000, binds {bind!r}"


def test_web_publishes_port_8000():
    ports = [str(p) for p in service("web").get("ports") or []]
    assert "8000:8000" in ports, f"web should publish 8000:8000, publishes {ports}"


def test_web_healthcheck_requests_the_routed_healthz_view():
    text = healthcheck_text("web")
    urls = re.findall(r"https?://[^\s'\"]+", text)
    assert len(urls) == 1, f"web healthcheck should request one URL, found {urls} in {text!r}"
    url = urlsplit(urls[0])
    assert "urllib" in text, "web healthcheck should use python urllib (slim images have no curl)"
    assert url.path == "/healthz", f"web healthcheck requests {url.path!r}, expected /healthz"
    assert url.port == 8000, f"web healthcheck requests port {url.port}, gunicorn binds 8000"
    try:
        match = resolve(url.path)
    except Resolver404:
        pytest.fail(f"{url.path} is not routed in config/urls.py")
    assert match.url_name == "healthz", f"{url.path} resolves to {match.url_name!r}, not healthz"
    allowed = resolved_environment("web").get("ALLOWED_HOSTS", "")
    allowed_hosts = [h.strip() for h in allowed.split(",") if h.strip()]
    assert validate_host(url.hostname, allowed_hosts), (
        f"web healthcheck sends Host {url.hostname!r}, which ALLOWED_HOSTS={allowed!r} rejects "
        "(Django would answer 400 and the service would never become healthy)"
    )


# --- worker and beat ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_celery_services_run_the_config_app(name, subcommand):
    words = the_command(name, "celery")
    app = option_value(words, "-A", "--app")
    assert app == "config", f"service {name!r}: celery should run with -A config, got {app!r}"
    assert subcommand in words, f"service {name!r}: celery should run `{subcommand}`, got {words}"
    assert words.index(subcommand) > 1, f"service {name!r}: `-A config` must precede {subcommand}"


def test_beat_uses_the_database_scheduler():
    words = the_command("beat", "celery")
    scheduler = option_value(words, "--scheduler", "-S") or settings.CELERY_BEAT_SCHEDULER
    assert scheduler == DATABASE_SCHEDULER, (
        f"beat should use {DATABASE_SCHEDULER} (schedules edited in the admin), uses {scheduler!r}"
    )
    assert "django_celery_beat" in settings.INSTALLED_APPS, "django_celery_beat is not installed"
    symbol_by_name(scheduler)  # importable


def test_worker_healthcheck_pings_its_own_node():
    text = healthcheck_text("worker")
    assert "celery -A config inspect ping" in text, (
        f"worker healthcheck should run `celery -A config inspect ping`, runs {text!r}"
    )
    nodename = option_value(the_command("worker", "celery"), "-n", "--hostname") or "celery@%h"
    assert nodename in {"celery@%h", "celery@$HOSTNAME"}, (
        f"worker sets node name {nodename!r}; the healthcheck pings celery@$HOSTNAME"
    )
    assert "-d celery@$HOSTNAME" in text, (
        f"worker healthcheck should ping only this container's node (-d celery@$$HOSTNAME), runs {text!r}"
    )


def test_beat_healthcheck_watches_the_beat_pidfile():
    pidfile = option_value(the_command("beat", "celery"), "--pidfile")
    text = healthcheck_text("beat")
    if pidfile:
        assert pidfile in text, f"beat writes {pidfile} but its healthcheck does not read it: {text!r}"
    else:
        assert "beat" in text, f"beat healthcheck does not check the beat process: {text!r}"


# --- environment ---------------------------------------------------------------------------


def test_settings_scan_finds_the_core_variables():
    missing = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} - SETTINGS_ENV_NAMES
    assert not missing, (
        f"the scan of config/settings/*.py found {sorted(SETTINGS_ENV_NAMES)} but not "
        f"{sorted(missing)}: the settings changed or the regex in this test is broken"
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_is_read_by_settings(name):
    env = environment(name)
    unknown = set(env) - SETTINGS_ENV_NAMES - READ_OUTSIDE_SETTINGS
    assert not unknown, (
        f"service {name!r} sets {sorted(unknown)}, which config/settings/*.py never reads "
        "(typo, or a setting that was removed)"
    )
    not_strings = {k: v for k, v in env.items() if not isinstance(v, str)}
    assert not not_strings, (
        f"service {name!r}: quote these values, compose rejects YAML booleans/numbers: {not_strings}"
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_sets_required_variables(name):
    env = resolved_environment(name)
    missing = [key for key in REQUIRED_ENV if not env.get(key)]
    assert not missing, f"service {name!r} does not set {missing}"
    assert env["DJANGO_SETTINGS_MODULE"] == PRODUCTION_SETTINGS, (
        f"service {name!r} runs {env['DJANGO_SETTINGS_MODULE']!r}, expected {PRODUCTION_SETTINGS}"
    )
    assert importlib.util.find_spec(PRODUCTION_SETTINGS), f"{PRODUCTION_SETTINGS} does not exist"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_database_url_points_at_the_postgres_service(name):
    url = resolved_environment(name)["DATABASE_URL"]
    db = resolved_environment("postgres")
    parts = urlsplit(url)
    config = environ.Env.db_url_config(url)
    assert config["ENGINE"] == "django.db.backends.postgresql", (
        f"service {name!r}: DATABASE_URL {url!r} is not a PostgreSQL URL"
    )
    assert parts.hostname == "postgres", (
        f"service {name!r}: DATABASE_URL host is {parts.hostname!r}, expected the postgres service"
    )
    assert parts.port in (None, 5432), f"service {name!r}: DATABASE_URL port {parts.port} != 5432"
    expected = {
        "POSTGRES_DB": parts.path.lstrip("/"),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }
    for key, from_url in expected.items():
        assert db.get(key) == from_url, (
            f"service {name!r}: DATABASE_URL gives {key.split('_')[1].lower()} {from_url!r} "
            f"but the postgres service has {key}={db.get(key)!r}"
        )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_redis_url_points_at_the_redis_service(name):
    url = urlsplit(resolved_environment(name)["REDIS_URL"])
    assert url.scheme == "redis", f"service {name!r}: REDIS_URL scheme {url.scheme!r} != redis"
    assert url.hostname == "redis", (
        f"service {name!r}: REDIS_URL host is {url.hostname!r}, expected the redis service"
    )
    assert url.port in (None, 6379), f"service {name!r}: REDIS_URL port {url.port} != 6379"


@pytest.mark.parametrize("name", ["web", "worker"])
def test_media_and_mail_live_on_named_volumes(name):
    env = resolved_environment(name)
    for key in ("MEDIA_ROOT", "EMAIL_FILE_PATH"):
        assert env.get(key), f"service {name!r} should set {key} (to a path on a named volume)"
        assert_on_named_volume(name, env[key], key)


def test_postgres_data_lives_on_a_named_volume():
    assert_on_named_volume("postgres", "/var/lib/postgresql/data", "the database directory")


def test_production_settings_load_with_the_compose_environment(tmp_path):
    """Import the production settings in a fresh interpreter with web's environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SETTINGS_ENV_NAMES | READ_OUTSIDE_SETTINGS
    }
    env.update(resolved_environment("web"))
    env["MEGAPROJECT_VAR_DIR"] = str(tmp_path / "var")  # settings mkdir it; /app is not here
    probe = (
        "import json; from django.conf import settings as s; db = s.DATABASES['default']; "
        "print(json.dumps({'engine': db['ENGINE'], 'host': db['HOST'], 'debug': s.DEBUG, "
        "'broker': s.CELERY_BROKER_URL, 'backend': s.CELERY_RESULT_BACKEND, "
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"production settings fail with web's environment:\n{result.stderr}"
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    redis_url = resolved_environment("web")["REDIS_URL"]
    assert loaded["engine"] == "django.db.backends.postgresql", loaded
    assert loaded["host"] == "postgres", loaded
    assert loaded["debug"] is False, "production settings run with DEBUG on"
    assert loaded["broker"] == loaded["backend"] == redis_url, (
        f"Celery broker/result backend should be REDIS_URL {redis_url}: {loaded}"
    )
    assert loaded["session_secure"] is False and loaded["csrf_secure"] is False, (
        "compose serves plain http on localhost: secure-only cookies would break login"
    )


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_builds_on_python_311_slim():
    bases, stage_names = [], set()
    for stage in STAGES:
        words = [w for w in stage[0][1].split() if not w.startswith("--")]  # drop --platform
        bases.append(words[0])
        if len(words) == 3 and words[1].upper() == "AS":
            stage_names.add(words[2])
    external = [b for b in bases if b not in stage_names]  # FROM <earlier stage> is internal
    assert external and all(b == "python:3.11-slim" for b in external), (
        f"Dockerfile should build FROM python:3.11-slim, uses {bases}"
    )


def test_dockerfile_runs_as_non_root():
    users = [rest for keyword, rest in FINAL_STAGE if keyword == "USER"]
    assert users, "Dockerfile: the final stage never switches away from root (no USER)"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, f"Dockerfile: the final stage runs as {users[-1]!r}"


def test_dockerfile_installs_the_project_without_dev_extra():
    installs = []
    for stage in STAGES:
        for keyword, rest in stage:
            if keyword != "RUN":
                continue
            for command in shell_commands(["sh", "-c", rest]):
                if command[:2] == ["pip", "install"] or command[2:4] == ["pip", "install"]:
                    installs.append(command)
    args = [arg for command in installs for arg in command]
    assert "." in args, f"Dockerfile should `pip install .`, its pip installs are {installs}"
    extras = [arg for arg in args if arg.startswith(".[")]
    assert not extras, f"Dockerfile installs extras {extras}; the image must not carry dev tools"


def test_dockerfile_collects_static_files_with_production_settings():
    for stage in STAGES:
        env: dict[str, str] = {}
        for keyword, rest in stage:
            if keyword == "ENV":
                env.update(env_assignments(rest))
            if keyword == "ARG":
                env[rest.split("=", 1)[0]] = rest.partition("=")[2]
            if keyword == "RUN" and "collectstatic" in rest:
                inline = dict(re.findall(r"\b([A-Z][A-Z0-9_]*)=(\S+)", rest))
                seen = {**env, **inline}
                assert "--noinput" in rest, "Dockerfile: collectstatic needs --noinput"
                assert seen.get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS, (
                    f"Dockerfile: collectstatic should run with {PRODUCTION_SETTINGS}, "
                    f"runs with {seen.get('DJANGO_SETTINGS_MODULE')!r}"
                )
                assert "SECRET_KEY" in seen, (
                    "Dockerfile: production settings need SECRET_KEY; give collectstatic a build-time dummy"
                )
                return
    pytest.fail("Dockerfile never runs `manage.py collectstatic`")


def test_dockerfile_ships_no_secret_key_and_only_known_variables():
    final_env: dict[str, str] = {}
    for keyword, rest in FINAL_STAGE:
        if keyword == "ENV":
            final_env.update(env_assignments(rest))
        if keyword == "ARG":
            assert not rest.startswith("SECRET_KEY"), "Dockerfile: SECRET_KEY as a final-stage ARG"
    assert "SECRET_KEY" not in final_env, (
        "Dockerfile bakes SECRET_KEY into the image; it must come from the runtime environment"
    )
    assert final_env.get("DJANGO_SETTINGS_MODULE") == PRODUCTION_SETTINGS, (
        f"the image should default to {PRODUCTION_SETTINGS}, sets {final_env.get('DJANGO_SETTINGS_MODULE')!r}"
    )
    names = {name for stage in STAGES for kw, rest in stage if kw == "ENV" for name in env_assignments(rest)}
    unknown = {
        name
        for name in names - SETTINGS_ENV_NAMES - READ_OUTSIDE_SETTINGS - TOOLING_ENV
        if not name.startswith("PIP_")
    }
    assert not unknown, f"Dockerfile sets {sorted(unknown)}, which config/settings/*.py never reads"


def test_dockerfile_default_command_is_gunicorn():
    entrypoint = [rest for keyword, rest in FINAL_STAGE if keyword == "ENTRYPOINT"]
    cmd = [rest for keyword, rest in FINAL_STAGE if keyword == "CMD"]
    assert cmd, "Dockerfile has no CMD in its final stage"
    words = (exec_form(entrypoint[-1]) if entrypoint else []) + exec_form(cmd[-1])
    commands = shell_commands(words)
    assert commands[-1][0] == "gunicorn", f"the image should default to gunicorn, runs {words}"
    assert "config.wsgi:application" in commands[-1], (
        f"the image's gunicorn should serve config.wsgi:application, runs {words}"
    )


# --- everything the files start exists --------------------------------------------------------


def referenced_wsgi_apps() -> set[str]:
    cmd = [rest for keyword, rest in FINAL_STAGE if keyword == "CMD"][-1]
    commands = shell_commands(exec_form(cmd)) + shell_commands(service("web").get("command"))
    return {
        word
        for command in commands
        if command[0] == "gunicorn"
        for word in command[1:]
        if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", word)  # not 0.0.0.0:8000
    }


def test_wsgi_apps_referenced_exist():
    apps = referenced_wsgi_apps()
    assert apps, "no gunicorn module:attribute found in the Dockerfile CMD or web command"
    for spec in sorted(apps):
        module_name, attribute = spec.split(":")
        module = importlib.import_module(module_name)
        assert callable(getattr(module, attribute, None)), f"{spec}: no WSGI callable there"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_celery_app_referenced_exists(name):
    app_name = option_value(the_command(name, "celery"), "-A", "--app")
    app = find_app(app_name)  # what `celery -A <app_name>` does
    assert isinstance(app, Celery), f"`celery -A {app_name}` does not find a Celery app: {app!r}"
    assert app is importlib.import_module("config.celery").app, (
        f"`celery -A {app_name}` finds {app!r}, not config.celery.app"
    )


def test_manage_py_is_at_the_project_root():
    assert (ROOT / "manage.py").is_file(), "compose and Dockerfile run `python manage.py`"

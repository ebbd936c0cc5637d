"""Settings come from the environment; nothing set means the embedded default."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'],"
    " 'init': s.DATABASES['default'].get('OPTIONS', {}).get('init_command', ''),"
    " 'broker': s.CELERY_BROKER_URL, 'backend': s.CELERY_RESULT_BACKEND,"
    " 'email': s.EMAIL_BACKEND, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE,"
    " 'langs': [c for c, _ in s.LANGUAGES], 'debug': s.DEBUG}))"
)


def settings_with(tmp_path, **env) -> dict:
    base = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    base.update(DJANGO_SETTINGS_MODULE="config.settings.local", MEGAPROJECT_VAR_DIR=str(tmp_path), **env)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=base, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_nothing_set_means_sqlite_wal_and_a_file_broker(tmp_path):
    s = settings_with(tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in s["init"]
    assert s["broker"].startswith("filesystem://")
    assert s["backend"].startswith("file://")
    assert s["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert (s["tz"], s["lang"], s["langs"], s["debug"]) == ("Asia/Seoul", "ko", ["ko", "en"], False)


def test_database_and_redis_urls_switch_to_postgres_and_redis(tmp_path):
    s = settings_with(
        tmp_path,
        DATABASE_URL="postgres://postgres@db.example:5432/megaproject",
        REDIS_URL="redis://cache.example:6379/0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["broker"] == s["backend"] == "redis://cache.example:6379/0"
    assert s["email"].endswith("smtp.EmailBackend")

"""Beat's schedules, seeded once: administrators' later edits in the admin are theirs to keep.

(CELERY_BEAT_SCHEDULE would be written over the database's entries on every beat start.)
"""

from django.conf import settings
from django.db import migrations


def schedules() -> dict[str, tuple[str, dict, str]]:
    return {
        "worker-heartbeat": (
            "programs.tasks.record_heartbeat",
            {"every": max(1, int(settings.HEARTBEAT_SECONDS))},
            "The worker's proof of life (/healthz).",
        ),
        # Every minute: a dead worker's notice goes out again within its claim lease (2 minutes)
        # plus a minute. Email recovery: keep it enabled.
        "requeue-stale-notices": (
            "consortia.tasks.requeue_stale_notices",
            {"every": 60},
            "Email recovery: queues notices owed past their grace period or left by a dead worker.",
        ),
        "move-organisations-to-successor-provinces": (
            "consortia.tasks.move_organisations_to_successor_provinces",
            {"minute": "5", "hour": "0"},
            "Daily at 00:05 KST: organisations of an ended province move to its successor.",
        ),
    }


def seed(apps, schema_editor):
    from config.beat import seed_schedules

    seed_schedules(apps, schedules())


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_reference_data"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

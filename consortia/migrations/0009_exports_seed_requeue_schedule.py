"""Beat's sweep of exports whose task never came (broker down) or whose worker died, seeded once:
administrators' later edits in the admin are theirs to keep."""

from django.db import migrations


def seed(apps, schema_editor):
    from config.beat import seed_schedules

    seed_schedules(
        apps,
        {
            "requeue-stale-exports": (
                "consortia.tasks.requeue_stale_exports",
                {"every": 60},
                "Export recovery: queues xlsx exports still waiting past their grace period or left by a dead worker.",
            ),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consortia", "0008_exports_kind_params"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

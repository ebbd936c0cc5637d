"""The daily run that confirms stops whose objection period has ended, seeded once into beat's tables."""

from django.db import migrations


def seed(apps, schema_editor):
    from config.beat import seed_schedules

    seed_schedules(
        apps,
        {
            "confirm-due-award-stops": (
                "awards.tasks.confirm_due_stops",
                {"minute": "10", "hour": "0"},
                "Daily at 00:10 KST: stops whose objection period ended yesterday, with no objection "
                "awaiting a decision, take effect (award stopped, later tranches cancelled, contacts told).",
            ),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0006_awards_stop_objections"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The daily demand-notice run for unpaid recoveries (독촉장), seeded once into beat's tables."""

from django.db import migrations


def seed(apps, schema_editor):
    from config.beat import seed_schedules

    seed_schedules(
        apps,
        {
            "send-recovery-demand-notices": (
                "awards.tasks.send_recovery_demand_notices",
                {"minute": "0", "hour": "9"},
                "Daily at 09:00 KST: unpaid recoveries past their due date get one demand notice.",
            ),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0002_awards_ledger_append_only"),
        ("programs", "0003_faults_seed_beat_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

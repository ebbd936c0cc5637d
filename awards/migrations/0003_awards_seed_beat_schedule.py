"""Beat's recovery demand-notice schedule, seeded once (see programs' seed migration for why)."""

from django.db import migrations


def seed(apps, schema_editor):
    from config.beat import seed_schedules

    seed_schedules(
        apps,
        {
            "send-recovery-demand-notices": (
                "awards.tasks.send_recovery_demand_notices",
                {"minute": "0", "hour": "9"},
                "Daily at 09:00 KST: demand notices (독촉장) for recoveries unpaid past their due date.",
            ),
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0002_awards_ledger_append_only"),
        ("programs", "0003_faults_seed_beat_schedules"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

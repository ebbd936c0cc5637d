"""Beat's monitoring schedules, seeded once (administrators edit their time in the admin)."""

from django.db import migrations

SCHEDULES = {
    "send-milestone-reminders": (
        "monitoring.tasks.send_milestone_reminders",
        {"minute": "0", "hour": "8"},
        "Daily at 08:00 KST: milestone reminders (D-30, D-7, D-1, overdue then weekly), once each.",
    ),
    "rebuild-kpi-rollups": (
        "monitoring.tasks.rebuild_kpi_rollups",
        {"minute": "30", "hour": "3"},
        "Daily at 03:30 KST: every KPI rollup recomputed (heals a refresh lost while the broker was down).",
    ),
    "send-officer-digests": (
        "monitoring.tasks.send_officer_digests",
        {"minute": "0", "hour": "8", "day_of_week": "1"},
        "Mondays at 08:00 KST: each officer's weekly digest (overdue milestones, pending work, low KPIs).",
    ),
}


def seed(apps, schema_editor):
    from config.beat import seed_schedules

    seed_schedules(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_monitoring_initial"),
        ("awards", "0003_awards_seed_beat_schedule"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

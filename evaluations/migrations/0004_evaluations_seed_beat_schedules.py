"""Beat's evaluation reminders, seeded once (administrators edit their time in the admin)."""

from django.db import migrations

SCHEDULES = {
    "remind-reviewers": (
        "evaluations.tasks.remind_reviewers",
        {"minute": "0", "hour": "9"},
        "Daily at 09:00 KST: reviewers with unsubmitted score sheets, 3 days and 1 day before "
        "their panel closes, once each.",
    ),
    "remind-result-deadlines": (
        "evaluations.tasks.remind_result_deadlines",
        {"minute": "5", "hour": "9"},
        "Daily at 09:05 KST: objection answers (officers; D-7, D-1, overdue) and agreements "
        "(selected applicants; D-7, D-1), once each.",
    ),
}


def seed(apps, schema_editor):
    from config.beat import seed_schedules

    seed_schedules(apps, SCHEDULES)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_eval_application_text"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

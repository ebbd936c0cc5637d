"""Seeding celery beat's schedules (django-celery-beat's tables) from data migrations.

Each app seeds its own periodic tasks once, in a data migration::

    from config.beat import seed_schedules

    def seed(apps, schema_editor):
        seed_schedules(apps, {
            "milestone-reminders": ("awards.tasks.send_milestone_reminders",
                                    {"minute": "0", "hour": "9"}, "Daily at 09:00 KST."),
        })

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

A schedule is {"every": seconds} or a crontab {"minute": ..., "hour": ...} in TIME_ZONE. An entry
that exists already is left alone: administrators' edits in the admin are theirs to keep. (Do not
use CELERY_BEAT_SCHEDULE: the database scheduler writes it over the tables on every beat start.)
"""

from django.conf import settings
from django.utils import timezone


def seed_schedules(apps, schedules: dict[str, tuple[str, dict, str]]) -> list[str]:
    """Creates the periodic tasks not yet in the database; returns their names."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    created = []
    for name, (task, when, description) in schedules.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue  # seeded before, maybe edited since: leave it as it is
        if "every" in when:
            interval, _ = IntervalSchedule.objects.get_or_create(every=int(when["every"]), period="seconds")
            schedule = {"interval": interval}
        else:
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=when.get("minute", "*"),
                hour=when.get("hour", "*"),
                day_of_week=when.get("day_of_week", "*"),
                day_of_month=when.get("day_of_month", "*"),
                month_of_year=when.get("month_of_year", "*"),
                timezone=settings.TIME_ZONE,
            )
            schedule = {"crontab": crontab}
        PeriodicTask.objects.create(name=name, task=task, description=description, **schedule)
        created.append(name)
    if created:
        # Tells a running beat to reload its schedule.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})
    return created

import pytest
from django.core.management import call_command

from consortia.models import Application, BudgetLine
from programs.models import Call

pytestmark = pytest.mark.django_db


def test_the_demo_reads_true():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    apps = list(Application.objects.all())
    assert len(apps) >= 4
    # 접수번호 on every application past draft, unique in the call.
    numbers = [a.receipt_number for a in apps if a.state != "draft"]
    assert all(numbers) and len(set(numbers)) == len(numbers)
    assert all(a.receipt_number.startswith(f"{a.call.year}-") for a in apps if a.state != "draft")
    # Themes name a technology and an industry, not a fragment of the title.
    for app in apps:
        assert app.future_technology not in (app.title.split()[0], "") and app.key_industry
    # Round budgets: whole millions of won everywhere (no 39,999,999).
    for line in BudgetLine.objects.all():
        for amount in (
            line.national_krw,
            line.local_cash_krw,
            line.private_cash_krw,
            line.private_in_kind_krw,
        ):
            assert amount % 1_000_000 == 0
    # A Korean guideline PDF and a plan PDF for each application.
    guideline = Call.objects.exclude(guideline="").get().guideline.read()
    assert guideline.startswith(b"%PDF-") and b"UniKS-UCS2-H" in guideline
    assert "공모".encode("utf-16-be").hex().upper().encode() in guideline
    current = Application.objects.filter(call__guideline__isnull=False).exclude(call__guideline="")
    # The draft is left for its applicant to upload the plan; every submitted one has it.
    assert all(a.documents.filter(kind="proposal").exists() for a in current if a.state != "draft")
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (idempotent)
    assert Application.objects.count() == len(apps)


def test_the_demo_leaves_beat_a_reminder_run_due_now():
    """`make run`: beat itself sends the milestone reminders within a minute of starting."""
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    entry = PeriodicTask.objects.get(name="demo-milestone-reminders-now")
    assert entry.task == "monitoring.tasks.send_milestone_reminders" and entry.one_off and entry.enabled
    assert entry.clocked.clocked_time <= timezone.now()

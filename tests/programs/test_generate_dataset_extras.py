"""`generate_dataset --with ...`: the other apps' generators on top of the base dataset."""

import io

import pytest
from django.core.management import CommandError, call_command

from awards import dataset as awards_dataset
from awards.models import Award, Disbursement, LedgerEntry
from evaluations.models import Panel, Reviewer, ReviewerAffiliation
from monitoring.models import KpiReport, Milestone
from programs import dataset
from programs.models import Program
from tests.awards.helpers import assert_ledger_agrees

pytestmark = pytest.mark.django_db(transaction=False)


def test_every_extra_leaves_its_rows():
    out = io.StringIO()
    call_command("generate_dataset", scale="small", seed=1, with_="all", stdout=out)
    printed = out.getvalue()
    for label in ("evaluation:", "awards:", "monitoring:", "ledgerentry:", "kpireport:"):
        assert label in printed
    officer = Program.objects.get(code=dataset.PROGRAM_CODE).officers.get()
    # Evaluation: a panel of reviewers with affiliations, the base officer among its officers.
    panel = Panel.objects.get()
    assert panel.members.count() == 60
    assert Reviewer.objects.count() == 60
    assert ReviewerAffiliation.objects.values("reviewer").distinct().count() == 60
    assert panel.call.program.officers.filter(pk=officer.pk).exists()
    # Awards: 6 awards with exactly 600 ledger entries that agree with the tranches' balances,
    # disbursements in every state; plus the monitoring's awards.
    awards = Award.objects.filter(program__code__startswith="awards-")
    assert awards.count() == 6
    assert LedgerEntry.objects.filter(award__in=awards).count() == 600
    assert {d.state for d in Disbursement.objects.all()} == {"requested", "approved", "paid"}
    for award in awards:
        assert_ledger_agrees(award)
        assert award.program.officers.filter(pk=officer.pk).exists()
    # Monitoring: 420 KPI reports (3 awards × 14 indicators × 10 years), 100 open milestones.
    monitored = Award.objects.filter(program__code__startswith="monitoring-")
    assert monitored.count() == 3
    assert KpiReport.objects.filter(award__in=monitored).count() == 420
    assert KpiReport.objects.filter(state="validated").exists()
    assert Milestone.objects.filter(award__in=monitored, state="open").count() == 100


def test_the_extras_are_reproducible_from_the_seed():
    call_command("generate_dataset", scale="small", seed=3, with_="awards", stdout=io.StringIO())
    first = list(LedgerEntry.objects.order_by("pk").values_list("kind", "bucket", "amount_krw"))
    assert Reviewer.objects.count() == 0 and KpiReport.objects.count() == 0  # only what was asked
    assert len(first) == 600
    # The same generator with the same seed on top writes the same amounts again.
    awards_dataset.generate(6, 600, seed=3)
    second = list(LedgerEntry.objects.order_by("pk").values_list("kind", "bucket", "amount_krw"))[600:]
    assert second == first


def test_an_unknown_extra_is_refused():
    with pytest.raises(CommandError, match="unknown --with"):
        call_command("generate_dataset", scale="small", with_="awards,grades", stdout=io.StringIO())
    assert not Program.objects.exists()

"""`manage.py generate_dataset --scale national|small --seed N [--with evaluation,awards,monitoring|all]`:
the generated dataset (issue 18), and the other apps' data on top of it."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from programs import dataset
from programs.models import Program

# The other apps' generators and their sizes per scale (national: the issues' figures).
EXTRAS = {
    "evaluation": {
        "national": {"applications": 5_000, "reviewers": 2_000},
        "small": {"applications": 40, "reviewers": 60},
    },
    "awards": {
        "national": {"awards": 500, "entries": 200_000},
        "small": {"awards": 6, "entries": 600},
    },
    "monitoring": {
        "national": {"milestones": 100_000, "observations": 1_000_000},
        "small": {"milestones": 100, "observations": 420},
    },
}


def parse_extras(value) -> list[str]:
    """'evaluation,awards' or 'all' (or a list of names) -> the extras in their order."""
    if not value:
        return []
    names = value.split(",") if isinstance(value, str) else list(value)
    names = {n.strip() for n in names if n.strip()}
    if "all" in names:
        return list(EXTRAS)
    unknown = names - set(EXTRAS)
    if unknown:
        raise CommandError(f"unknown --with {', '.join(sorted(unknown))}: one of {', '.join(EXTRAS)}, all")
    return [n for n in EXTRAS if n in names]


def _evaluation(ds, size: dict, seed: int) -> dict:
    from evaluations.dataset import generate_panel
    from evaluations.models import Reviewer, ReviewerAffiliation

    panel, _officer = generate_panel(size["applications"], size["reviewers"], seed=seed)
    panel.call.program.officers.add(ds.officer_id)  # bench-officer sees the panel too
    return {
        "panel applications": size["applications"],
        "reviewer": Reviewer.objects.count(),
        "revieweraffiliation": ReviewerAffiliation.objects.count(),
    }


def _awards(ds, size: dict, seed: int) -> dict:
    from django.contrib.auth import get_user_model

    from awards import dataset as awards_dataset
    from awards.models import Award, Disbursement, LedgerEntry, Tranche

    officer = get_user_model().objects.get(pk=ds.officer_id)
    awards_dataset.generate(size["awards"], size["entries"], seed=seed, officer=officer)
    return {
        "award": Award.objects.count(),
        "tranche": Tranche.objects.count(),
        "disbursement": Disbursement.objects.count(),
        "ledgerentry": LedgerEntry.objects.count(),
    }


def _monitoring(ds, size: dict, seed: int) -> dict:
    from django.contrib.auth import get_user_model

    from monitoring import dataset as monitoring_dataset
    from monitoring.models import KpiReport, Milestone

    officer = get_user_model().objects.get(pk=ds.officer_id)
    made = monitoring_dataset.generate(size["milestones"], size["observations"], seed=seed, officer=officer)
    return {
        "monitored awards": made["awards"],
        "milestone": Milestone.objects.count(),
        "kpireport": KpiReport.objects.count(),
    }


RUNNERS = {"evaluation": _evaluation, "awards": _awards, "monitoring": _monitoring}


class Command(BaseCommand):
    help = "Generates a reproducible national (or small) dataset true to the call's rules."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(dataset.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--with",
            dest="with_",
            default="",
            metavar="evaluation,awards,monitoring|all",
            help="Also generate the other apps' data: reviewers and a panel, awards with a ledger, "
            "milestones and KPI reports (sizes per scale).",
        )

    def handle(self, *args, scale: str, seed: int, with_="", **options):
        extras = parse_extras(with_)
        if Program.objects.filter(code=dataset.PROGRAM_CODE).exists():
            raise CommandError("A generated dataset is already here: use an empty database.")
        started = time.monotonic()
        ds = dataset.build(scale=scale, seed=seed, stdout=self.stdout)
        for name, count in ds.counts.items():
            self.stdout.write(f"  {name}: {count:,}")
        for name in extras:
            step = time.monotonic()
            with transaction.atomic():
                counts = RUNNERS[name](ds, EXTRAS[name][scale], seed)
            self.stdout.write(f"{name}: {time.monotonic() - step:.1f}s")
            for label, count in counts.items():
                self.stdout.write(f"  {label}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{scale} dataset (seed {seed}) in {time.monotonic() - started:.0f}s; "
                f"logins bench-admin, bench-officer, bench-heavy (password {dataset.PASSWORD})"
            )
        )

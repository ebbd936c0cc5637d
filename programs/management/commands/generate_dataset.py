"""`manage.py generate_dataset --scale national|small --seed N`: the generated dataset (issue 18)."""

import time

from django.core.management.base import BaseCommand, CommandError

from programs import dataset
from programs.models import Program


class Command(BaseCommand):
    help = "Generates a reproducible national (or small) dataset true to the call's rules."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(dataset.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale: str, seed: int, **options):
        if Program.objects.filter(code=dataset.PROGRAM_CODE).exists():
            raise CommandError("A generated dataset is already here: use an empty database.")
        started = time.monotonic()
        ds = dataset.build(scale=scale, seed=seed, stdout=self.stdout)
        for name, count in ds.counts.items():
            self.stdout.write(f"  {name}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{scale} dataset (seed {seed}) in {time.monotonic() - started:.0f}s; "
                f"logins bench-admin, bench-officer, bench-heavy (password {dataset.PASSWORD})"
            )
        )

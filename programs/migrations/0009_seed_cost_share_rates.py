"""The cost-share rates by firm size as commonly cited for national R&D (국가연구개발혁신법 시행령
별표 1); administrators verify them against the law in force and add a dated row when it changes."""

import datetime as dt

from django.db import migrations

SOURCE = "국가연구개발혁신법 시행령 별표 1 (verify against the law in force)"
RATES = [
    # type, government share at most %, cash at least % of the firm's own share
    ("sme", 75, 10),
    ("startup", 75, 10),
    ("midsize_firm", 70, 13),
    ("large_firm", 50, 15),
]


def seed(apps, schema_editor):
    CostShareRate = apps.get_model("programs", "CostShareRate")
    for kind, government, cash in RATES:
        CostShareRate.objects.get_or_create(
            organisation_type=kind,
            effective_from=dt.date(2021, 1, 1),  # the Act's entry into force
            defaults={"government_max_percent": government, "own_cash_min_percent": cash, "source": SOURCE},
        )


class Migration(migrations.Migration):
    dependencies = [("programs", "0008_cost_share_rates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

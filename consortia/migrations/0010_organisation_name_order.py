"""The admin's organisation list reads its pages in name order from this index (issue 18)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consortia", "0009_exports_seed_requeue_schedule"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(fields=["name", "id"], name="organisation_name_order"),
        ),
    ]

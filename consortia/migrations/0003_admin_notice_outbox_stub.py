# The generic notice outbox (stopgap of the `faults` branch's, which replaces this at merge).

import django.db.models.deletion
from django.db import migrations, models


def legacy_keys(apps, schema_editor):
    Notice = apps.get_model("consortia", "Notice")
    for notice in Notice.objects.all():
        notice.dedupe_key = f"legacy:{notice.pk}"
        notice.save(update_fields=["dedupe_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("consortia", "0002_admin_back_office"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="notice", name="one_notice_per_kind_and_recipient"),
        migrations.RemoveField(model_name="notice", name="to"),
        migrations.AddField(
            model_name="notice",
            name="body",
            field=models.TextField(default="", verbose_name="body"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notice",
            name="dedupe_key",
            field=models.CharField(default="", max_length=255, verbose_name="deduplication key"),
            preserve_default=False,
        ),
        migrations.RunPython(legacy_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notice",
            name="dedupe_key",
            field=models.CharField(max_length=255, unique=True, verbose_name="deduplication key"),
        ),
        migrations.AddField(
            model_name="notice",
            name="recipients",
            field=models.JSONField(default=list, verbose_name="recipients"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notice",
            name="subject",
            field=models.TextField(default="", verbose_name="subject"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="notice",
            name="application",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notices",
                to="consortia.application",
            ),
        ),
        migrations.AlterField(
            model_name="notice",
            name="kind",
            field=models.CharField(max_length=60, verbose_name="kind"),
        ),
    ]

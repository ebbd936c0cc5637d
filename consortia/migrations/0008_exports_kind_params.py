"""The application list's export becomes every export's job: a kind, its params, the error."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consortia", "0007_merge_20261201_1305"),
    ]

    operations = [
        migrations.RenameModel(old_name="ApplicationExport", new_name="Export"),
        migrations.AlterModelOptions(
            name="export",
            options={"ordering": ["-created_at"], "verbose_name": "export", "verbose_name_plural": "exports"},
        ),
        migrations.AddField(
            model_name="export",
            name="kind",
            field=models.CharField(
                choices=[
                    ("applications", "applications"),
                    ("awards_dashboard", "awards dashboard"),
                    ("monitoring_dashboard", "monitoring dashboard"),
                    ("panel_results", "panel results"),
                ],
                default="applications",
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="export",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="export",
            name="error",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="export",
            name="application_ids",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddIndex(
            model_name="export",
            index=models.Index(fields=["status", "created_at"], name="export_status_created"),
        ),
    ]

"""Notices become a generic outbox: rendered text, recipients, a unique dedupe key, attempts,
the last error and a failed state. Existing receipts keep their identity under the key
"receipt:application:<id>:<address>"."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def fill_outbox_columns(apps, schema_editor):
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    Notice = apps.get_model("consortia", "Notice")
    ContentType = apps.get_model("contenttypes", "ContentType")
    application_type, _ = ContentType.objects.get_or_create(app_label="consortia", model="application")
    for notice in Notice.objects.select_related(
        "application__call", "application__track", "application__consortium"
    ):
        application = notice.application
        context = {"application": application, "submitted_at": timezone.localtime(application.submitted_at)}
        with translation.override("ko"):
            subject = " ".join(render_to_string("consortia/email/receipt_subject.txt", context).split())
            body = render_to_string("consortia/email/receipt.txt", context)
        notice.recipients = [notice.to]
        notice.dedupe_key = f"receipt:application:{application.pk}:{notice.to}"
        notice.subject, notice.body = subject, body
        notice.about_type_id, notice.about_id = application_type.pk, application.pk
        notice.status = "sent" if notice.sent_at else "owed"
        notice.save()


class Migration(migrations.Migration):
    dependencies = [
        ("consortia", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="notice", name="one_notice_per_kind_and_recipient"),
        migrations.AlterField(
            model_name="notice", name="kind", field=models.CharField(max_length=60, verbose_name="kind")
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
        migrations.AddField(
            model_name="notice",
            name="recipients",
            field=models.JSONField(null=True, verbose_name="recipients"),
        ),
        migrations.AddField(
            model_name="notice", name="dedupe_key", field=models.CharField(max_length=255, null=True)
        ),
        migrations.AddField(
            model_name="notice", name="subject", field=models.TextField(default="", verbose_name="subject"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notice", name="body", field=models.TextField(default="", verbose_name="body"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notice",
            name="about_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="notice", name="about_id", field=models.PositiveBigIntegerField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="notice",
            name="status",
            field=models.CharField(
                choices=[("owed", "owed"), ("sent", "sent"), ("failed", "failed")],
                default="owed",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="notice",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="notice",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AddField(
            model_name="notice",
            name="due_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="next attempt from"),
        ),
        migrations.RunPython(fill_outbox_columns, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notice",
            name="recipients",
            field=models.JSONField(help_text="Email addresses, checked on creation.", verbose_name="recipients"),
        ),
        migrations.AlterField(
            model_name="notice",
            name="dedupe_key",
            field=models.CharField(max_length=255, unique=True, verbose_name="deduplication key"),
        ),
        migrations.RemoveField(model_name="notice", name="to"),
        migrations.AlterField(
            model_name="notice",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="notice",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed at"),
        ),
        migrations.AlterField(
            model_name="notice",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AlterModelOptions(
            name="notice",
            options={"ordering": ["-created_at"], "verbose_name": "notice", "verbose_name_plural": "notices"},
        ),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(condition=models.Q(("status", "owed")), fields=["due_at"], name="notice_owed_by_due"),
        ),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(fields=["about_type", "about_id"], name="notice_about"),
        ),
        migrations.AddConstraint(
            model_name="notice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "sent"), ("sent_at__isnull", False)),
                    models.Q(models.Q(("status", "sent"), _negated=True), ("sent_at__isnull", True)),
                    _connector="OR",
                ),
                name="notice_sent_iff_sent_at",
            ),
        ),
    ]

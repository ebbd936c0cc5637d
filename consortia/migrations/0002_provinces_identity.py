# Organisation.staff becomes explicit (OrganisationStaff, verified by an administrator) on the
# table the plain many-to-many field already had; lead provinces are snapshotted at submission.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

SLOT_HOLDING = ("submitted", "screening", "under_review", "selected", "not_selected")


def snapshot_submitted(apps, schema_editor):
    """Applications already submitted keep their lead provinces as of their call's opening date."""
    Application = apps.get_model("consortia", "Application")
    Member = apps.get_model("consortia", "ConsortiumMember")
    Change = apps.get_model("consortia", "OrganisationProvinceChange")
    Snapshot = apps.get_model("consortia", "ApplicationLeadProvince")
    for application in Application.objects.filter(submitted_at__isnull=False).select_related(
        "call", "consortium"
    ):
        day = timezone.localdate(application.call.opens_at)
        leads = Member.objects.filter(
            consortium=application.consortium_id, role="lead_government"
        ).select_related("organisation")
        for member in leads:
            org = member.organisation
            later = (
                Change.objects.filter(organisation=org.pk, effective_on__gt=day)
                .order_by("effective_on", "id")
                .values_list("from_province_id", flat=True)
                .first()
            )
            Snapshot.objects.get_or_create(
                application=application,
                organisation=org,
                defaults={
                    "province_id": later or org.province_id,
                    "is_representative": org.pk == application.consortium.representative_id,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("consortia", "0001_initial"),
        ("programs", "0003_provinces_corrections"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OrganisationStaff",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="staff_memberships",
                                to="consortia.organisation",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="staff_memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "organisation staff",
                        "verbose_name_plural": "organisation staff",
                        "db_table": "consortia_organisation_staff",
                        "unique_together": {("organisation", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="organisation",
                    name="staff",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="organisations",
                        through="consortia.OrganisationStaff",
                        through_fields=("organisation", "user"),
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="organisationstaff",
            name="added_at",
            field=models.DateTimeField(auto_now_add=True, null=True, verbose_name="added at"),
        ),
        migrations.AddField(
            model_name="organisationstaff",
            name="verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="verified at"),
        ),
        migrations.AddField(
            model_name="organisationstaff",
            name="verified_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="verified by",
            ),
        ),
        migrations.CreateModel(
            name="ApplicationLeadProvince",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("is_representative", models.BooleanField(default=False, verbose_name="representative")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lead_provinces",
                        to="consortia.application",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="consortia.organisation"
                    ),
                ),
                (
                    "province",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="programs.province",
                        verbose_name="province",
                    ),
                ),
            ],
            options={
                "verbose_name": "lead province at submission",
                "verbose_name_plural": "lead provinces at submission",
                "ordering": ["application", "-is_representative", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("application", "organisation"), name="lead_province_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="CoLeadInvitation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "state",
                    models.CharField(
                        choices=[("pending", "pending"), ("accepted", "accepted"), ("declined", "declined")],
                        default="pending",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "consortium",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="co_lead_invitations",
                        to="consortia.consortium",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "invited_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="co_lead_invitations",
                        to="consortia.organisation",
                        verbose_name="local government",
                    ),
                ),
            ],
            options={
                "verbose_name": "co-lead invitation",
                "verbose_name_plural": "co-lead invitations",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "pending")),
                        fields=("consortium", "organisation"),
                        name="one_pending_co_lead_invitation",
                    )
                ],
            },
        ),
        migrations.RunPython(snapshot_submitted, migrations.RunPython.noop),
    ]

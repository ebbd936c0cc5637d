from django.db import migrations, models

# Korean substring search (icontains: UPPER(col) LIKE UPPER('%...%')) of titles and names: on
# PostgreSQL trigram GIN indexes on the same expression let it skip the scan. SQLite keeps LIKE.
TRIGRAM_INDEXES = [
    ("consortia_application_title_trgm", "consortia_application", "title"),
    ("consortia_consortium_name_trgm", "consortia_consortium", "name"),
    ("consortia_organisation_name_trgm", "consortia_organisation", "name"),
    ("consortia_organisation_name_en_trgm", "consortia_organisation", "name_en"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("consortia", "0005_merge_20261201_1155"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["-created_at", "-id"], name="application_newest_first"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]

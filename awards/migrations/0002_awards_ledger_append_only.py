"""The ledger is append-only in the database too: on PostgreSQL a trigger refuses UPDATE and
DELETE of ledger entries (TRUNCATE stays possible for test flushes). No-op on SQLite, where the
model's save()/delete() guard is the only line."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION awards_ledger_append_only() RETURNS trigger AS $$
BEGIN
    -- No format placeholder here: the migration's SQL goes through a parameterised execute.
    RAISE EXCEPTION USING
        MESSAGE = 'awards_ledgerentry is append-only: ' || TG_OP || ' refused (write a reversal)',
        ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER awards_ledger_append_only
    BEFORE UPDATE OR DELETE ON awards_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION awards_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS awards_ledger_append_only ON awards_ledgerentry;
DROP FUNCTION IF EXISTS awards_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("awards", "0001_awards_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

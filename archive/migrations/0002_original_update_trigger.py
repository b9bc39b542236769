"""A database trigger that refuses UPDATE on originals, so not even raw SQL from the app changes them.

Deletes are refused by the model and its queryset, and by PROTECT foreign keys; a DELETE trigger
would also block the test runner's flush on SQLite, so it is left to those guards.
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE TRIGGER archive_original_immutable BEFORE UPDATE ON archive_original
BEGIN SELECT RAISE(ABORT, 'originals are immutable'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS archive_original_immutable;"
POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION archive_original_immutable() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'originals are immutable'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER archive_original_immutable BEFORE UPDATE ON archive_original
FOR EACH ROW EXECUTE FUNCTION archive_original_immutable();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS archive_original_immutable ON archive_original;
DROP FUNCTION IF EXISTS archive_original_immutable();
"""


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial_archive")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]

"""A database trigger that refuses UPDATE on audit entries, as archive_original has.

Deletes are refused by the model and its queryset; a DELETE trigger would also block the test
runner's flush on SQLite. A deleted entry is still caught by audit_verify (a gap, a broken link).
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE TRIGGER audit_auditentry_immutable BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are immutable'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS audit_auditentry_immutable;"
POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION audit_auditentry_immutable() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries are immutable'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditentry_immutable BEFORE UPDATE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_auditentry_immutable();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_immutable ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_immutable();
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
    dependencies = [("audit", "0001_audit_entries")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]

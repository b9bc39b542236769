"""Originals are immutable, and verify_originals proves it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from archive.models import ImmutableError, Original, Revision
from tests.factories import import_seed

pytestmark = pytest.mark.django_db


def test_saving_a_changed_original_raises():
    original = import_seed().originals.get()
    original.content = b"tampered"
    with pytest.raises(ImmutableError):
        original.save()
    assert bytes(Original.objects.get(pk=original.pk).content) != b"tampered"


@pytest.mark.parametrize("operation", ["delete", "queryset_update", "queryset_delete"])
def test_originals_cannot_be_updated_or_deleted_through_the_orm(operation):
    original = import_seed().originals.get()
    with pytest.raises(ImmutableError):
        if operation == "delete":
            original.delete()
        elif operation == "queryset_update":
            Original.objects.filter(pk=original.pk).update(filename="x")
        else:
            Original.objects.all().delete()
    assert Original.objects.filter(pk=original.pk, filename=original.filename).exists()


def test_the_database_refuses_a_raw_update():
    original = import_seed().originals.get()
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE archive_original SET filename = 'x' WHERE id = %s", [original.pk])


def test_revisions_are_immutable():
    revision = import_seed().current_revision
    revision.message = "rewritten history"
    with pytest.raises(ImmutableError):
        revision.save()
    with pytest.raises(ImmutableError):
        revision.delete()
    assert Revision.objects.get(pk=revision.pk).message == "Imported"


def test_verify_originals_passes_on_intact_rows(capsys):
    import_seed()
    call_command("verify_originals")
    assert "all 1 originals match" in capsys.readouterr().out


def drop_trigger_and_tamper(original_pk: int) -> None:
    """Alter stored bytes the way someone with direct database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending FK checks
            cursor.execute("ALTER TABLE archive_original DISABLE TRIGGER archive_original_immutable")
        else:
            cursor.execute("DROP TRIGGER archive_original_immutable")
        cursor.execute("UPDATE archive_original SET content = %s WHERE id = %s", [b"tampered bytes", original_pk])


def test_verify_originals_catches_a_tampered_row(capsys):
    original = import_seed().originals.get()
    drop_trigger_and_tamper(original.pk)
    with pytest.raises(CommandError, match="1 of 1 originals do not match"):
        call_command("verify_originals")
    assert f"MISMATCH original {original.pk}" in capsys.readouterr().err

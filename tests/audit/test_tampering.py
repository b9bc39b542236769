"""verify_originals catches an audit log altered, cut or reordered with raw SQL, naming the entries."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from archive.services import article_publish, article_unpublish
from audit.models import AuditEntry
from audit.services import audit_verify
from tests.factories import import_seed, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    """Five entries: import, publish, unpublish, publish, unpublish."""
    editor = make_user("editor")
    article = import_seed(publish=False)
    for _ in range(2):
        article_publish(article=article, actor=editor)
        article_unpublish(article=article, actor=editor)
    assert AuditEntry.objects.count() == 5
    return article


def raw(sql: str, params=()) -> None:
    """Run SQL the way someone with direct database access could, past the update trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending FK checks
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_immutable")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditentry_immutable")
        cursor.execute(sql, params)


def verify_fails(capsys) -> str:
    with pytest.raises(CommandError, match=r"the audit log has \d+ problem"):
        call_command("verify_originals")
    return capsys.readouterr().err


def test_an_intact_chain_passes_and_its_head_is_printed(chain, capsys):
    call_command("verify_originals")
    head = AuditEntry.objects.order_by("-sequence").first()
    assert f"audit log intact: 5 entries, last hash {head.hash}" in capsys.readouterr().out


def test_the_database_refuses_a_raw_update(chain):
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'x.y' WHERE sequence = 2")


def test_an_altered_entry_is_reported(chain, capsys):
    raw("UPDATE audit_auditentry SET actor_name = 'someone-else' WHERE sequence = 2")
    err = verify_fails(capsys)
    assert "AUDIT audit entry #2: its content does not match its hash (the entry was altered)" in err
    assert "#3" not in err and "#1" not in err


def test_altered_before_after_text_is_reported(chain, capsys):
    raw("UPDATE audit_auditentry SET after = %s WHERE sequence = 3", ['{"status": "published"}'])
    assert "audit entry #3: its content does not match its hash" in verify_fails(capsys)


def test_a_deleted_entry_is_reported_even_without_the_update_trigger(chain, capsys):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 3")
    err = verify_fails(capsys)
    assert "audit entry #4: entry #3 is missing before it (deleted)" in err
    assert "audit entry #4: its previous_hash is not the hash of the entry before it" in err


def test_deleted_leading_entries_are_reported(chain, capsys):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence IN (1, 2)")
    assert "audit entry #3: entries #1–#2 are missing before it (deleted)" in verify_fails(capsys)


def test_reordered_entries_are_reported(chain, capsys):
    raw("UPDATE audit_auditentry SET sequence = 1000 WHERE sequence = 2")
    raw("UPDATE audit_auditentry SET sequence = 2 WHERE sequence = 3")
    raw("UPDATE audit_auditentry SET sequence = 3 WHERE sequence = 1000")
    assert {2, 3, 4} <= {problem.sequence for problem in audit_verify()}
    err = verify_fails(capsys)
    assert "audit entry #2: its content does not match its hash" in err
    assert "audit entry #3: its previous_hash is not the hash of the entry before it" in err


def test_a_forged_entry_appended_with_a_wrong_link_is_reported(chain, capsys):
    head = AuditEntry.objects.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (sequence, created_at, actor_name, action, target_id, target_label, "
            "previous_hash, hash) VALUES (6, %s, 'x', 'article.publish', '', '', %s, %s)",
            [head.created_at, "f" * 64, "e" * 64],
        )
    err = verify_fails(capsys)
    assert "audit entry #6: its previous_hash is not the hash" in err
    assert "audit entry #6: its content does not match its hash" in err

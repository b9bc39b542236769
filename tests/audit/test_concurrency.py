"""Writers appending at the same moment, in real threads with their own connections (PostgreSQL)."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

import audit.services
from audit.models import AuditEntry
from audit.services import audit_record, audit_verify
from tests.factories import make_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent write transactions; SQLite runs one at a time (BEGIN IMMEDIATE), "
        "so its writers cannot race for the head of the chain",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WRITERS = 6
ENTRIES_EACH = 5


def run_writers(user) -> list[BaseException]:
    """Start WRITERS threads together; each appends ENTRIES_EACH entries, holding each transaction open."""
    barrier, errors = threading.Barrier(WRITERS), []

    def write(number: int) -> None:
        try:
            barrier.wait()
            for item in range(ENTRIES_EACH):
                with transaction.atomic():
                    audit_record(actor=user, action="test.write", target=None, after={"writer": number, "n": item})
                    time.sleep(0.005)  # keep the transaction open while the others read the head
        except (IntegrityError, threading.BrokenBarrierError) as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_writers_extend_one_chain():
    errors = run_writers(make_user("writer"))
    assert errors == []
    assert sorted(AuditEntry.objects.values_list("sequence", flat=True)) == list(range(1, WRITERS * ENTRIES_EACH + 1))
    assert audit_verify() == []


def test_without_the_lock_writers_collide_and_the_unique_link_refuses_the_fork(monkeypatch):
    """Shows the test above can fail: the lock is what serialises appends."""
    monkeypatch.setattr(audit.services, "audit_lock", lambda: None)
    errors = run_writers(make_user("writer"))
    assert errors and all(isinstance(error, IntegrityError) for error in errors)
    assert audit_verify() == []

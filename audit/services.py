"""Appending to the audit log and verifying its hash chain.

The audit app is a ground floor: it knows nothing of the archive or the annotations. Targets are
any model instance (a generic relation); callers pass before/after as JSON values.
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit.chain import GENESIS
from audit.models import AuditEntry

#: Key of the PostgreSQL advisory lock that serialises appends ("audit" in ASCII).
CHAIN_LOCK_KEY = 0x6175646974
ACTION_RE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
LABEL_MAX = AuditEntry._meta.get_field("target_label").max_length


class AuditError(ValueError):
    """An entry that cannot be recorded (a malformed action, a value that is not JSON)."""


@dataclass(frozen=True)
class Change:
    """One object changed by an action, with its state before and after (JSON values, None if none)."""

    target: models.Model | None
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class AuditProblem:
    sequence: int
    message: str

    def __str__(self) -> str:
        return f"audit entry #{self.sequence}: {self.message}"


def audit_record(*, actor, action: str, target: models.Model | None, before: Any = None, after: Any = None):
    """Append one entry in the caller's transaction and return it; raise AuditError on bad input.

    Takes the chain lock (see audit_lock) if the transaction does not hold it yet.
    """
    return audit_record_many(actor=actor, action=action, changes=[Change(target, before, after)])[0]


def audit_record_many(*, actor, action: str, changes: Sequence[Change]) -> list[AuditEntry]:
    """Append one entry per change (same actor, action and time) with one insert; return them."""
    if not ACTION_RE.match(action):
        raise AuditError(f'an action is dotted lower-case words, e.g. "article.publish", not {action!r}')
    user = actor if actor is not None and actor.is_authenticated else None
    now = timezone.now()
    with transaction.atomic():
        audit_lock()
        sequence, previous_hash = AuditEntry.objects.order_by("-sequence").values_list("sequence", "hash").first() or (
            0,
            GENESIS,
        )
        entries = []
        for change in changes:
            sequence += 1
            entry = AuditEntry(
                sequence=sequence,
                created_at=now,
                actor=user,
                actor_name=user.get_username() if user else "",
                action=action,
                before=_json_value(change.before),
                after=_json_value(change.after),
                previous_hash=previous_hash,
            )
            _set_target(entry, change.target)
            entry.hash = previous_hash = entry.compute_hash()
            entries.append(entry)
        return AuditEntry.objects.bulk_create(entries)


def audit_lock() -> None:
    """Take the chain lock until the current transaction ends (PostgreSQL; taking it again is a no-op).

    Appends are serialised so two writers never extend the same head. Call it first in a transaction
    that will record an entry, before it locks any row (SELECT … FOR UPDATE, UPDATE): audited writers
    then all lock in one order, the chain and then rows, and cannot deadlock on each other. SQLite
    already runs one write transaction at a time (BEGIN IMMEDIATE, see settings); the unique
    previous_hash is the last guard on any database.
    """
    if not connection.in_atomic_block:
        raise AuditError("audit_lock() is only useful inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _set_target(entry: AuditEntry, target: models.Model | None) -> None:
    if target is None:
        return
    if target.pk is None:
        raise AuditError("the target of an audit entry must be saved first")
    entry.target_type = ContentType.objects.get_for_model(target)
    entry.target_id = str(target.pk)
    entry.target_label = str(target)[:LABEL_MAX]


def _json_value(value: Any) -> Any:
    """The value as it will read back from the database (dates as ISO strings); raise AuditError if not JSON."""
    if value is None:
        return None
    try:
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise AuditError(f"before/after must be JSON values: {exc}") from exc


def audit_verify() -> list[AuditProblem]:
    """Recompute the chain; return one problem per altered, missing or misplaced entry (empty: intact)."""
    problems: list[AuditProblem] = []
    expected_sequence, previous_hash = 1, GENESIS
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=1000):
        if entry.sequence != expected_sequence:
            gap = (
                f"entry #{expected_sequence} is"
                if entry.sequence == expected_sequence + 1
                else (f"entries #{expected_sequence}–#{entry.sequence - 1} are")
            )
            problems.append(AuditProblem(entry.sequence, f"{gap} missing before it (deleted)"))
        if entry.previous_hash != previous_hash:
            problems.append(
                AuditProblem(
                    entry.sequence,
                    "its previous_hash is not the hash of the entry before it "
                    "(an entry was deleted, inserted or reordered)",
                )
            )
        if entry.compute_hash() != entry.hash:
            problems.append(AuditProblem(entry.sequence, "its content does not match its hash (the entry was altered)"))
        expected_sequence, previous_hash = entry.sequence + 1, entry.hash
    return problems


def audit_head() -> AuditEntry | None:
    """The last entry: note its sequence and hash elsewhere to detect a truncated log later."""
    return AuditEntry.objects.order_by("-sequence").first()

"""The hash chain of the audit log (pure: no Django).

Each entry's hash is the SHA-256 of a canonical JSON of its fields plus the hash of the entry
before it, so changing, removing or reordering any entry breaks every link after it.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

#: The `previous_hash` of the first entry.
GENESIS = "0" * 64


def _canonical_numbers(value: Any) -> Any:
    """Integral floats as ints: PostgreSQL's jsonb gives 1e16 back as 10000000000000000."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_numbers(item) for item in value]
    return value


def canonical_json(value: Any) -> bytes:
    """Return one byte string for a JSON value, whatever its key order or the database that stored it."""
    return json.dumps(
        _canonical_numbers(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(fields: Mapping[str, Any], previous_hash: str) -> str:
    """Return the hex SHA-256 of an entry's fields chained to the hash of the entry before it."""
    return hashlib.sha256(canonical_json({"entry": dict(fields), "previous_hash": previous_hash})).hexdigest()

"""The pure hash chain: one canonical form per JSON value, every field and link covered."""

from audit.chain import GENESIS, canonical_json, entry_hash

FIELDS = {"sequence": 1, "action": "article.publish", "before": {"status": "draft"}, "after": {"status": "published"}}


def test_canonical_json_ignores_key_order_and_keeps_unicode():
    assert canonical_json({"b": 1, "a": "Лукашенко"}) == canonical_json({"a": "Лукашенко", "b": 1})
    assert canonical_json({"a": "Лукашенко"}) == '{"a":"Лукашенко"}'.encode()


def test_integral_floats_hash_like_the_ints_postgresql_gives_back():
    assert canonical_json({"n": 1e16, "m": [2.0]}) == canonical_json({"n": 10**16, "m": [2]})
    assert canonical_json({"score": 0.875}) == b'{"score":0.875}'


def test_the_hash_covers_every_field_and_the_previous_hash():
    base = entry_hash(FIELDS, GENESIS)
    assert base == entry_hash(dict(reversed(FIELDS.items())), GENESIS)
    assert entry_hash(FIELDS, "1" * 64) != base
    for key, value in [("sequence", 2), ("action", "article.unpublish"), ("after", {"status": "draft"})]:
        assert entry_hash(FIELDS | {key: value}, GENESIS) != base

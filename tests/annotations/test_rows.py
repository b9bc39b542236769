"""rows_update: one statement writing each row's own values, as bulk_update would, on both databases."""

from datetime import UTC, datetime

import pytest
from django.db import DataError, connection, transaction

from annotations.models import Annotation
from annotations.services.rows import rows_update
from tests.factories import import_seed, make_user

pytestmark = pytest.mark.django_db


def notes(count):
    article, user = import_seed(), make_user()
    revision = article.current_revision
    return Annotation.objects.bulk_create(
        Annotation(article=article, revision=revision, creator=user, exact="w", start=n, end=n + 1)
        for n in range(count)
    )


def test_each_row_gets_its_own_values_nulls_dates_and_keys_included(django_assert_num_queries):
    rows = notes(4)
    when = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    for n, row in enumerate(rows[:3]):
        row.prefix, row.suffix, row.start, row.end = f"before {n}", f"’after {n}’", 10 * n, 10 * n + 1
        row.anchor_score = None if n == 1 else n / 4
        row.modified_at, row.parent = when, rows[3] if n == 2 else None
    with django_assert_num_queries(1):
        assert rows_update(rows[:3], ["prefix", "suffix", "start", "end", "anchor_score", "modified_at", "parent"]) == 3
    fresh = Annotation.objects.in_bulk([row.pk for row in rows])
    for n, row in enumerate(rows[:3]):
        stored = fresh[row.pk]
        assert (stored.prefix, stored.suffix, stored.start, stored.end) == (
            f"before {n}",
            f"’after {n}’",
            10 * n,
            10 * n + 1,
        )
        assert stored.anchor_score == (None if n == 1 else n / 4) and stored.modified_at == when
    assert fresh[rows[2].pk].parent_id == rows[3].pk and fresh[rows[0].pk].parent_id is None
    assert (fresh[rows[3].pk].prefix, fresh[rows[3].pk].start) == ("", 3)  # not in the list: untouched


def test_nothing_to_write_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_update([], ["prefix"]) == 0


def test_many_rows_are_written_in_batches_the_database_accepts():
    rows = notes(700)
    for row in rows:
        row.prefix, row.start, row.end = f"p{row.pk}", row.pk, row.pk + 2
    assert rows_update(rows, ["prefix", "start", "end"]) == 700
    stored = Annotation.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", "prefix", "start", "end")
    assert all(prefix == f"p{pk}" and (start, end) == (pk, pk + 2) for pk, prefix, start, end in stored)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not enforce varchar lengths")
def test_a_value_too_long_for_its_column_is_refused_not_cut():
    rows = notes(2)
    rows[0].anchor_state = "x" * 13  # max_length 12
    with pytest.raises(DataError), transaction.atomic():
        rows_update(rows, ["anchor_state"])
    assert Annotation.objects.get(pk=rows[0].pk).anchor_state == "anchored"

"""Writing different values to many rows in one statement, without Django's CASE WHEN per field and row.

QuerySet.bulk_update builds `CASE WHEN id = … THEN … END` for every field of every object: with a
dozen fields and a few dozen rows that is hundreds of expressions to resolve in Python, and a
statement the database evaluates branch by branch. rows_update joins the table to a list of VALUES
instead, on PostgreSQL and SQLite (3.33 or later) alike:

    UPDATE t SET a = v.column2, b = v.column3 FROM (VALUES (%s, %s, %s), …) AS v WHERE t.id = v.column1
"""

import json
import re
from collections.abc import Sequence

from django.db import connections, models, router

UNSIZED = re.compile(r"\(.*\)")
#: Rows per statement where the database sets no lower limit (PostgreSQL takes at most 65,535 parameters).
MAX_ROWS = 1000


def rows_update(objects: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write `fields` of each object (saved instances of one model) to its row; return the rows updated.

    Like bulk_update: the values are the objects' attributes as they are (no pre_save, no signals),
    and the caller supplies the transaction when the write must be atomic with others.
    """
    if not objects:
        return 0
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    columns = [pk, *(model._meta.get_field(name) for name in fields)]
    batch = min(connection.ops.bulk_batch_size(columns, objects), MAX_ROWS)
    updated = 0
    with connection.cursor() as cursor:
        for offset in range(0, len(objects), batch):
            chunk = objects[offset : offset + batch]
            cursor.execute(_statement(connection, model, columns, len(chunk)), _values(connection, columns, chunk))
            updated += cursor.rowcount
    return updated


def _statement(connection, model: type[models.Model], columns: list[models.Field], count: int) -> str:
    """VALUES columns are named column1, column2, … on both databases (SQLite takes no alias list)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    row = "(" + ", ".join(_placeholder(connection, field) for field in columns) + ")"
    assignments = ", ".join(f"{quote(field.column)} = v.column{n}" for n, field in enumerate(columns[1:], 2))
    return (
        f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * count)}) AS v "  # noqa: S608 - model names
        f"WHERE {table}.{quote(columns[0].column)} = v.column1"
    )


def _placeholder(connection, field: models.Field) -> str:
    """PostgreSQL types VALUES columns from their first row: cast each to the column's type (NULLs too).

    Without its length (varchar, not varchar(12)): a cast would cut a value that is too long,
    where the assignment to the column refuses it as an insert or bulk_update would.
    """
    if connection.vendor == "postgresql":
        return f"CAST(%s AS {UNSIZED.sub('', field.cast_db_type(connection))})"
    return "%s"


def _values(connection, columns: list[models.Field], objects: Sequence[models.Model]) -> list:
    return [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objects for field in columns]


def rows_insert(objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Insert new objects (instances of one model) in one statement and set their primary keys.

    Where bulk_create splits by SQLite's 999-parameter limit (a batch of a few hundred rows of
    twenty fields is a dozen statements), the values go as one parameter per column on PostgreSQL
    (arrays, unnested) and as one JSON array of rows on SQLite (read by json_each). Like
    bulk_create: attribute values as they are (no save(), no signals); the caller supplies the
    transaction. The rows are produced, and their keys drawn, in the objects' order: the keys
    returned are sorted and given back in that order, whatever order RETURNING emits them in.
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    names = ", ".join(quote(field.column) for field in columns)
    values = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] for obj in objects]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"CAST(%s AS {UNSIZED.sub('', field.cast_db_type(connection))}[])" for field in columns)
        source, params = f"unnest({arrays})", [list(column) for column in zip(*values, strict=True)]
        selected = "*"
    else:
        source, params = "json_each(%s)", [json.dumps(values)]
        selected = ", ".join(f"json_extract(value, '$[{n}]')" for n in range(len(columns)))
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"INSERT INTO {table} ({names}) SELECT {selected} FROM {source} RETURNING {pk}"  # noqa: S608 - model names
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = sorted(row[0] for row in cursor.fetchall())
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias

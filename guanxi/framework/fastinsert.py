"""Insert many model instances with one parameterised statement run over all of them.

``QuerySet.bulk_create`` builds one large multi-row statement per batch and prepares every value
of every row through the SQL compiler; for the bookkeeping rows a bulk operation writes beside its
data (change-log entries, events) that preparation costs more than the insert itself. Here plain
columns pass as they are and only the columns that need it (dates, JSON, UUIDs…) go through their
field's ``get_db_prep_save``; ``insert_rows`` sends them (multi-row ``VALUES`` on PostgreSQL,
``executemany`` on SQLite). Values are always bound parameters; table and column names come from
the model.

The instances get no primary keys back: use it for rows nobody reads again in the same
operation. Django's ``bulk_create`` stays the tool for everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

# Columns whose Python value the database drivers take as it is.
_PLAIN = {
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "URLField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "ForeignKey",
}


def insert_many(
    model: type[models.Model], instances: Sequence[models.Model], *, batch_size: int = 1000
) -> int:
    """INSERT ``instances`` of ``model`` (defaults and ``auto_now_add`` applied as by ``save``);
    returns how many rows were written."""
    if not instances:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plain = [f.get_internal_type() in _PLAIN for f in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(str(f.column)) for f in fields]
    rows = [
        tuple(
            getattr(obj, f.attname) if is_plain else f.get_db_prep_save(f.pre_save(obj, True), connection)
            for f, is_plain in zip(fields, plain, strict=True)
        )
        for obj in instances
    ]
    insert_rows(table, columns, rows, batch_size=batch_size)
    return len(rows)


def insert_rows(
    table: str, columns: list[str], rows: list[tuple[Any, ...]], *, batch_size: int = 1000
) -> None:
    """INSERT ``rows`` (tuples of database-ready values) into ``table``'s quoted ``columns``.

    SQLite runs one prepared statement over every row (``executemany`` loops in C); PostgreSQL
    gets multi-row ``VALUES`` lists, one round trip per batch (``executemany`` there costs a round
    trip per row unless the driver pipelines)."""
    if not rows:
        return
    one = "({})".format(", ".join(["%s"] * len(columns)))
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608  (names from models)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # at most 65,535 parameters per statement
            per_statement = max(1, min(batch_size, 60_000 // len(columns)))
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                cursor.execute(head + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])
        else:
            for start in range(0, len(rows), batch_size):
                cursor.executemany(head + one, rows[start : start + batch_size])

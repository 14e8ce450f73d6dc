"""Insert many model instances with one parameterised statement run over all of them.

``QuerySet.bulk_create`` builds one large multi-row statement per batch and prepares every value
of every row through the SQL compiler; for the bookkeeping rows a bulk operation writes beside its
data (change-log entries, events) that preparation costs more than the insert itself. Here plain
columns pass as they are and only the columns that need it (dates, JSON, UUIDs…) go through their
field's ``get_db_prep_save``; ``executemany`` sends the rows (psycopg pipelines them, sqlite3 loops
in C). Values are always bound parameters; table and column names come from the model.

The instances get no primary keys back: use it for rows nobody reads again in the same
operation. Django's ``bulk_create`` stays the tool for everything else.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  (names from the model; values bound)
        quote(model._meta.db_table),
        ", ".join(quote(str(f.column)) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [
        tuple(
            getattr(obj, f.attname) if is_plain else f.get_db_prep_save(f.pre_save(obj, True), connection)
            for f, is_plain in zip(fields, plain, strict=True)
        )
        for obj in instances
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])
    return len(rows)

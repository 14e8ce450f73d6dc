"""PostgreSQL only (vendor-guarded: a no-op on SQLite): drop the single-column foreign-key indexes
of the change log and the event outbox that a composite index already starts with.

``core_objectchange.changed_object_type_id`` is the first column of ``objchange_object``,
``related_object_type_id`` of ``objchange_related``, and ``core_event.entity_type_id`` of
``event_object`` and ``event_type_time``: every lookup by content type is served by those, while
each of the three cost a B-tree insert per change-log row or event on every write (a bulk import
writes one of each per row; see docs/benchmarks.md, *bulkwrite*). Django's model state keeps its
``db_index``; the reverse migration puts the indexes back under Django's names.
"""

from django.db import migrations

# (table, column, the index that covers it)
COVERED = (
    ("core_objectchange", "changed_object_type_id", "objchange_object"),
    ("core_objectchange", "related_object_type_id", "objchange_related"),
    ("core_event", "entity_type_id", "event_object"),
)


def _single_column_indexes(schema_editor, table: str, column: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, f"%USING btree ({column})"],
        )
        return [name for (name,) in cursor.fetchall()]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, cover in COVERED:
        if not _index_exists(schema_editor, cover):
            continue  # keep the single-column index when nothing covers it
        for name in _single_column_indexes(schema_editor, table, column):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def _index_exists(schema_editor, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        return cursor.fetchone() is not None


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _cover in COVERED:
        if not _single_column_indexes(schema_editor, table, column):
            model = apps.get_model("core", "ObjectChange" if table == "core_objectchange" else "Event")
            field = next(f for f in model._meta.concrete_fields if f.column == column)
            name = schema_editor._create_index_name(table, [column])
            schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" ("{field.column}")')


class Migration(migrations.Migration):
    dependencies = [("core", "0015_search_fragments_and_lean_key_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]

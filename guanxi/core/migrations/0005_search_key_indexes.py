"""PostgreSQL-only indexes of the search keys (vendor-guarded: SQLite needs neither).

``searchentry_value_c`` serves prefix search as a byte-wise range in key order (see
``guanxi.framework.search._key``) whatever the database collation; ``searchentry_value_trgm``
serves the substring fallback (``LIKE '%…%'``) through pg_trgm. When the role may not create
the pg_trgm extension the trigram index is skipped: substrings then scan, results stay right.
"""

from django.db import migrations, transaction

PREFIX_INDEX = (
    'CREATE INDEX IF NOT EXISTS searchentry_value_c ON core_searchentry '
    '((value COLLATE "C"), weight DESC, object_id)'
)
TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS searchentry_value_trgm ON core_searchentry USING gin (value gin_trgm_ops)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PREFIX_INDEX)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001  (no privilege: keep the prefix index, skip the trigram one)
        return
    schema_editor.execute(TRIGRAM_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS searchentry_value_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS searchentry_value_c")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_ownership_transfer")]

    operations = [migrations.RunPython(create, drop)]

"""PostgreSQL only (vendor-guarded: a no-op on SQLite): Chinese fragments and fewer key indexes.

1. **Fragments.** ``guanxi_bigrams(text)`` returns the two-character pieces of a text; a GIN
   index over it, limited to the keys of name-like fields
   (``weight >= 80``) that hold Chinese text, answers "which names contain 华信" from its posting
   list — pg_trgm cannot: a two-character pattern has no whole trigram, so its GIN index reads
   every entry. Queries repeat the index predicate word for word (``framework.search``).
2. **Covered B-trees dropped.** Django's own indexes on ``value`` (plain and
   ``varchar_pattern_ops``, PostgreSQL only) and on ``content_type_id`` serve no query: prefixes use
   ``searchentry_value_c``, substrings the trigram index, a row's keys ``searchentry_object``
   (whose first column is ``content_type_id``). Each cost a B-tree insert per key on every write.
   SQLite keeps its ``value`` index: there it is the prefix index.
3. **No foreign-key constraint on ``content_type``** (both databases; the model says
   ``db_constraint=False, db_index=False``): its check at commit, once per key, was a large share
   of a bulk write's cost. Django's collector still deletes the keys of a deleted content type.
4. **GIN pending lists.** Both GIN indexes take new entries into a 64 MB pending list (default
   4 MB), so a bulk write appends entries instead of stopping to merge them into the index; and
   autovacuum visits the table after 1 % of its rows were inserted (default 20 %: three million
   keys at a million customers), merging the lists in the background. Until then a search scans
   the pending list too (measured at 1M customers right after writing 20,000 more: a trigram
   search 10 → 30 ms, back to 10 ms after VACUUM).
"""

import django.db.models.deletion
from django.db import migrations, models

# Every two-character piece, repeats included (GIN keeps each distinct piece once): the cheapest
# form, about 6 µs a key; a per-piece test or DISTINCT cost twice that on every write.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION guanxi_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array(SELECT substr($1, i, 2) FROM generate_series(1, char_length($1) - 1) AS i)
$$
"""
# The predicate is repeated verbatim by framework.search._fragment_sql: PostgreSQL uses a partial
# index only when the query's WHERE clause implies its predicate.
BIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS searchentry_value_bigram ON core_searchentry "
    "USING gin (guanxi_bigrams(value)) WITH (gin_pending_list_limit = 65536) "
    "WHERE weight >= 80 AND value ~ '[一-鿿]'"
)
# Django's names for the indexes of `value` (db_index) and of the content_type foreign key
# (that of content_type_id goes with the AlterField below)
COVERED = ("(value)", "(value varchar_pattern_ops)")


def _covered(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'core_searchentry' "
            "AND indexname LIKE 'core_searchentry_%%' AND indexname <> 'core_searchentry_pkey'"
        )
        rows = cursor.fetchall()
    return [name for name, definition in rows if definition.endswith(COVERED)]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(BIGRAM_INDEX)
    for name in _covered(schema_editor):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'searchentry_value_trgm'")
        if cursor.fetchone():
            schema_editor.execute("ALTER INDEX searchentry_value_trgm SET (gin_pending_list_limit = 65536)")
    schema_editor.execute("ALTER TABLE core_searchentry SET (autovacuum_vacuum_insert_scale_factor = 0.01)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS searchentry_value_bigram")
    schema_editor.execute("ALTER TABLE core_searchentry RESET (autovacuum_vacuum_insert_scale_factor)")
    schema_editor.execute("DROP FUNCTION IF EXISTS guanxi_bigrams(text)")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS core_searchentry_value_88a5dc91 ON core_searchentry (value)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS core_searchentry_value_88a5dc91_like "
        "ON core_searchentry (value varchar_pattern_ops)"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'searchentry_value_trgm'")
        if cursor.fetchone():
            schema_editor.execute("ALTER INDEX searchentry_value_trgm RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("core", "0014_number_sequences")]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
        migrations.AlterField(
            model_name="searchentry",
            name="content_type",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
    ]

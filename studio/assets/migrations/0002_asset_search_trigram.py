"""Asset search (the library's "q") from trigram indexes on PostgreSQL.

Each word is matched with ``description__icontains`` or ``file_name__icontains``,
which Django sends to PostgreSQL as ``UPPER(column::text) LIKE UPPER('%word%')``: GIN
indexes of ``pg_trgm`` trigrams on those expressions answer a rare word without
reading every asset of the team, and tell the planner how many a common word finds
(then it walks the newest-first index and stops at a page). SQLite has no such
index; the filter (and what it finds) is the same there.
"""

from django.db import migrations

INDEXES = {
    "asset_description_upper_trgm": "description",
    "asset_file_name_upper_trgm": "file_name",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON assets_asset "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]

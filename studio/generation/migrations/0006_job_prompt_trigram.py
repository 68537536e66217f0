"""Prompt search ("Prompt contains") from a trigram index on PostgreSQL.

The filter is ``prompt__icontains``, which Django sends to PostgreSQL as
``UPPER(prompt) LIKE UPPER('%words%')``: a GIN index of ``pg_trgm`` trigrams on
``UPPER(prompt)`` answers it without reading every job of the team. SQLite has no
such index; the filter (and what it finds) is the same there.
"""

from django.db import migrations

INDEX = "job_prompt_upper_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON generation_job USING gin (UPPER(prompt) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("generation", "0005_job_typed_result")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]

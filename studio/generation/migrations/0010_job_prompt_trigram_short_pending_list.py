"""Keep the prompt search index's pending list short on PostgreSQL.

A GIN index adds new rows to a "pending list" that every search reads whole, and
merges it into the index only at a vacuum or once it reaches ``gin_pending_list_limit``
(4 MB by default). Autovacuum visits a table after inserts of a fifth of its size, so
at a million jobs the list of new jobs' trigrams reaches 4 MB (about 500 pages) and
every prompt search reads those pages first: 3.5 ms of the 4 a rare word cost on the
100,000-job benchmark database, where the lookup itself read 9 pages. With a 256 kB
limit the list never exceeds 32 pages; new jobs still reach the index in batches.
"""

from django.db import migrations

INDEX = "job_prompt_upper_trgm"


def shorten(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX {INDEX} SET (gin_pending_list_limit = 256)")
    schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX {INDEX} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("generation", "0009_workspace")]

    operations = [migrations.RunPython(shorten, restore, elidable=False)]

"""Webhook secrets are signed (an HMAC of the job's uuid) instead of stored per job.

The column stays, under a new field name, for the jobs made before: Krea may still
call their URLs with the random secret it was given. Nothing is dropped or rewritten.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("generation", "0006_job_prompt_trigram")]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="webhook_secret",
            field=models.CharField(
                blank=True, db_column="webhook_secret", default="", editable=False, max_length=64
            ),
        ),
        migrations.RenameField(
            model_name="job", old_name="webhook_secret", new_name="legacy_webhook_secret"
        ),
    ]

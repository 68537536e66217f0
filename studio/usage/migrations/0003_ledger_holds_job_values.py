"""The ledger keeps its job as plain values (id, uuid, model, prompt) instead of a
foreign key into generation, copying them from each entry's job first."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Left


def copy_job_values(apps, schema_editor):
    Job = apps.get_model("generation", "Job")
    UsageEntry = apps.get_model("usage", "UsageEntry")
    job = Job.objects.filter(pk=OuterRef("job_id"))
    UsageEntry.objects.filter(job__isnull=False).update(
        job_uuid=Subquery(job.values("uuid")[:1]),
        model_name=Subquery(job.values("model_name")[:1]),
        prompt=Subquery(job.annotate(short=Left("prompt", 200)).values("short")[:1]),
        price_published=Subquery(job.values("price_published")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0009_workspace"),
        ("usage", "0002_quotas_prices_period"),
    ]

    operations = [
        migrations.AddField(
            model_name="usageentry",
            name="job_uuid",
            field=models.UUIDField(blank=True, db_index=True, null=True, verbose_name="job"),
        ),
        migrations.AddField(
            model_name="usageentry",
            name="model_name",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="usageentry",
            name="prompt",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="usageentry",
            name="price_published",
            field=models.BooleanField(
                default=True, help_text="False: the job's figure is the portal's estimate."
            ),
        ),
        migrations.RunPython(copy_job_values, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="usageentry", name="usage_job_kind"),
        # The column stays: the key becomes a plain number, then takes the column's name.
        migrations.AlterField(
            model_name="usageentry",
            name="job",
            field=models.BigIntegerField(blank=True, null=True, db_column="job_id"),
        ),
        migrations.RenameField(model_name="usageentry", old_name="job", new_name="job_id"),
        migrations.AlterField(
            model_name="usageentry",
            name="job_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="usageentry",
            index=models.Index(fields=["job_id", "kind"], name="usage_job_kind"),
        ),
    ]

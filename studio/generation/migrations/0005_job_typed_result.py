from django.db import migrations, models


def backfill(apps, schema_editor):
    """Read each job's raw Krea result once into the typed fields."""
    Job = apps.get_model("generation", "Job")
    for job in Job.objects.exclude(result=None).only("pk", "result").iterator():
        result = job.result if isinstance(job.result, dict) else {}
        urls = result.get("urls")
        style_id = result.get("style_id")
        Job.objects.filter(pk=job.pk).update(
            result_urls=[u for u in urls if isinstance(u, str)] if isinstance(urls, list) else [],
            result_style_id=style_id[:100] if isinstance(style_id, str) else "",
        )


def restore(apps, schema_editor):
    Job = apps.get_model("generation", "Job")
    for job in Job.objects.only("pk", "result_urls", "result_style_id").iterator():
        result = {"urls": job.result_urls} if job.result_urls else {}
        if job.result_style_id:
            result["style_id"] = job.result_style_id
        if result:
            Job.objects.filter(pk=job.pk).update(result=result)


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0004_job_run"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="result_style_id",
            field=models.CharField(
                blank=True, help_text="The style a completed training made", max_length=100
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="result_urls",
            field=models.JSONField(
                blank=True, default=list, help_text="Krea's URLs of the finished job's files"
            ),
        ),
        migrations.RunPython(backfill, restore),
        migrations.RemoveField(
            model_name="job",
            name="result",
        ),
    ]

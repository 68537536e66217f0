import django.db.models.deletion
from django.db import migrations, models


def copy_team_from_job(apps, schema_editor):
    Output = apps.get_model("generation", "Output")
    Job = apps.get_model("generation", "Job")
    for team_id in Job.objects.values_list("team_id", flat=True).distinct():
        Output.objects.filter(job__team_id=team_id).update(team_id=team_id)


class Migration(migrations.Migration):
    dependencies = [
        ("generation", "0001_initial"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="output",
            name="team",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="teams.team",
            ),
        ),
        migrations.RunPython(copy_team_from_job, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="output",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="teams.team",
            ),
        ),
        migrations.AddIndex(
            model_name="job",
            index=models.Index(fields=["team", "model_id", "model_name"], name="job_team_model"),
        ),
        migrations.AddIndex(
            model_name="output",
            index=models.Index(fields=["team", "-created_at", "-id"], name="output_team_newest"),
        ),
    ]

"""Jobs recorded before the typed result fields keep their files and trained style."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("generation", "0004_job_run")]
AFTER = [("generation", "0005_job_typed_result")]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_existing_results_are_read_into_the_typed_fields():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Team = apps.get_model("teams", "Team")
    Job = apps.get_model("generation", "Job")
    team = Team.objects.create(name="Old team")
    made = Job.objects.create(
        team=team,
        model_id="image/bfl/flux-1-dev",
        model_name="Flux",
        result={"urls": ["https://gen.krea.ai/1.png", 7, "https://gen.krea.ai/2.png"]},
    )
    trained = Job.objects.create(
        team=team, model_id="train", model_name="Train", result={"style_id": "sty_1"}
    )
    odd = Job.objects.create(team=team, model_id="m", model_name="M", result=["not", "a", "dict"])
    empty = Job.objects.create(team=team, model_id="m", model_name="M", result=None)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    Job = executor.loader.project_state(AFTER).apps.get_model("generation", "Job")

    def typed(job):
        row = Job.objects.get(pk=job.pk)
        return row.result_urls, row.result_style_id

    assert typed(made) == (["https://gen.krea.ai/1.png", "https://gen.krea.ai/2.png"], "")
    assert typed(trained) == ([], "sty_1")
    assert typed(odd) == ([], "")
    assert typed(empty) == ([], "")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

"""Node apps: added from Krea by owners and admins, run once per request, charged once per run."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from studio.generation.models import Job, JobKind, JobStatus
from studio.nodeapps import services
from studio.nodeapps.models import NodeApp
from studio.usage.models import EntryKind, ModelPrice, UsageEntry
from tests.factories import KREA_TOKEN

from .conftest import PRODUCT_SHOT

pytestmark = pytest.mark.django_db


def executes(krea):
    return [r for r in krea.requests if r.method == "POST" and r.path.endswith("/execute")]


def test_an_owner_adds_the_product_shot_app_with_its_schema(add_app, team):
    app = add_app()
    assert (app.team, app.name, app.author, app.version) == (
        team,
        "Product shot",
        "krea-simulator",
        "7",
    )
    assert app.input_schema["required"] == ["prompt"]
    assert app.model_id == f"node-apps/{PRODUCT_SHOT}"
    # Adding it again refreshes the one the team has.
    add_app()
    assert NodeApp.objects.filter(team=team).count() == 1


def test_a_version_id_krea_does_not_know_gets_a_clear_message(add_app):
    with pytest.raises(services.NodeAppUnknown, match="Krea has no node app version “nope”"):
        add_app("nope")
    assert not NodeApp.objects.exists()


def test_a_member_may_not_add_or_remove_an_app(team_with_token, member, add_app):
    membership = member.memberships.get(team=team_with_token)
    with pytest.raises(PermissionDenied):
        services.node_app_add(membership=membership, version_id=PRODUCT_SHOT)
    with pytest.raises(PermissionDenied):
        services.node_app_remove(app=add_app(), by=membership)


def test_a_run_sends_one_execute_and_records_every_job_charged_once(
    krea, run_app, advance, team, member
):
    ModelPrice.objects.create(model_id=f"node-apps/{PRODUCT_SHOT}", cu=Decimal(12))
    run = run_app({"prompt": "a perfume bottle", "variations": 3})
    assert run.price_cu == Decimal(12)
    [execute] = executes(krea)
    assert execute.body == {"prompt": "a perfume bottle", "variations": 3}
    jobs = list(run.jobs.order_by("pk"))
    assert len(jobs) == 3
    assert all(job.kind == JobKind.NODE_APP and job.krea_job_id for job in jobs)
    assert len({job.krea_job_id for job in jobs}) == 3
    assert [job.created_by for job in jobs] == [member] * 3

    advance(60)
    statuses = set(run.jobs.values_list("status", flat=True))
    assert statuses == {JobStatus.COMPLETED}
    entries = UsageEntry.objects.filter(job_id__in=run.jobs.values("pk"))
    assert sum(e.cu for e in entries if e.kind == EntryKind.CHARGE) == Decimal(12)
    assert entries.filter(kind=EntryKind.CHARGE).count() == 1
    held = sum(e.cu for e in entries if e.kind in (EntryKind.RESERVE, EntryKind.RELEASE))
    assert held == 0
    # Every job's picture is in the team's storage (and so in the gallery).
    assert all(job.outputs.count() == 1 for job in run.jobs.all())
    assert len(executes(krea)) == 1


def test_without_an_admin_price_the_default_is_reserved_and_marked_assumed(run_app, settings):
    settings.USAGE_DEFAULT_PRICE_CU = 7
    run = run_app()
    assert run.price_cu == Decimal(7)
    assert run.price_published is False
    lead = run.jobs.order_by("pk").first()
    assert UsageEntry.objects.get(job_id=lead.pk, kind=EntryKind.RESERVE).cu == Decimal(7)


def test_a_run_none_of_whose_jobs_completes_is_released(krea, run_app, advance):
    krea.queue_fault("fail-at=processing", token=KREA_TOKEN, method="POST")
    run = run_app({"prompt": "a lamp", "variations": 2})
    advance(60)
    assert set(run.jobs.values_list("status", flat=True)) == {JobStatus.FAILED}
    entries = UsageEntry.objects.filter(job_id__in=run.jobs.values("pk"))
    assert not entries.filter(kind=EntryKind.CHARGE).exists()
    assert sum(e.cu for e in entries) == 0


def test_a_run_is_charged_when_only_a_later_job_completes(krea, run_app, advance):
    run = run_app({"prompt": "a lamp", "variations": 2})
    lead, other = run.jobs.order_by("pk")
    Job.objects.filter(pk=lead.pk).update(status=JobStatus.FAILED)  # the lead ended first
    advance(60)
    other.refresh_from_db()
    assert other.status == JobStatus.COMPLETED
    charges = UsageEntry.objects.filter(job_id__in=run.jobs.values("pk"), kind=EntryKind.CHARGE)
    assert [c.cu for c in charges] == [run.price_cu]


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"variations": 2}, "prompt"),
        ({"prompt": "x", "variations": 9}, "variations"),
        ({"prompt": "x", "product_image_url": "not a url"}, "product_image_url"),
        ({"prompt": "x", "colour": "red"}, ""),
    ],
)
def test_inputs_the_schema_refuses_name_the_field_and_send_nothing(krea, run_app, inputs, field):
    with pytest.raises(services.InvalidNodeAppInputs) as refused:
        run_app(inputs)
    assert any(e.field == field or field in e.message for e in refused.value.errors)
    assert not executes(krea)
    assert not Job.objects.exists()


def test_a_lost_execute_answer_is_reconciled_from_krea_s_job_list(krea, run_app, run_for):
    krea.queue_fault("lost-response", token=KREA_TOKEN, method="POST")
    run = run_app({"prompt": "a lamp", "variations": 1})
    [job] = run.jobs.all()
    assert (job.status, job.krea_job_id, job.needs_attention) == ("submitting", "", True)
    run_for(120)
    job.refresh_from_db()
    assert job.krea_job_id, "matched to the job Krea started"
    assert job.status == JobStatus.COMPLETED
    assert len(executes(krea)) == 1, "never sent twice"
    assert UsageEntry.objects.filter(job_id=job.pk, kind=EntryKind.CHARGE).count() == 1


def test_a_lost_execute_that_started_several_jobs_finds_them_all(krea, run_app, run_for):
    krea.queue_fault("lost-response", token=KREA_TOKEN, method="POST")
    run = run_app({"prompt": "a lamp", "variations": 3})
    run_for(120)
    jobs = list(run.jobs.all())
    assert len(jobs) == 3
    assert {job.status for job in jobs} == {JobStatus.COMPLETED}
    assert len({job.krea_job_id for job in jobs}) == 3
    assert len(executes(krea)) == 1, "never sent twice"
    charges = UsageEntry.objects.filter(job_id__in=run.jobs.values("pk"), kind=EntryKind.CHARGE)
    assert [c.cu for c in charges] == [run.price_cu]

"""The path of one generation, end to end against the simulator (no HTTP mocks).

Submit -> dispatch -> one POST to Krea -> webhook or poll -> GET /jobs/{id} ->
completed -> outputs stored, reservation turned into a charge.
"""

from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import Sum
from django.utils import timezone
from PIL import Image

from studio.generation import services, tasks
from studio.generation.models import Job, JobStatus
from studio.usage.models import EntryKind, UsageEntry
from tests.factories import FLUX, KREA_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def advance(krea, django_capture_on_commit_callbacks):
    """Move Krea's clock; webhooks it sends run through the portal's view and its tasks."""

    def _advance(seconds: float):
        with django_capture_on_commit_callbacks(execute=True):
            return krea.advance(seconds)

    return _advance


def generate_posts(krea):
    return [r for r in krea.requests if r.method == "POST" and r.path.startswith("/generate/")]


def webhook_header(request) -> str | None:
    return {k.lower(): v for k, v in request.headers.items()}.get("x-webhook-url")


def ledger(job):
    return list(UsageEntry.objects.filter(job_id=job.pk).order_by("id").values_list("kind", "cu"))


def test_a_generation_completes_through_its_webhook_and_is_charged_once(
    krea, submit, advance, public_url
):
    job = submit()
    assert job.status == JobStatus.QUEUED or job.status in ("backlogged", "processing")
    assert job.krea_job_id
    [post] = generate_posts(krea)
    assert post.path == f"/generate/{FLUX}"
    assert post.body == {"prompt": "a lighthouse at dusk"}
    assert webhook_header(post) == (
        f"https://studio.example.com/api/webhooks/krea/{job.uuid}/{job.webhook_secret}/"
    )

    deliveries = advance(30)
    assert [d.status_code for d in deliveries] == [202]

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.finished_at is not None
    [output] = job.outputs.all()
    assert output.mime_type.startswith("image/")
    with output.file.open("rb") as f, Image.open(f) as image:
        assert image.size == (output.width, output.height)
    assert output.thumbnail
    assert ledger(job) == [
        (EntryKind.RESERVE, job.estimate_cu),
        (EntryKind.RELEASE, -job.estimate_cu),
        (EntryKind.CHARGE, job.estimate_cu),
    ]
    assert job.charged_cu == job.estimate_cu


def test_a_hundred_replayed_webhooks_make_one_transition_and_one_charge(
    krea, submit, advance, public_url, client, django_capture_on_commit_callbacks
):
    job = submit()
    krea.set_webhook_policy(duplicate=100, token=KREA_TOKEN)
    # Later jobs only: set the policy, then run this job to its end.
    deliveries = advance(30)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    url = f"/api/webhooks/krea/{job.uuid}/{job.webhook_secret}/"
    body = krea.get_job(KREA_TOKEN, job.krea_job_id)
    with django_capture_on_commit_callbacks(execute=True):
        answers = {
            client.post(url, body, content_type="application/json").status_code for _ in range(100)
        }
    assert answers == {202}
    assert len(deliveries) >= 1
    assert UsageEntry.objects.filter(job_id=job.pk, kind=EntryKind.CHARGE).count() == 1
    assert job.outputs.count() == 1
    assert (
        UsageEntry.objects.filter(job_id=job.pk).aggregate(total=Sum("cu"))["total"]
        == job.estimate_cu
    )


def test_duplicate_and_reordered_webhooks_from_krea_change_nothing(
    krea, submit, advance, public_url
):
    krea.set_webhook_policy(duplicate=5, reorder=True)
    first = submit()
    second = submit(params={"prompt": "a second lighthouse"})
    deliveries = advance(30)
    assert len(deliveries) == 10
    for job in (first, second):
        job.refresh_from_db()
        assert job.status == JobStatus.COMPLETED
        assert UsageEntry.objects.filter(job_id=job.pk, kind=EntryKind.CHARGE).count() == 1


def test_a_late_webhook_cannot_move_a_job_backwards(krea, submit, advance, public_url):
    job = submit()
    advance(30)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    stale = {**krea.get_job(KREA_TOKEN, job.krea_job_id), "status": "processing"}
    from krea_integration.types import Job as KreaJob

    services.job_record_krea_job(job_id=job.pk, krea_job=KreaJob.from_json(stale))
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
def test_a_webhook_with_a_wrong_secret_is_404_and_changes_nothing(
    krea, submit, public_url, client, secret
):
    job = submit()
    before = (job.status, job.krea_job_id)
    response = client.post(
        f"/api/webhooks/krea/{job.uuid}/{secret or 'x'}/",
        {"job_id": "forged", "status": "completed"},
        content_type="application/json",
    )
    assert response.status_code == 404
    job.refresh_from_db()
    assert (job.status, job.krea_job_id) == before
    assert client.post(f"/api/webhooks/krea/{job.uuid}/", {}).status_code == 404


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("text/plain", '{"status": "completed"}'),
        ("application/x-www-form-urlencoded", "status=completed"),
        ("application/octet-stream", b"\xff\xfe"),
        ("", ""),
    ],
)
def test_a_webhook_whose_body_is_not_json_still_confirms_the_job(
    krea, submit, public_url, client, django_capture_on_commit_callbacks, content_type, body
):
    krea.set_webhook_policy(drop=True)
    job = submit()
    krea.advance(30)
    url = f"/api/webhooks/krea/{job.uuid}/{job.webhook_secret}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.generic("POST", url, body, content_type=content_type)
    assert response.status_code == 202
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED  # confirmed with Krea: the body was only a hint


def test_a_webhook_for_an_unknown_job_is_404(client, db):
    response = client.post(
        "/api/webhooks/krea/3f1c9a0e-0000-4000-8000-000000000000/anything/",
        {},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_every_job_reaches_its_end_when_every_webhook_is_lost(
    krea, submit, public_url, django_capture_on_commit_callbacks
):
    krea.set_webhook_policy(drop=True)
    job = submit()
    krea.advance(30)
    job.refresh_from_db()
    assert job.status != JobStatus.COMPLETED  # nobody told the portal yet
    Job.objects.filter(pk=job.pk).update(next_poll_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.jobs_poll_due() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.outputs.count() == 1


def test_without_a_public_url_the_portal_polls_with_growing_backoff(krea, submit, settings):
    settings.PUBLIC_BASE_URL = ""
    job = submit()
    [post] = generate_posts(krea)
    assert webhook_header(post) is None
    delays = []
    for count in range(8):
        job.poll_count = count
        delays.append(services._poll_delay(job))
    assert delays[0] == 2.0
    assert delays == sorted(delays)
    assert delays[-1] <= 60.0
    job.poll_count = 30
    assert services._poll_delay(job) == 60.0


def test_a_429_puts_the_job_back_in_the_local_queue_and_never_fails_it(
    krea, submit, advance, public_url, member, team_with_token, django_capture_on_commit_callbacks
):
    krea.set_concurrency(KREA_TOKEN, 1, backlog_cap=0)
    first = submit()
    real_dispatch, retries = tasks.enqueue_dispatch, []

    def dispatch_now_but_record_retries(team_id, *, countdown=None):
        if countdown:
            retries.append(countdown)
        else:
            real_dispatch(team_id)

    with mock.patch.object(tasks, "enqueue_dispatch", dispatch_now_but_record_retries):
        second = submit(params={"prompt": "waits its turn"})
    assert first.krea_job_id
    assert second.status == JobStatus.PENDING
    assert second.not_before > timezone.now()
    assert second.dispatch_attempts == 1
    assert retries and retries[0] > 0
    assert not second.error

    advance(30)  # the first finishes, freeing Krea's slot
    Job.objects.filter(pk=second.pk).update(not_before=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.team_dispatch(team_id=team_with_token.pk)
    advance(30)
    second.refresh_from_db()
    assert second.status == JobStatus.COMPLETED
    assert len(generate_posts(krea)) == 3  # the refused POST cost nothing and made no job


def test_a_worker_dying_between_the_post_and_the_save_never_posts_twice(
    krea, team_with_token, member, public_url, django_capture_on_commit_callbacks, advance
):
    membership = member.memberships.get(team=team_with_token)
    with (
        mock.patch("studio.generation.tasks.enqueue_send"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = services.generation_submit(
            membership=membership, model_id=FLUX, params={"prompt": "crash test"}
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING

    class WorkerDied(BaseException):
        pass

    with (
        mock.patch.object(services, "job_record_krea_job", side_effect=WorkerDied),
        pytest.raises(WorkerDied),
    ):
        services.job_send(job_id=job.pk)
    assert len(generate_posts(krea)) == 1
    job.refresh_from_db()
    assert job.krea_job_id == ""

    services.job_send(job_id=job.pk)  # Celery redelivers the unacknowledged task
    services.job_send(job_id=job.pk)
    assert len(generate_posts(krea)) == 1

    advance(30)  # Krea's webhook names our job in its URL: reconciled
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.krea_job_id
    assert UsageEntry.objects.filter(job_id=job.pk, kind=EntryKind.CHARGE).count() == 1


def test_a_lost_answer_marks_the_job_as_needing_attention_until_its_webhook_arrives(
    krea, submit, advance, public_url
):
    krea.queue_fault("lost-response", token=KREA_TOKEN, method="POST")
    job = submit()
    assert job.status == JobStatus.SUBMITTING
    assert job.needs_attention
    assert "did not hear back" in job.error
    assert len(generate_posts(krea)) == 1
    advance(30)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert not job.needs_attention
    assert job.error == ""


def test_out_of_credits_fails_the_job_and_releases_its_reservation(krea, submit):
    krea.set_credits(KREA_TOKEN, 0)
    job = submit()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The team's Krea account is out of credits")
    assert UsageEntry.objects.filter(job_id=job.pk).aggregate(total=Sum("cu"))["total"] == 0


def test_a_400_fails_the_job_with_krea_s_message(krea, submit):
    krea.queue_fault("400", token=KREA_TOKEN, method="POST")
    job = submit()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Krea refused the parameters:")
    assert UsageEntry.objects.filter(job_id=job.pk).aggregate(total=Sum("cu"))["total"] == 0


def test_a_401_tells_the_team_its_token_is_invalid(krea, submit):
    krea.queue_fault("401", token=KREA_TOKEN, method="POST")
    job = submit()
    assert job.status == JobStatus.FAILED
    assert "did not accept the team's token" in job.error
    assert KREA_TOKEN not in job.error


def test_a_job_that_fails_at_krea_gives_its_reservation_back(krea, submit, advance, public_url):
    krea.queue_fault("fail-at=processing", token=KREA_TOKEN, method="POST")
    job = submit()
    advance(60)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error
    assert UsageEntry.objects.filter(job_id=job.pk).aggregate(total=Sum("cu"))["total"] == 0
    assert not job.outputs.exists()


def test_dispatch_is_round_robin_across_members(team_with_token, owner, member, krea):
    team_with_token.concurrency_limit = 3
    team_with_token.save()
    with mock.patch("studio.generation.tasks.enqueue_dispatch"):
        for n in range(5):
            services.generation_submit(
                membership=owner.memberships.get(), model_id=FLUX, params={"prompt": f"batch {n}"}
            )
        services.generation_submit(
            membership=member.memberships.get(), model_id=FLUX, params={"prompt": "just one"}
        )
    with mock.patch("studio.generation.tasks.enqueue_send"):
        claimed = services.team_dispatch(team_id=team_with_token.pk)
    people = [Job.objects.get(pk=pk).created_by for pk in claimed]
    assert len(claimed) == 3
    assert people.count(member) == 1, "the member's single job must not wait for the whole batch"
    # Slots are full: nothing more is claimed until one frees.
    with mock.patch("studio.generation.tasks.enqueue_send"):
        assert services.team_dispatch(team_id=team_with_token.pk) == []


def test_cancelling_a_running_job_deletes_it_on_krea_in_a_task_and_releases(
    krea, submit, django_capture_on_commit_callbacks
):
    job = submit()
    with django_capture_on_commit_callbacks() as enqueued:
        job = services.job_cancel(job=job, by=job.created_by.memberships.get(team=job.team))
    assert job.is_cancelling and job.status != JobStatus.CANCELLED
    assert not any(r.method == "DELETE" for r in krea.requests), "no Krea call in the request"
    services.job_cancel(
        job=job, by=job.created_by.memberships.get(team=job.team)
    )  # asking twice changes nothing
    for callback in enqueued:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert [r.path for r in krea.requests if r.method == "DELETE"] == [f"/jobs/{job.krea_job_id}"]
    assert UsageEntry.objects.filter(job_id=job.pk).aggregate(total=Sum("cu"))["total"] == 0
    with pytest.raises(services.JobNotCancellable):
        services.job_cancel(job=job, by=job.created_by.memberships.get(team=job.team))


def test_cancelling_a_job_still_in_the_local_queue_never_reaches_krea(
    krea, team_with_token, member
):
    with mock.patch("studio.generation.tasks.enqueue_dispatch"):
        job = services.generation_submit(
            membership=member.memberships.get(), model_id=FLUX, params={"prompt": "never mind"}
        )
    services.job_cancel(job=job, by=job.created_by.memberships.get(team=job.team))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert generate_posts(krea) == []


def test_deleting_a_finished_job_removes_its_files(krea, submit, advance, public_url):
    job = submit()
    advance(30)
    job.refresh_from_db()
    output = job.outputs.get()
    storage, name, thumb = output.file.storage, output.file.name, output.thumbnail.name
    assert storage.exists(name)
    services.job_delete(job=job, by=job.created_by.memberships.get(team=job.team))
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not storage.exists(name) and not storage.exists(thumb)


def test_only_its_author_or_a_manager_may_cancel_or_delete_a_job(
    krea, submit, advance, public_url, team_with_token, admin
):
    from django.core.exceptions import PermissionDenied

    from tests.factories import MembershipFactory

    finished = submit()
    advance(30)
    running = submit()
    colleague = MembershipFactory(team=team_with_token, role="member")
    for job in (running, finished):
        with pytest.raises(PermissionDenied):
            services.job_cancel(job=job, by=colleague)
        with pytest.raises(PermissionDenied):
            services.job_delete(job=job, by=colleague)
    assert Job.objects.filter(pk=finished.pk).exists()
    services.job_delete(job=Job.objects.get(pk=finished.pk), by=admin.memberships.get())
    assert not Job.objects.filter(pk=finished.pk).exists()


def test_a_team_without_a_token_cannot_submit(krea, team, member):
    from studio.teams.tokens import TeamHasNoToken

    with pytest.raises(TeamHasNoToken):
        services.generation_submit(
            membership=member.memberships.get(), model_id=FLUX, params={"prompt": "a fox"}
        )
    assert not Job.objects.exists()


def test_a_running_job_cannot_be_deleted(krea, submit):
    job = submit()
    with pytest.raises(services.JobStillRunning):
        services.job_delete(job=job, by=job.created_by.memberships.get(team=job.team))


def test_a_video_model_stores_a_playable_mp4_with_a_poster(krea, submit, advance, public_url):
    job = submit("video/google/veo-3.1", {"prompt": "waves", "duration": 4})
    advance(120)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, job.error
    output = job.outputs.get()
    assert output.mime_type == "video/mp4"
    assert output.width and output.height
    with output.thumbnail.open("rb") as f, Image.open(f) as poster:
        assert poster.format == "JPEG"
    assert job.estimate_cu == Decimal("458")


def test_previews_are_only_shown_from_allowed_hosts_and_ports(settings):
    from studio.downloads import download_allowed_here

    settings.KREA_API_BASE_URL = "https://api.krea.ai"
    settings.KREA_DOWNLOAD_HOSTS = [".krea.ai", "cdn.example.net"]
    assert download_allowed_here("https://gen.krea.ai/out/1.png")
    assert download_allowed_here("https://cdn.example.net/1.png")
    assert not download_allowed_here("https://cdn.example.net:8443/1.png")
    assert not download_allowed_here("https://evil-krea.ai/1.png")
    assert not download_allowed_here("http://169.254.169.254/latest/meta-data")
    assert not download_allowed_here("file:///etc/passwd")


def test_a_result_on_a_foreign_host_is_not_downloaded(krea, submit, advance, public_url, settings):
    job = submit()
    advance(30)
    job.refresh_from_db()
    job.outputs.all().delete()
    Job.objects.filter(pk=job.pk).update(result_urls=["http://127.0.0.1:9/secret.png"])
    from studio.generation.outputs import outputs_store

    assert outputs_store(job_id=job.pk) == 0
    job.refresh_from_db()
    assert "not an allowed download host" in job.error


def test_a_burst_of_webhook_copies_costs_one_confirmation_at_krea(
    krea, submit, public_url, client, django_capture_on_commit_callbacks
):
    job = submit()
    url = f"/api/webhooks/krea/{job.uuid}/{job.webhook_secret}/"
    body = {"job_id": job.krea_job_id, "status": "completed"}  # a hint, not yet true
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(50):
            assert client.post(url, body, content_type="application/json").status_code == 202
    gets = [r for r in krea.requests if r.method == "GET" and r.path == f"/jobs/{job.krea_job_id}"]
    assert len(gets) == 1
    job.refresh_from_db()
    assert job.status != JobStatus.COMPLETED  # Krea's answer, not the payload, decides

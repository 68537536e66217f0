"""One job: its page, the live card, cancel, delete, run again, and its files."""

import os
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from studio.generation import services
from studio.generation.models import Job, JobStatus, Output
from studio.usage.models import Quota
from tests.factories import FLUX, KREA_TOKEN, JobFactory, OutputFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail(job):
    return reverse("job_detail", args=[job.uuid])


# ------------------------------------------------------------------ the page


def test_the_job_page_shows_parameters_figures_timings_and_outputs(client, member, completed_job):
    client.force_login(member)
    response = client.get(detail(completed_job))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Flux" in page
    assert completed_job.prompt.startswith("a lighthouse at dusk") and completed_job.prompt in page
    assert "<dt>Steps</dt><dd>25</dd>" in page
    assert "<dt>Member</dt><dd>Mia Member</dd>" in page
    assert "<dt>Estimate</dt><dd>3 CU" in page and "<dt>Charged</dt><dd>3 CU</dd>" in page
    assert "<code>krea-123</code>" in page
    file_url = reverse("output_file", args=[completed_job.uuid, 0])
    thumb_url = reverse("output_thumbnail", args=[completed_job.uuid, 0])
    assert f'href="{file_url}"' in page and f'src="{thumb_url}"' in page
    assert f'href="{file_url}?download=1"' in page
    assert f'action="{reverse("job_run_again", args=[completed_job.uuid])}"' in page
    assert f'href="{reverse("generate")}?from={completed_job.uuid}"' in page
    assert f'href="{reverse("job_delete", args=[completed_job.uuid])}"' in page
    assert "js/output_lightbox.js" in page  # the outputs open in the shared lightbox


def test_a_running_card_follows_the_job_live_and_offers_cancel(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PROCESSING)
    client.force_login(member)
    response = client.get(detail(job), **HTMX)
    card = response.content.decode()
    assert card.lstrip().startswith("<article")
    assert "<html" not in card
    assert f'hx-get="{detail(job)}" hx-trigger="studio:changed"' in card  # told by live.js
    assert ">Processing<" in card and "running for 0:0" in card
    assert f'hx-post="{reverse("job_cancel", args=[job.uuid])}"' in card
    assert "Delete" not in card


def test_the_card_stops_following_once_the_job_has_ended(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.QUEUED)
    client.force_login(member)
    assert 'hx-trigger="studio:changed"' in client.get(detail(job), **HTMX).content.decode()
    assert ">Queued at Krea<" in client.get(detail(job), **HTMX).content.decode()

    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.COMPLETED, finished_at=timezone.now(), charged_cu=Decimal(3)
    )
    OutputFactory(job=job)
    card = client.get(detail(job), **HTMX).content.decode()
    assert ">Completed<" in card
    assert "hx-trigger" not in card and "hx-get" not in card
    assert reverse("output_thumbnail", args=[job.uuid, 0]) in card
    assert "Cancel" not in card


def test_a_completed_card_waits_for_its_files_then_stops(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    client.force_login(member)
    card = client.get(detail(job), **HTMX).content.decode()
    assert 'hx-trigger="studio:changed, every 2s"' in card and "Copying the files" in card

    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timezone.timedelta(hours=1))
    assert "hx-trigger" not in client.get(detail(job), **HTMX).content.decode()


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELLED])
def test_failed_and_cancelled_cards_do_not_poll(client, member, status, team):
    job = JobFactory(
        team=team, created_by=member, status=status, error="Krea reported that the job failed."
    )
    client.force_login(member)
    card = client.get(detail(job), **HTMX).content.decode()
    assert "hx-trigger" not in card
    assert job.get_status_display() in card


def test_the_card_shows_previews_from_krea_only(client, member, team):
    job = JobFactory(
        team=team,
        created_by=member,
        status=JobStatus.INTERMEDIATE_COMPLETE,
        preview_urls=[
            "https://cdn.krea.ai/preview-1.png",
            "https://evil.example/x.png",
            "javascript:alert(1)",
        ],
    )
    client.force_login(member)
    card = client.get(detail(job), **HTMX).content.decode()
    assert ">Previews ready<" in card
    assert 'src="https://cdn.krea.ai/preview-1.png"' in card
    assert "evil.example" not in card and "javascript:" not in card


def test_a_job_that_needs_attention_says_so_plainly(client, member, team):
    job = JobFactory(
        team=team,
        created_by=member,
        status=JobStatus.SUBMITTING,
        needs_attention=True,
        error=services.OUTCOME_UNKNOWN,
    )
    client.force_login(member)
    page = client.get(detail(job)).content.decode()
    assert "Needs attention." in page and "nothing will be sent twice" in page
    assert "Cancel job" in page  # a member need not wait for Krea's answer to cancel


def test_a_video_output_plays_in_the_page(client, member, team):
    job = JobFactory(
        team=team,
        created_by=member,
        status=JobStatus.COMPLETED,
        model_id="video/google/veo-3.1",
        group="video",
    )
    OutputFactory(job=job, video=True)
    client.force_login(member)
    page = client.get(detail(job)).content.decode()
    assert re.search(
        rf'<video controls preload="metadata" src="{reverse("output_file", args=[job.uuid, 0])}"',
        page,
    )


# ------------------------------------------------------------------ cancel


def test_cancelling_a_queued_job_with_htmx_answers_with_the_final_card(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PENDING)
    client.force_login(member)
    response = client.post(reverse("job_cancel", args=[job.uuid]), **HTMX)
    card = response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert ">Cancelled<" in card and "hx-trigger" not in card


def test_cancelling_without_js_redirects_to_the_job(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PENDING)
    client.force_login(member)
    response = client.post(reverse("job_cancel", args=[job.uuid]), follow=True)
    assert response.redirect_chain[-1][0] == detail(job)
    assert "nothing is charged" in response.content.decode()


def test_cancelling_a_finished_job_explains_why_not(client, member, completed_job):
    client.force_login(member)
    response = client.post(reverse("job_cancel", args=[completed_job.uuid]), **HTMX)
    assert "cannot be cancelled" in response.content.decode()
    completed_job.refresh_from_db()
    assert completed_job.status == JobStatus.COMPLETED


def test_cancelling_a_job_running_on_krea(
    client, member, team_with_token, krea, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.generation_submit(
            membership=member.memberships.get(), model_id=FLUX, params={"prompt": "a fox"}
        )
    job.refresh_from_db()
    assert job.krea_job_id and job.is_cancellable
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("job_cancel", args=[job.uuid]))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert krea.get_job(KREA_TOKEN, job.krea_job_id)["status"] == "cancelled"


def test_a_member_cannot_cancel_someone_elses_job_but_an_admin_can(
    client, member, admin, owner, team
):
    job = JobFactory(team=team, status=JobStatus.PENDING, created_by=owner)
    client.force_login(member)
    assert client.post(reverse("job_cancel", args=[job.uuid])).status_code == 403
    client.force_login(admin)
    client.post(reverse("job_cancel", args=[job.uuid]))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


# ------------------------------------------------------------------ delete


def test_deleting_asks_first_then_removes_the_job_and_its_files(client, member, completed_job):
    output = completed_job.outputs.get()
    paths = [output.file.path, output.thumbnail.path]
    assert all(os.path.exists(p) for p in paths)
    client.force_login(member)
    url = reverse("job_delete", args=[completed_job.uuid])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Delete this Flux job?" in confirm.content.decode()
    assert Job.objects.filter(pk=completed_job.pk).exists()

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("jobs")
    assert "deleted" in response.content.decode()
    assert not Job.objects.filter(pk=completed_job.pk).exists()
    assert not Output.objects.exists()
    assert not any(os.path.exists(p) for p in paths)


def test_a_running_job_cannot_be_deleted(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.PROCESSING)
    client.force_login(member)
    response = client.post(reverse("job_delete", args=[job.uuid]), follow=True)
    assert "Cancel this job before deleting it." in response.content.decode()
    assert Job.objects.filter(pk=job.pk).exists()


def test_a_member_cannot_delete_someone_elses_job(client, member, owner, team):
    job = JobFactory(team=team, status=JobStatus.FAILED, created_by=owner)
    client.force_login(member)
    assert client.post(reverse("job_delete", args=[job.uuid])).status_code == 403
    assert Job.objects.filter(pk=job.pk).exists()


# ------------------------------------------------------------------ run again


def test_run_again_submits_the_same_parameters_as_a_new_job(
    client, member, team_with_token, completed_job, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("job_run_again", args=[completed_job.uuid]))
    new = Job.objects.exclude(pk=completed_job.pk).get()
    assert response.status_code == 302 and response["Location"] == detail(new)
    assert new.model_id == completed_job.model_id
    assert {k: v for k, v in new.params.items() if k != "seed"} == completed_job.params
    assert isinstance(new.params["seed"], int)  # a new seed: the job's was not locked
    assert new.created_by == member and new.status == JobStatus.PENDING


def test_run_again_with_htmx_redirects_the_client(
    client, member, team_with_token, completed_job, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("job_run_again", args=[completed_job.uuid]), **HTMX)
    new = Job.objects.exclude(pk=completed_job.pk).get()
    assert response["HX-Redirect"] == detail(new)


def test_run_again_over_quota_says_so_and_queues_nothing(
    client, member, team_with_token, completed_job
):
    Quota.objects.create(team=team_with_token, user=member, limit_cu=Decimal(1), period="month")
    client.force_login(member)
    response = client.post(reverse("job_run_again", args=[completed_job.uuid]), follow=True)
    assert "needs 3 CU" in response.content.decode()
    assert Job.objects.count() == 1


def test_run_again_of_parameters_the_schema_no_longer_takes_goes_to_remix(
    client, member, team_with_token, team
):
    job = JobFactory(
        team=team,
        created_by=member,
        status=JobStatus.FAILED,
        params={"prompt": "a fox", "retired_field": 1},
    )
    client.force_login(member)
    response = client.post(reverse("job_run_again", args=[job.uuid]))
    assert response["Location"] == f"{reverse('generate')}?from={job.uuid}"
    assert Job.objects.count() == 1


def test_run_again_needs_the_teams_token(client, member, completed_job):
    client.force_login(member)
    response = client.post(reverse("job_run_again", args=[completed_job.uuid]))
    assert "has no Krea token yet" in response.content.decode()
    assert Job.objects.count() == 1


# ------------------------------------------------------------------ files


def test_an_output_is_served_inline_with_its_content_type(client, member, completed_job):
    client.force_login(member)
    response = client.get(reverse("output_file", args=[completed_job.uuid, 0]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\x89PNG")
    assert response["Cache-Control"].startswith("private")


def test_download_1_makes_it_an_attachment(client, member, completed_job):
    client.force_login(member)
    response = client.get(reverse("output_file", args=[completed_job.uuid, 0]), {"download": "1"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="flux-{str(completed_job.uuid)[:8]}-1.png"'
    )


def test_the_thumbnail_is_a_jpeg(client, member, completed_job):
    client.force_login(member)
    response = client.get(reverse("output_thumbnail", args=[completed_job.uuid, 0]))
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_a_video_is_served_as_video_with_byte_ranges(client, member, team):
    job = JobFactory(team=team, created_by=member, status=JobStatus.COMPLETED)
    output = OutputFactory(job=job, video=True)
    client.force_login(member)
    url = reverse("output_file", args=[job.uuid, 0])
    whole = client.get(url)
    assert whole["Content-Type"] == "video/mp4" and whole["Accept-Ranges"] == "bytes"
    part = client.get(url, HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 4-11/{output.size}"
    assert b"".join(part.streaming_content) == b"ftypmp42"
    assert client.get(url, HTTP_RANGE=f"bytes={output.size + 5}-").status_code == 416


def test_an_output_that_does_not_exist_is_a_404(client, member, completed_job):
    client.force_login(member)
    assert client.get(reverse("output_file", args=[completed_job.uuid, 7])).status_code == 404


def test_on_s3_a_member_is_redirected_to_a_short_lived_signed_url(client, member, completed_job):
    from storages.backends.s3 import S3Storage

    s3 = S3Storage(
        bucket_name="studio-outputs",
        access_key="AKIAEXAMPLE",
        secret_key="secret",
        region_name="eu-west-1",
        signature_version="s3v4",
        querystring_auth=True,
    )
    client.force_login(member)
    with mock.patch.object(Output._meta.get_field("file"), "storage", s3):
        response = client.get(
            reverse("output_file", args=[completed_job.uuid, 0]), {"download": "1"}
        )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://studio-outputs.s3")
    assert "X-Amz-Expires=300" in location
    assert "response-content-disposition=attachment" in location
    assert "response-content-type=image%2Fpng" in location


# ------------------------------------------------------------------ outsiders


def test_an_outsider_gets_404_for_every_url_of_the_job_and_its_files(
    client, outsider, other_team, completed_job
):
    # The outsider's team has no token: the job is still looked up first, so 404.
    assert not other_team.has_krea_token
    uuid = completed_job.uuid
    client.force_login(outsider)
    gets = [
        reverse("job_detail", args=[uuid]),
        reverse("job_delete", args=[uuid]),
        reverse("output_file", args=[uuid, 0]),
        reverse("output_file", args=[uuid, 0]) + "?download=1",
        reverse("output_thumbnail", args=[uuid, 0]),
    ]
    posts = [
        reverse("job_cancel", args=[uuid]),
        reverse("job_delete", args=[uuid]),
        reverse("job_run_again", args=[uuid]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
        assert client.get(url, **HTMX).status_code == 404, url
    for url in posts:
        assert client.post(url).status_code == 404, url
    assert Job.objects.filter(pk=completed_job.pk, status=JobStatus.COMPLETED).exists()
    assert Job.objects.count() == 1


def test_files_need_a_login(client, completed_job):
    response = client.get(reverse("output_file", args=[completed_job.uuid, 0]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

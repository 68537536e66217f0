"""Sends whose outcome is unknown are resolved by asking Krea, never by waiting hours.

Against the simulator, with the portal's clock tied to Krea's (``portal_clock``,
seven seconds behind it) and beat's periodic work run as time passes (``run_for``).
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import Sum

from studio.generation import reconcile, services
from studio.generation.models import Job, JobStatus
from studio.usage.models import EntryKind, UsageEntry
from tests.factories import FLUX, KREA_TOKEN

pytestmark = pytest.mark.django_db


def generate_posts(krea):
    return [r for r in krea.requests if r.method == "POST" and r.path.startswith("/generate/")]


def krea_jobs_by_portal_job(krea) -> dict[str, list[str]]:
    """Krea's jobs of the team's token, by the portal job their webhook URL names."""
    page = krea.list_jobs(KREA_TOKEN, limit="1000")
    owners: dict[str, list[str]] = {}
    for item in page["items"]:
        url = krea.job_record(item["job_id"]).webhook_url or ""
        owners.setdefault(url.split("/")[-3], []).append(item["job_id"])
    return owners


def held(job) -> Decimal:
    return UsageEntry.objects.filter(job_id=job.pk).exclude(kind=EntryKind.CHARGE).aggregate(
        total=Sum("cu")
    )["total"] or Decimal(0)


def charged(team) -> Decimal:
    return UsageEntry.objects.filter(team=team, kind=EntryKind.CHARGE).aggregate(total=Sum("cu"))[
        "total"
    ] or Decimal(0)


def lose_the_next_send(krea, fault="lost-response,webhook-drop"):
    krea.queue_fault(fault, token=KREA_TOKEN, method="POST")


def test_a_lost_answer_is_matched_from_krea_s_list_and_charged_what_krea_bills(
    krea, submit, run_for, public_url, team_with_token
):
    credits = krea.credits(KREA_TOKEN)
    lose_the_next_send(krea)
    job = submit()
    assert (job.status, job.krea_job_id, job.needs_attention) == ("submitting", "", True)

    run_for(60)
    job.refresh_from_db()
    [krea_id] = krea_jobs_by_portal_job(krea)[str(job.uuid)]
    assert job.krea_job_id == krea_id
    run_for(60)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert not job.needs_attention and job.error == ""
    assert len(generate_posts(krea)) == 1
    assert charged(team_with_token) == credits - krea.credits(KREA_TOKEN) == job.estimate_cu


@pytest.mark.parametrize("fault", ["500", "timeout"])
def test_a_send_krea_never_received_is_sent_again_once_its_list_shows_nothing(
    krea, submit, run_for, public_url, fault
):
    lose_the_next_send(krea, fault)
    job = submit()
    assert job.status == JobStatus.SUBMITTING and job.needs_attention

    run_for(60)  # Krea's list could still show it: nothing is decided yet
    job.refresh_from_db()
    assert job.status == JobStatus.SUBMITTING and len(generate_posts(krea)) == 1

    run_for(60)
    job.refresh_from_db()
    assert len(generate_posts(krea)) == 2
    run_for(60)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert krea_jobs_by_portal_job(krea) == {str(job.uuid): [job.krea_job_id]}
    assert job.error == ""


# The portal's clock a minute and a half ahead of Krea's: the lost send's Krea job was
# created, on Krea's clock, well before the portal's record of the send.
@pytest.mark.parametrize("portal_lag", [timedelta(seconds=-90)])
def test_with_no_known_job_around_a_lost_send_krea_s_date_header_gives_its_clock(
    krea, run_for, submit, team_with_token, portal_lag
):
    credits = krea.credits(KREA_TOKEN)
    lose_the_next_send(krea, "lost-response")  # no public URL: no webhook will tell either
    job = submit()
    assert Job.objects.exclude(krea_job_id="").count() == 0, "no neighbour to measure from"

    run_for(120)
    job.refresh_from_db()
    [krea_job] = krea.list_jobs(KREA_TOKEN)["items"]
    assert job.krea_job_id == krea_job["job_id"], "matched, not sent a second time"
    assert len(generate_posts(krea)) == 1
    run_for(30)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert charged(team_with_token) == credits - krea.credits(KREA_TOKEN) == job.estimate_cu


def test_while_it_waits_to_be_sent_again_the_job_says_so(
    krea, submit, run_for, public_url, team_with_token
):
    lose_the_next_send(krea, "500")
    job = submit()
    with mock.patch.object(services, "team_dispatch", return_value=[]):  # the team is busy
        run_for(120)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert job.error == services.NOT_SENT_RESENDING
    assert not job.needs_attention
    assert held(job) == job.estimate_cu


def test_a_send_never_received_by_a_job_past_krea_s_time_limit_fails_and_is_released(
    krea, submit, run_for, public_url
):
    lose_the_next_send(krea, "500")
    job = submit()
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - services.KREA_MAX_JOB_AGE)
    run_for(120)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == services.NOT_SENT_FAILED
    assert held(job) == 0
    assert len(generate_posts(krea)) == 1


def test_sends_krea_cannot_tell_apart_wait_for_their_webhooks(
    krea, submit, run_for, public_url, portal_clock
):
    krea.queue_fault("lost-response,webhook-delay=300", token=KREA_TOKEN, method="POST", times=2)
    first = submit(params={"prompt": "first"})
    second = submit(params={"prompt": "second"})

    run_for(240)  # both windows hold both Krea jobs: no guess is made
    for job in (first, second):
        job.refresh_from_db()
        assert (job.status, job.krea_job_id) == (JobStatus.SUBMITTING, "")

    run_for(120)  # the webhooks arrive and name each portal job
    owners = krea_jobs_by_portal_job(krea)
    for job in (first, second):
        job.refresh_from_db()
        assert job.status == JobStatus.COMPLETED
        assert owners[str(job.uuid)] == [job.krea_job_id]
        assert not job.needs_attention


@pytest.mark.slow
def test_an_ambiguity_no_webhook_settles_is_paired_in_order_once_krea_has_finished(
    krea, submit, run_for, public_url, team_with_token
):
    credits = krea.credits(KREA_TOKEN)
    krea.queue_fault("lost-response,webhook-drop", token=KREA_TOKEN, method="POST", times=2)
    first = submit(params={"prompt": "first"})
    second = submit("image/google/imagen-4", {"prompt": "second"})

    run_for(reconcile.WEBHOOK_WAIT.total_seconds() - 60)
    assert Job.objects.filter(status=JobStatus.SUBMITTING).count() == 2
    run_for(120)
    owners = krea_jobs_by_portal_job(krea)
    for job in (first, second):
        job.refresh_from_db()
        assert job.status == JobStatus.COMPLETED
        assert owners[str(job.uuid)] == [job.krea_job_id]  # time order was right here
        assert job.needs_attention and "matched to a Krea job by time order" in job.error
    assert charged(team_with_token) == credits - krea.credits(KREA_TOKEN)


def test_cancelling_a_job_whose_send_was_lost_is_applied_once_it_is_matched(
    krea, submit, run_for, public_url, team_with_token
):
    krea.set_concurrency(KREA_TOKEN, 1)
    submit(params={"prompt": "keeps Krea's only slot busy"})
    lose_the_next_send(krea)
    job = submit()
    job = services.job_cancel(job=job, by=job.created_by.memberships.get())
    assert job.is_cancelling and job.status == JobStatus.SUBMITTING

    run_for(90)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert [r.path for r in krea.requests if r.method == "DELETE"] == [f"/jobs/{job.krea_job_id}"]
    assert held(job) == 0 and job.charged_cu is None


def test_cancelling_a_job_krea_never_received_ends_it_without_sending_it_again(
    krea, submit, run_for, public_url
):
    lose_the_next_send(krea, "500")
    job = submit()
    services.job_cancel(job=job, by=job.created_by.memberships.get())
    run_for(120)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.error == services.NOT_SENT_CANCELLED
    assert held(job) == 0
    assert len(generate_posts(krea)) == 1


def test_a_worker_killed_after_the_post_is_matched_without_a_webhook(
    krea, team_with_token, member, run_for, public_url, django_capture_on_commit_callbacks
):
    krea.set_webhook_policy(drop=True, token=KREA_TOKEN)
    with (
        mock.patch("studio.generation.tasks.enqueue_send"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = services.generation_submit(
            membership=member.memberships.get(), model_id=FLUX, params={"prompt": "crash"}
        )

    class WorkerDied(BaseException):
        pass

    with (
        mock.patch.object(services, "job_record_krea_job", side_effect=WorkerDied),
        pytest.raises(WorkerDied),
    ):
        services.job_send(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.krea_job_id, job.needs_attention) == ("submitting", "", False)

    run_for(180)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert krea_jobs_by_portal_job(krea) == {str(job.uuid): [job.krea_job_id]}
    assert UsageEntry.objects.filter(job_id=job.pk, kind=EntryKind.CHARGE).count() == 1


def test_a_send_whose_outcome_is_unknown_frees_its_team_slot_after_the_grace_period(
    krea, submit, run_for, public_url, team_with_token
):
    team_with_token.concurrency_limit = 1
    team_with_token.save()
    lose_the_next_send(krea, "timeout")
    stuck = submit(params={"prompt": "stuck"})
    waiting = submit(params={"prompt": "waiting"})
    assert waiting.status == JobStatus.PENDING

    grace = services.unknown_send_grace().total_seconds()
    run_for(grace - 20)
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.PENDING
    run_for(30)
    waiting.refresh_from_db()
    stuck.refresh_from_db()
    assert waiting.krea_job_id, "the queue moved on once the stuck send's grace ended"
    run_for(120)
    assert {job.status for job in Job.objects.all()} == {JobStatus.COMPLETED}
    assert Counter(len(ids) for ids in krea_jobs_by_portal_job(krea).values()) == {1: 2}


@pytest.mark.slow
def test_a_ten_minute_krea_outage_ends_every_job_with_one_krea_job_each_and_exact_charges(
    krea, submit, run_for, public_url, team_with_token, owner, admin, member
):
    team_with_token.concurrency_limit = 10  # every send happens when its member submits
    team_with_token.save()
    credits = krea.credits(KREA_TOKEN)
    submit(params={"prompt": "before the outage"})
    run_for(30)
    # Ten minutes in which every call to Krea fails or times out, while members keep
    # submitting. Sends fail in every way a send can: never reaching Krea (5xx,
    # timeout), or creating a job whose answer is lost (502 or a dropped connection).
    # Sends at the same moment whose jobs exist are told apart by their webhooks; a
    # send alone in its minute is matched by time even with its webhook lost.
    minutes = [
        ["500", "lost-response", "timeout"],
        ["lost-response=drop", "503", "lost-response"],
        [],
        ["lost-response,webhook-drop"],
        [],
        ["timeout", "500", "504"],
        ["lost-response", "lost-response=drop", "timeout"],
        [],
        ["lost-response=drop,webhook-drop"],
        [],
    ]
    for faults in minutes:
        for fault in faults:
            krea.queue_fault(fault, token=KREA_TOKEN, method="POST")
    for method, fault in (("GET", "500"), ("DELETE", "timeout")):
        krea.queue_fault(fault, token=KREA_TOKEN, method=method, times=100_000)
    models = [(FLUX, {"prompt": "flux"}), ("image/google/imagen-4", {"prompt": "imagen"})]
    for minute, faults in enumerate(minutes):
        for index, person in enumerate([owner, admin, member][: len(faults)]):
            model_id, params = models[(minute + index) % 2]
            submit(model_id, {"prompt": f"{params['prompt']} {minute}.{index}"}, by=person)
        run_for(60)
    assert Job.objects.filter(status=JobStatus.SUBMITTING, needs_attention=True).exists()
    assert [r.status for r in krea.requests if r.method == "GET"][-1] == 500

    krea.clear_faults()  # Krea answers again
    run_for(120)
    unresolved = Job.objects.filter(status=JobStatus.SUBMITTING, needs_attention=True)
    assert not unresolved.exists(), "every unknown send is resolved within two minutes"
    run_for(600)

    jobs = list(Job.objects.all())
    assert len(jobs) == 1 + sum(len(faults) for faults in minutes)
    assert {job.status for job in jobs} == {JobStatus.COMPLETED}
    owners = krea_jobs_by_portal_job(krea)
    for job in jobs:
        assert owners[str(job.uuid)] == [job.krea_job_id], "one Krea job per portal job, its own"
        assert held(job) == 0
    assert charged(team_with_token) == credits - krea.credits(KREA_TOKEN)
    assert charged(team_with_token) == sum(job.estimate_cu for job in jobs)


def test_a_job_krea_deletes_when_cancelled_is_recorded_as_cancelled_and_released(
    krea, submit, public_url, django_capture_on_commit_callbacks
):
    job = submit()
    # Krea answers the DELETE, then no longer knows the job (404).
    assert [r.method for r in krea.requests if r.path == f"/jobs/{job.krea_job_id}"] == []
    krea.queue_fault("404", token=KREA_TOKEN, method="GET", path=f"/jobs/{job.krea_job_id}")
    with django_capture_on_commit_callbacks(execute=True):
        services.job_cancel(job=job, by=job.created_by.memberships.get())
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.error == services.DELETED_AT_KREA
    assert held(job) == 0 and job.charged_cu is None

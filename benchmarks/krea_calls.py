"""How many calls to Krea one generation costs: with webhooks, watched or not, and
without webhooks (polling only).

Runs N image jobs through the real pipeline (Celery eager) against the in-process
simulator on a real clock (image jobs take 6 s, as in the demo), and counts the
requests the simulator received per job. "Watched" has three open tabs of two
members asking the live endpoint every 0.5 s with every running job on screen (more
often than the pages do): a watched job is refreshed at most once every 3 s whoever
watches it, so its GETs stay within job seconds / 3 + 2 (the refreshes, the webhook's
confirmation, the last look). Unwatched jobs rely on the webhook (one confirming GET)
and the backed-off poll.

    .venv/bin/python benchmarks/krea_calls.py [--jobs 20] [--job-seconds 6]
"""

import argparse
import statistics
import tempfile
import time
from collections import Counter

from _setup import demo_team, django_setup


def demo_member(team):
    """A second member of the team, for a second person watching."""
    from django.contrib.auth import get_user_model

    from studio.teams.models import Membership

    user, _ = get_user_model().objects.get_or_create(email="watcher@example.com")
    membership, _ = Membership.objects.get_or_create(user=user, team=team)
    return membership


def run(*, webhooks: bool, watched: bool, jobs: int, job_seconds: float) -> dict:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from krea_integration.simulator import Simulator
    from studio.celery import app as celery_app
    from studio.generation import services
    from studio.generation.models import Job

    celery_app.conf.task_always_eager = True
    client = Client()

    def deliver(url, body, headers):
        from urllib.parse import urlsplit

        return client.post(
            urlsplit(url).path, data=body, content_type="application/json"
        ).status_code

    sim = Simulator(
        job_seconds={"image": job_seconds},
        webhook_sender=deliver,
        public_base_url="http://krea.bench",
        concurrency_limit=jobs,
        tokens=["bench-token"],  # demo_team's token: the simulator refuses unknown ones
    )
    settings.KREA_API_BASE_URL = "http://krea.bench"
    settings.KREA_TRANSPORT = sim.transport()
    settings.PUBLIC_BASE_URL = "https://studio.bench" if webhooks else ""
    membership = demo_team()
    team = membership.team
    team.concurrency_limit = jobs
    team.save(update_fields=["concurrency_limit"])
    Job.objects.filter(team=team).delete()
    cache.clear()
    tabs = []
    if watched:
        other = demo_member(team)
        for user in (membership.user, other.user, other.user):
            tab = Client()
            tab.force_login(user)
            tabs.append(tab)
    last_look = 0.0

    started = time.monotonic()
    ids = [
        services.generation_submit(
            membership=membership, model_id="image/bfl/flux-1-dev", params={"prompt": f"bench {n}"}
        ).pk
        for n in range(jobs)
    ]
    while (
        Job.objects.filter(pk__in=ids)
        .exclude(status__in=["completed", "failed", "cancelled"])
        .exists()
    ):
        sim.tick()
        services.jobs_poll_due()
        if tabs and time.monotonic() - last_look >= 0.5:
            last_look = time.monotonic()
            running = Job.objects.filter(pk__in=ids).exclude(
                status__in=["completed", "failed", "cancelled"]
            )
            watch = ",".join(str(uuid) for uuid in running.values_list("uuid", flat=True))
            for tab in tabs:
                tab.get(reverse("live_events"), {"watch": watch})
        time.sleep(0.1)
        if time.monotonic() - started > job_seconds * 20 + 60:
            raise SystemExit("jobs did not finish in time")
    elapsed = time.monotonic() - started
    kinds = Counter()
    for request in sim.requests:
        if request.path.startswith("/generate/"):
            kinds["POST /generate"] += 1
        elif request.path.startswith("/jobs/"):
            kinds[f"{request.method} /jobs/{{id}}"] += 1
        else:
            kinds["GET output file"] += 1
    latencies = [
        (job.finished_at - job.created_at).total_seconds() for job in Job.objects.filter(pk__in=ids)
    ]
    return {
        "mode": ("webhooks" if webhooks else "polling only") + (", watched" if watched else ""),
        "per_job": {kind: count / jobs for kind, count in sorted(kinds.items())},
        "total_per_job": sum(kinds.values()) / jobs,
        "completed": Job.objects.filter(pk__in=ids, status="completed").count(),
        "median_seconds_to_done": statistics.median(latencies),
        "wall_seconds": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--job-seconds", type=float, default=6.0)
    args = parser.parse_args()
    django_setup(f"sqlite:///{tempfile.mkdtemp()}/krea-calls.sqlite3")
    from studio.generation.live import WATCH_REFRESH_SECONDS

    print(f"Krea calls per job: {args.jobs} image jobs of {args.job_seconds:g} s each")
    watched_bound = args.job_seconds / WATCH_REFRESH_SECONDS + 2
    print(
        f"  bounds: watched GET /jobs/{{id}} <= {watched_bound:.1f} per job "
        f"(one per {WATCH_REFRESH_SECONDS} s while watched, whatever the watchers, "
        "+ the webhook's confirmation + the last look); "
        "unwatched with webhooks: 1 confirming GET per job (+1 per minute of safety poll)"
    )
    for webhooks, watched in ((True, True), (True, False), (False, False)):
        result = run(
            webhooks=webhooks, watched=watched, jobs=args.jobs, job_seconds=args.job_seconds
        )
        calls = ", ".join(f"{kind}: {n:.2f}" for kind, n in result["per_job"].items())
        print(
            f"  {result['mode']:<18} {result['total_per_job']:.2f} calls/job ({calls}); "
            f"{result['completed']}/{args.jobs} completed; "
            f"median {result['median_seconds_to_done']:.1f} s to done; "
            f"{result['wall_seconds']:.1f} s wall"
        )


if __name__ == "__main__":
    main()

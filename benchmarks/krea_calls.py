"""How many calls to Krea one generation costs, with webhooks and without (polling only).

Runs N image jobs through the real pipeline (Celery eager) against the in-process
simulator on a real clock (image jobs take 6 s, as in the demo), and counts the
requests the simulator received per job.

    .venv/bin/python benchmarks/krea_calls.py [--jobs 20] [--job-seconds 6]
"""

import argparse
import statistics
import tempfile
import time
from collections import Counter

from _setup import demo_team, django_setup


def run(*, webhooks: bool, jobs: int, job_seconds: float) -> dict:
    from django.conf import settings
    from django.test import Client

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
        "mode": "webhooks" if webhooks else "polling only",
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
    print(f"Krea calls per job: {args.jobs} image jobs of {args.job_seconds:g} s each")
    for webhooks in (True, False):
        result = run(webhooks=webhooks, jobs=args.jobs, job_seconds=args.job_seconds)
        calls = ", ".join(f"{kind}: {n:.2f}" for kind, n in result["per_job"].items())
        print(
            f"  {result['mode']:<13} {result['total_per_job']:.2f} calls/job ({calls}); "
            f"{result['completed']}/{args.jobs} completed; "
            f"median {result['median_seconds_to_done']:.1f} s to done; "
            f"{result['wall_seconds']:.1f} s wall"
        )


if __name__ == "__main__":
    main()

"""Server time and queries per page of Jobs and Gallery with 100,000 jobs in the team.

Beside them, in the same run, a bare Django view rendering a static template: the
floor. Uses DATABASE_URL when set (PostgreSQL in earnest), else a temporary SQLite.

    .venv/bin/python benchmarks/pages.py [--jobs 100000] [--requests 30]
"""

import argparse
import statistics
import tempfile
import time

from _setup import demo_team, django_setup


def seed(membership, count: int) -> None:
    from django.utils import timezone

    from studio.generation.models import Job, JobStatus, Output

    team = membership.team
    have = Job.objects.filter(team=team).count()
    if have >= count:
        return
    now = timezone.now()
    batch = 5000
    models = [
        ("image/bfl/flux-1-dev", "Flux 1 Dev", "image"),
        ("video/google/veo-3.1", "Veo 3.1", "video"),
    ]
    for start in range(have, count, batch):
        jobs = []
        for n in range(start, min(start + batch, count)):
            model_id, name, group = models[n % 7 == 0]
            jobs.append(
                Job(
                    team=team,
                    created_by=membership.user,
                    model_id=model_id,
                    model_name=name,
                    group=group,
                    params={"prompt": f"scene number {n}"},
                    prompt=f"scene number {n}",
                    status=JobStatus.COMPLETED if n % 10 else JobStatus.FAILED,
                    estimate_cu=3,
                    charged_cu=3,
                    krea_job_id=f"krea-{n}",
                    created_at=now - timezone.timedelta(seconds=count - n),
                    finished_at=now - timezone.timedelta(seconds=count - n - 5),
                )
            )
        created = Job.objects.bulk_create(jobs)
        Output.objects.bulk_create(
            Output(
                job=job,
                team=team,
                position=0,
                file=f"outputs/bench/{job.uuid}.png",
                thumbnail=f"thumbnails/bench/{job.uuid}.jpg",
                mime_type="image/png",
                size=123456,
                width=1024,
                height=1024,
                source_url="https://gen.krea.ai/x.png",
            )
            for job in created
            if job.status == JobStatus.COMPLETED
        )


def measure(client, url: str, requests: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm up
    assert response.status_code == 200, (url, response.status_code)
    times, queries = [], 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    return statistics.median(times), max(times), queries, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    django_setup(f"sqlite:///{tempfile.gettempdir()}/krea-studio-bench-pages.sqlite3")

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from studio.generation.models import Job

    settings.ALLOWED_HOSTS = ["testserver"]
    membership = demo_team()
    started = time.perf_counter()
    seed(membership, args.jobs)
    total = Job.objects.filter(team=membership.team).count()
    print(
        f"Pages with {total:,} jobs in the team ({connection.vendor}; seeding took "
        f"{time.perf_counter() - started:.1f} s); {args.requests} requests each"
    )
    client = Client()
    client.force_login(membership.user)
    oldest = Job.objects.filter(team=membership.team).order_by("created_at").first()
    pages = [
        ("floor: static template", "/bench/static/"),
        ("jobs, first page", reverse("jobs")),
        ("jobs, state=failed", reverse("jobs") + "?status=failed"),
        ("jobs, prompt search", reverse("jobs") + "?q=number+99999"),
        ("jobs, deep date filter", reverse("jobs") + f"?date_to={oldest.created_at.date()}"),
        ("gallery, first page", reverse("gallery")),
        ("job detail", reverse("job_detail", args=[oldest.uuid])),
    ]
    print(f"  {'page':<26}{'median ms':>10}{'max ms':>9}{'queries':>9}{'bytes':>9}")
    for label, url in pages:
        median, worst, queries, size = measure(client, url, args.requests)
        print(f"  {label:<26}{median:>10.1f}{worst:>9.1f}{queries:>9}{size:>9}")


if __name__ == "__main__":
    main()

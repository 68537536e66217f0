"""Webhook endpoint throughput under gunicorn, beside a no-op DRF POST in the same run.

Each request to the webhook endpoint checks the job's secret and enqueues its
confirmation on the broker, as in production. Run it on PostgreSQL (and Redis)
for figures that mean something:

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... \\
        .venv/bin/python benchmarks/webhooks.py [--seconds 10] [--connections 16] [--workers 2]

Load comes from wrk (apt-get install wrk) when installed, else from Python threads.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
from _setup import ROOT, demo_team, django_setup, free_port, gunicorn_command

GOAL = 0.7  # issue 15: at least 0.7x a no-op DRF POST in the same run


def wrk(url: str, body: str, seconds: int, connections: int) -> float:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(body)}\n"
    )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def python_load(url: str, body: str, seconds: int, connections: int) -> float:
    done = [0] * connections
    deadline = time.monotonic() + seconds

    def worker(i: int) -> None:
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < deadline:
                response = client.post(
                    url, content=body, headers={"Content-Type": "application/json"}
                )
                if response.status_code < 300:
                    done[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--port", type=int, default=0, help="gunicorn's port (default: any free one)"
    )
    args = parser.parse_args()
    django_setup(f"sqlite:///{tempfile.gettempdir()}/krea-studio-bench-webhooks.sqlite3")

    from django.conf import settings
    from django.urls import reverse

    from studio.generation.models import Job, JobStatus

    membership = demo_team()
    job = Job.objects.create(
        team=membership.team,
        created_by=membership.user,
        model_id="image/bfl/flux-1-dev",
        model_name="Flux 1 Dev",
        group="image",
        params={"prompt": "bench"},
        prompt="bench",
        status=JobStatus.QUEUED,
        krea_job_id="krea-bench-job",
    )
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split("://")[0]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    conn_age = settings.DATABASES["default"]["CONN_MAX_AGE"]
    port = args.port or free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        gunicorn_command(port, args.workers),
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        body = json.dumps({"job_id": job.krea_job_id, "status": "completed"})
        load = wrk if shutil.which("wrk") else python_load
        hook = base + reverse("krea-webhook", args=[job.uuid, job.webhook_secret])
        print(
            f"Webhook throughput: gunicorn x{args.workers} on {db} (CONN_MAX_AGE={conn_age}), "
            f"broker {broker}, cache {cache}, "
            f"{args.connections} connections, {args.seconds} s each, load from {load.__name__}"
        )
        targets = [("no-op DRF POST (floor)", f"{base}/bench/noop/"), ("Krea webhook", hook)]
        for _, url in targets:  # warm up: each worker's first enqueue connects to the broker
            load(url, body, 3, args.connections)
        rates = {label: load(url, body, args.seconds, args.connections) for label, url in targets}
        floor, webhook = rates.values()
        for label, rate in rates.items():
            print(f"  {label:<24}{rate:>10.0f} requests/s")
        print(
            f"  webhook / floor: {webhook / floor:.2f}   goal: >= {GOAL}   "
            f"{'met' if webhook / floor >= GOAL else 'NOT MET'}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        from studio.celery import app as celery_app

        dropped = celery_app.control.purge()  # the confirmations the load enqueued
        print(f"  (dropped {dropped} queued confirmation tasks)")


if __name__ == "__main__":
    main()

"""Scale-out on the production stack: 500 jobs from 10 teams through 2 web processes and
3 Celery workers on PostgreSQL and Redis, against the Krea simulator.

Starts it all on consecutive ports from ``--port`` (the simulator, then two gunicorn
web processes), each team with its own Krea token and a concurrency limit of 4 per
token; one team has 5 members submitting at once through the API, the others one each.
Then it checks (issue 15):
- every job was sent to Krea exactly once (Krea's own job list per token against the
  portal's jobs: no Krea job without its portal job, no portal job sent twice);
- every job ends;
- while all of the shared team's members still had work waiting, their completions
  stayed within 1.5x of each other (the fair queue holds across workers).

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... CACHE_URL=redis://... \\
        .venv/bin/python benchmarks/scaleout.py [--jobs 500] [--port 8183]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from _setup import ROOT, django_setup, gunicorn_command, wait_for

TEAMS = 10
SHARED_MEMBERS = 5
LIMIT = 4
FAIRNESS_GOAL = 1.5
MODEL = "image/bfl/flux-1-dev"
PARAMS = {"prompt": "a lighthouse at dusk", "width": 512, "height": 512, "steps": 4}


def make_teams(jobs: int):
    """Ten fresh teams (tokens ``scale-token-N``); team 0 has five members.

    Returns [(team, token, [(api key, n jobs), ...])]: team 0 takes a fifth of the jobs,
    split among its members; the rest are spread over the other teams.
    """
    from django.contrib.auth import get_user_model

    from studio.api.services import api_key_create
    from studio.teams.models import Membership
    from studio.teams.services import team_create
    from studio.teams.tokens import team_token_set

    run = time.strftime("%H:%M:%S")  # teams are kept (their audit trail protects them)
    users = get_user_model().objects
    shared_jobs = jobs // 5
    rest, other_teams = jobs - shared_jobs, TEAMS - 1
    per_other = [rest // other_teams + (n < rest % other_teams) for n in range(other_teams)]
    plan = []
    for n in range(TEAMS):
        owner, _ = users.get_or_create(email=f"scale-{n}-0@example.com")
        team = team_create(user=owner, name=f"Scale-out team {n} ({run})")
        team.concurrency_limit = LIMIT
        team.save(update_fields=["concurrency_limit"])
        token = f"scale-token-{n}"
        team_token_set(by=Membership.objects.get(team=team, user=owner), token=token)
        memberships = [Membership.objects.get(team=team, user=owner)]
        for m in range(1, SHARED_MEMBERS if n == 0 else 1):
            user, _ = users.get_or_create(email=f"scale-{n}-{m}@example.com")
            memberships.append(Membership.objects.create(team=team, user=user, role="member"))
        count = shared_jobs if n == 0 else per_other[n - 1]
        submitters = [
            (
                api_key_create(membership=m, name="scale").key,
                count // len(memberships) + (1 if i < count % len(memberships) else 0),
            )
            for i, m in enumerate(memberships)
        ]
        plan.append((team, token, submitters))
    return plan


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def krea_job_ids(base: str, token: str) -> list[str]:
    """Every job Krea holds for ``token`` (its own list, page by page)."""
    ids, cursor = [], None
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            page = http.get(f"{base}/jobs", params=params).raise_for_status().json()
            ids += [item["job_id"] for item in page["items"]]
            cursor = page.get("next_cursor")
            if not cursor:
                return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--port", type=int, default=8183, help="first of three ports")
    parser.add_argument("--workers", type=int, default=3, help="Celery worker processes")
    parser.add_argument("--job-seconds", type=float, default=2)
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args()
    django_setup("sqlite:///unused")

    from django.conf import settings
    from django.db import connection

    from studio.celery import app as celery_app
    from studio.generation.models import TERMINAL, Job

    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        raise SystemExit(
            "Run it on PostgreSQL and Redis: DATABASE_URL=postgres://... "
            "CELERY_BROKER_URL=redis://..."
        )
    celery_app.control.purge()
    plan = make_teams(args.jobs)
    sim_port, web_ports = args.port, [args.port + 1, args.port + 2]
    krea = f"http://127.0.0.1:{sim_port}"
    logs = Path(tempfile.mkdtemp(prefix="scaleout-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        "API_THROTTLE_RATE": "off",
        "KREA_API_BASE_URL": krea,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_ports[0]}",
        "MEDIA_ROOT": str(logs / "media"),
    }
    python = sys.executable
    processes = [
        start(
            [
                python,
                "-m",
                "krea_integration.simulator",
                "--port",
                str(sim_port),
                "--tokens",
                ",".join(token for _, token, _ in plan),
                "--concurrency",
                str(LIMIT),
                "--job-seconds",
                str(args.job_seconds),
                "--credits",
                "100000000",
            ],
            env,
            logs / "simulator.log",
        )
    ]
    for port in web_ports:
        processes.append(
            start(
                gunicorn_command(port),
                env,
                logs / f"web-{port}.log",
            )
        )
    celery = [python, "-m", "celery", "-A", "studio"]
    for n in range(args.workers):
        processes.append(
            start(
                [
                    *celery,
                    "worker",
                    "--concurrency=2",
                    "-n",
                    f"scale{n}@%h",
                    "--loglevel=WARNING",
                    "--without-heartbeat",
                    "--without-mingle",
                    "--without-gossip",
                ],
                env,
                logs / f"worker-{n}.log",
            )
        )
    processes.append(
        start(
            [*celery, "beat", "--loglevel=WARNING", "-s", str(logs / "celerybeat-schedule")],
            env,
            logs / "beat.log",
        )
    )
    try:
        wait_for(f"{krea}/_simulator")
        for port in web_ports:
            wait_for(f"http://127.0.0.1:{port}/healthz")
        time.sleep(5)  # the workers connect to the broker

        refused = []
        started = time.monotonic()

        def submit(key: str, count: int, port: int) -> None:
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(timeout=60, headers=headers) as http:
                for _ in range(count):
                    body = {"model": MODEL, "params": PARAMS}
                    response = http.post(f"http://127.0.0.1:{port}/api/v1/jobs", json=body)
                    if response.status_code != 201:
                        refused.append(f"{response.status_code} {response.text[:200]}")

        threads = []
        for n, (_, _, submitters) in enumerate(plan):
            for m, (key, count) in enumerate(submitters):
                port = web_ports[(n + m) % 2]
                threads.append(threading.Thread(target=submit, args=(key, count, port)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        submitted = time.monotonic() - started
        teams = [team for team, _, _ in plan]
        jobs = Job.objects.filter(team__in=teams)
        while time.monotonic() - started < args.timeout:
            if not jobs.exclude(status__in=TERMINAL).exists():
                break
            time.sleep(1)
        elapsed = time.monotonic() - started

        total = jobs.count()
        ended = jobs.filter(status__in=TERMINAL).count()
        completed = jobs.filter(status="completed").count()
        sent_twice = extra_at_krea = unsent = 0
        for team, token, _ in plan:
            at_krea = Counter(krea_job_ids(krea, token))
            ours = Counter(
                jobs.filter(team=team).exclude(krea_job_id="").values_list("krea_job_id", flat=True)
            )
            sent_twice += sum(c - 1 for c in ours.values() if c > 1)
            extra_at_krea += sum((at_krea - ours).values())
            unsent += jobs.filter(team=team, krea_job_id="").count()

        # Fairness in the shared team: up to the moment the first of its members had
        # nothing left waiting (their last job left the portal's queue), count each
        # member's completed jobs.
        shared = plan[0][0]
        rows = list(
            jobs.filter(team=shared).values_list("created_by_id", "submitted_at", "finished_at")
        )
        members = {row[0] for row in rows}
        last_sent = {m: max(r[1] for r in rows if r[0] == m) for m in members}
        window_end = min(last_sent.values())
        done = {
            m: sum(1 for r in rows if r[0] == m and r[2] and r[2] <= window_end) for m in members
        }
        fairness = max(done.values()) / max(min(done.values()), 1)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        celery_app.control.purge()

    print(
        f"Scale-out: {args.jobs} jobs from {TEAMS} teams ({SHARED_MEMBERS} members submitting at "
        f"once in one of them), 2 gunicorn web processes, {args.workers} Celery workers "
        f"(concurrency 2), {connection.vendor} + Redis, simulator jobs of {args.job_seconds} s, "
        f"limit {LIMIT} per token, {os.cpu_count()} cores; logs in {logs}"
    )
    print(
        f"  submitted in {submitted:.1f} s ({len(refused)} refused), "
        f"all ended after {elapsed:.1f} s"
    )
    print(
        f"  jobs ended: {ended} of {total} ({completed} completed)   goal: all   "
        f"{'met' if ended == total == args.jobs and not refused else 'NOT MET'}"
    )
    print(
        f"  sent to Krea twice: {sent_twice}, Krea jobs no portal job knows: {extra_at_krea}, "
        f"never sent: {unsent}   goal: 0, 0, 0   "
        f"{'met' if sent_twice == extra_at_krea == unsent == 0 else 'NOT MET'}"
    )
    print(
        f"  shared team, completions per member while all had work waiting: "
        f"{sorted(done.values())} (max/min {fairness:.2f})   goal: <= {FAIRNESS_GOAL}   "
        f"{'met' if fairness <= FAIRNESS_GOAL else 'NOT MET'}"
    )
    if refused:
        print("  first refusal:", refused[0])


if __name__ == "__main__":
    main()

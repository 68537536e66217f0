"""Quota-checked submission: accepted API submits per second with many clients on one team.

50 API clients (each a member with its own key) POST /api/v1/jobs at once against one
team, through gunicorn on PostgreSQL (and Redis for the dispatch tasks), the API
throttle off. First without any quota (the plain job-creation rate), then with a team
quota and a quota per member: every submit locks those rows and sums the ledger. The
team quota runs out during the run; no CU may be reserved beyond it. The load comes
from wrk (one connection per key) when installed, else from Python threads, whose
own CPU cost weighs on the server on a small machine. Counts are read from the
database.
Goals (issue 15): at least 100 accepted submits/s with quotas, zero overspend.

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... \\
        .venv/bin/python benchmarks/submits.py [--clients 50] [--seconds 10] [--port 8182]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
from _setup import ROOT, django_setup

GOAL_RATE = 100
MODEL = "image/bfl/flux-1-dev"
TEAM = "Submit benchmark team"


def make_team(clients: int):
    """A fresh team with a Krea token and ``clients`` members, each with an API key."""
    from django.contrib.auth import get_user_model

    from studio.api.services import api_key_create
    from studio.teams.models import Membership
    from studio.teams.services import team_create
    from studio.teams.tokens import team_token_set

    users = get_user_model().objects
    owner, _ = users.get_or_create(email="submit-owner@example.com")
    # A new team each run (a team's audit trail keeps it from being deleted).
    team = team_create(user=owner, name=f"{TEAM} ({time.strftime('%H:%M:%S')})")
    team_token_set(by=Membership.objects.get(team=team, user=owner), token="bench-token")
    keys = []
    for n in range(clients):
        user, _ = users.get_or_create(email=f"submitter-{n}@example.com")
        membership = Membership.objects.create(team=team, user=user, role="member")
        keys.append(api_key_create(membership=membership, name="bench").key)
    return team, keys


def _wrk(url: str, keys: list[str], seconds: float) -> None:
    """wrk: one connection per key, each submitting as fast as it can for ``seconds``.

    The load costs the machine almost nothing (Python threads cost more CPU than the
    server they measure on two cores); the figures are read from the database.
    """
    body = json.dumps({"model": MODEL, "params": {"prompt": "a lighthouse at dusk"}})
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        f"local keys = {{{', '.join(json.dumps(k) for k in keys)}}}\n"
        f"local body = {json.dumps(body)}\n"
        "local sent, odd = 0, nil\n"
        "local threads = {}\n"
        "function setup(thread) table.insert(threads, thread) end\n"
        "function init(args) sent = math.random(#keys) end\n"
        "function request()\n"
        "  sent = sent + 1\n"
        '  return wrk.format("POST", nil, {["Authorization"] = "Bearer " .. '
        'keys[sent % #keys + 1], ["Content-Type"] = "application/json"}, body)\n'
        "end\n"
        "function response(status, headers, body)\n"
        "  if status ~= 201 and status ~= 403 and odd == nil then\n"
        '    odd = status .. ": " .. string.sub(body, 1, 300)\n'
        "  end\n"
        "end\n"
        "function done(summary, latency, requests)\n"
        "  for _, thread in ipairs(threads) do\n"
        '    local found = thread:get("odd")\n'
        '    if found then io.write("UNEXPECTED " .. found .. "\\n") end\n'
        "  end\n"
        "end\n"
    )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{len(keys)}", f"-d{max(int(seconds), 1)}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    for line in out.splitlines():
        if line.startswith("UNEXPECTED"):
            raise SystemExit(line)


def _threads(url: str, keys: list[str], seconds: float) -> None:
    """Without wrk: one Python thread per key (their own CPU cost counts against the server)."""
    deadline = time.monotonic() + seconds
    body = {"model": MODEL, "params": {"prompt": "a lighthouse at dusk"}}

    def client(key: str) -> None:
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {key}"}) as http:
            while time.monotonic() < deadline:
                response = http.post(url, json=body)
                if response.status_code not in (201, 403):
                    raise SystemExit(f"{response.status_code}: {response.text[:300]}")

    threads = [threading.Thread(target=client, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def hammer(url: str, keys: list[str], seconds: float, team) -> tuple[int, float, float]:
    """Every key submits as fast as it can for ``seconds`` (refusals included).

    Returns (jobs accepted, seconds from the start to the last acceptance, wall seconds),
    read from the team's jobs.
    """
    from django.utils import timezone

    started, clock = timezone.now(), time.monotonic()
    (_wrk if shutil.which("wrk") else _threads)(url, keys, seconds)
    wall = time.monotonic() - clock
    accepted = team.jobs.filter(created_at__gte=started)
    last = accepted.order_by("-created_at").values_list("created_at", flat=True).first()
    return accepted.count(), (last - started).total_seconds() if last else 0.0, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8182)
    args = parser.parse_args()
    django_setup("sqlite:///unused")

    from django.conf import settings
    from django.db import connection

    from krea_integration import catalogue
    from studio.usage.models import EntryKind, Quota, UsageEntry
    from studio.usage.pricing import job_estimate

    if connection.vendor != "postgresql":
        raise SystemExit("Run it on PostgreSQL: DATABASE_URL=postgres://...")
    team, keys = make_team(args.clients)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        "API_THROTTLE_RATE": "off",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "studio.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    url = f"{base}/api/v1/jobs"
    try:
        for _ in range(150):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        hammer(url, keys, 2, team)  # warm up every worker (broker and database connections)

        plain, _, plain_wall = hammer(url, keys, args.seconds, team)
        plain_rate = plain / plain_wall

        estimate = job_estimate(catalogue.load().get(MODEL), {"prompt": "x"}).cu
        # The team quota runs out after about ``seconds`` at the goal's rate; each
        # member's own quota is generous, but locked and summed on every submit too.
        held_before = sum(
            e.cu for e in UsageEntry.objects.filter(team=team, kind=EntryKind.RESERVE)
        )
        room = estimate * GOAL_RATE * args.seconds
        limit = held_before + room
        Quota.objects.create(team=team, user=None, limit_cu=limit, period="month")
        for membership in team.memberships.exclude(user__email="submit-owner@example.com"):
            Quota.objects.create(team=team, user=membership.user, limit_cu=limit, period="month")
        accepted, until_last, wall = hammer(url, keys, args.seconds * 2, team)
        reserved = sum(e.cu for e in UsageEntry.objects.filter(team=team)) - held_before
        overspend = max(reserved - room, Decimal(0))
        quota_rate = accepted / until_last if until_last else 0.0
    finally:
        server.terminate()
        server.wait(timeout=20)
        from studio.celery import app as celery_app

        dropped = celery_app.control.purge()

    cores = os.cpu_count()
    print(
        f"Submits through POST /api/v1/jobs: {args.clients} clients (one key each) on one team, "
        f"gunicorn x{args.workers} on {connection.vendor}, broker "
        f"{settings.CELERY_BROKER_URL.split('://')[0]}, {cores} cores, "
        f"load from {'wrk' if shutil.which('wrk') else 'Python threads'}"
    )
    print(
        f"  plain job creation, no quota    {plain_rate:>8.0f} submits/s "
        f"({plain} in {plain_wall:.1f} s)"
    )
    print(
        f"  quota-checked (team + member)   {quota_rate:>8.0f} submits/s "
        f"({accepted} accepted in {until_last:.1f} s, then refused until {wall:.1f} s)   "
        f"goal: >= {GOAL_RATE}/s   {'met' if quota_rate >= GOAL_RATE else 'NOT MET'}"
    )
    if plain_rate:
        print(f"  quota-checked / plain           {quota_rate / plain_rate:>8.2f}")
    print(
        f"  reserved {reserved} CU of a {room} CU team quota: overspend {overspend} CU   "
        f"goal: 0   {'met' if overspend == 0 else 'NOT MET'}"
    )
    print(f"  (dropped {dropped} queued dispatch tasks)")


if __name__ == "__main__":
    main()

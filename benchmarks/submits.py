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
import re
import shutil
import subprocess
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
from _setup import ROOT, django_setup, gunicorn_command

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


def _wrk(url: str, keys: list[str], seconds: float) -> int:
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
    # "  9731 requests in 10.10s, 5.02MB read": answered requests, refusals included.
    return int(re.search(r"(\d+) requests in", out).group(1))


def _threads(url: str, keys: list[str], seconds: float) -> int:
    """Without wrk: one Python thread per key (their own CPU cost counts against the server)."""
    deadline = time.monotonic() + seconds
    body = {"model": MODEL, "params": {"prompt": "a lighthouse at dusk"}}
    answered = []

    def client(key: str) -> None:
        with httpx.Client(timeout=60, headers={"Authorization": f"Bearer {key}"}) as http:
            while time.monotonic() < deadline:
                response = http.post(url, json=body)
                if response.status_code not in (201, 403):
                    raise SystemExit(f"{response.status_code}: {response.text[:300]}")
                answered.append(1)

    threads = [threading.Thread(target=client, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(answered)


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes ``pids`` have used (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def server_pids(server_pid: int) -> list[int]:
    """gunicorn's workers and the PostgreSQL backends serving them: the server's CPU."""
    from django.db import connection

    workers = [
        int(line)
        for line in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return [server_pid, *workers, *backends]


def hammer(
    url: str, keys: list[str], seconds: float, team, pids: list[int]
) -> tuple[int, int, float, float, float]:
    """Every key submits as fast as it can for ``seconds`` (refusals included).

    Returns (jobs accepted, requests answered, seconds from the start to the last
    acceptance, wall seconds, CPU seconds the server used), read from the team's jobs,
    the load generator and /proc.
    """
    from django.utils import timezone

    started, clock, cpu = timezone.now(), time.monotonic(), _cpu_seconds(pids)
    answered = (_wrk if shutil.which("wrk") else _threads)(url, keys, seconds)
    wall, cpu = time.monotonic() - clock, _cpu_seconds(pids) - cpu
    accepted = team.jobs.filter(created_at__gte=started)
    last = accepted.order_by("-created_at").values_list("created_at", flat=True).first()
    until_last = (last - started).total_seconds() if last else 0.0
    return accepted.count(), answered, until_last, wall, cpu


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
        gunicorn_command(args.port, args.workers),
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
        hammer(url, keys, 2, team, [])  # warm up every worker (broker, database connections)
        pids = server_pids(server.pid)

        plain, _, _, plain_wall, plain_cpu = hammer(url, keys, args.seconds, team, pids)
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
        accepted, answered, until_last, wall, quota_cpu = hammer(
            url, keys, args.seconds * 2, team, pids
        )
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
    # CPU per submit does not depend on what else runs on the machine: how many submits
    # its cores could take if they served nothing else.
    if plain and answered:
        # wrk does not count the requests still in flight when it stops.
        answered = max(answered, accepted)
        per_plain, per_quota = plain_cpu / plain * 1000, quota_cpu / answered * 1000
        print(
            f"  server CPU per submit (gunicorn + PostgreSQL): {per_plain:.1f} ms plain "
            f"(at most {cores * 1000 / per_plain:.0f} submits/s on {cores} idle cores), "
            f"{per_quota:.1f} ms per quota-checked request ({accepted} accepted and "
            f"{answered - accepted} refused)"
        )
    print(
        f"  reserved {reserved} CU of a {room} CU team quota: overspend {overspend} CU   "
        f"goal: 0   {'met' if overspend == 0 else 'NOT MET'}"
    )
    print(f"  (dropped {dropped} queued dispatch tasks)")


if __name__ == "__main__":
    main()

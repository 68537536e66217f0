"""Shared start-up of the benchmark scripts: Django on benchmarks.settings, a fresh database,
and the servers they start (a free port, waiting until one answers)."""

import os
import socket
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def django_setup(default_db: str) -> None:
    """Configure Django for a benchmark run (``DATABASE_URL`` wins over ``default_db``)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    os.environ.setdefault("DATABASE_URL", default_db)
    # As in production: persistent database connections.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def demo_team(token: str = "bench-token"):
    """A team with an owner and a Krea token, created once per database."""
    from django.contrib.auth import get_user_model

    from studio.teams.models import Membership
    from studio.teams.services import team_create
    from studio.teams.tokens import team_token_set

    user, _ = get_user_model().objects.get_or_create(email="bench@example.com")
    membership = Membership.objects.filter(user=user).select_related("team").first()
    if membership is None:
        team = team_create(user=user, name="Benchmark team")
        membership = Membership.objects.get(user=user, team=team)
    if not membership.team.has_krea_token:
        team_token_set(by=membership, token=token)
        membership.team.refresh_from_db()
    return membership


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command(port: int, workers: int = 1, *options: str) -> list[str]:
    """The portal under gunicorn, as in production, on ``port`` (its log: warnings only)."""
    return [
        *(sys.executable, "-m", "gunicorn", "studio.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"),
        *options,
    ]


def wait_for(url: str, seconds: float = 240) -> None:
    """Return once ``url`` answers at all; stop the benchmark if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")

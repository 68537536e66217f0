"""Time to pixels: from Krea marking a job completed to its image on the member's open page.

Starts the portal as `make run` does (the simulator, the web server, a Celery worker and
beat, webhooks on: ``PUBLIC_BASE_URL`` is the web server), logs a member in with Chromium,
then runs image jobs one after another against the simulator on a real clock, the
member's page of each job open from before it starts. For each job it takes

- when Krea marked it completed: the simulator's own record (``completed_at`` of
  ``GET /jobs/{id}``, from its clock, which follows the system time);
- when the page showed the image: the ``load`` event of the first result image in the
  job's card (decoded, ``naturalWidth > 0``), stamped with ``Date.now()`` in the page.

Both are wall-clock times of this machine, so their difference is the delay a member
sees. It prints the median and p95 beside issue 15's goals (median <= 1 s, p95 <= 2 s).

The embedded default (SQLite, the file-system broker, the file cache, runserver):

    .venv/bin/python benchmarks/time_to_pixels.py [--jobs 20] [--port 8610]

PostgreSQL and Redis (broker and cache), the web server under gunicorn as in production:

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://... CACHE_URL=redis://... \\
        .venv/bin/python benchmarks/time_to_pixels.py --stack production

Ports: the simulator on ``--port`` and the web server on the next one (any free ones by
default).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
from _setup import ROOT, free_port, gunicorn_command, wait_for

GOAL_MEDIAN = 1.0
GOAL_P95 = 2.0
TOKEN = "pixels-token"
PASSWORD = "pixels-bench-password"
MODEL = "image/bfl/flux-1-dev"

# The moment the first result image of the job's card has loaded (decoded: naturalWidth > 0),
# in the page's own wall clock. Installed before any page script; the CSP does not apply to it.
STAMP_SCRIPT = """
document.addEventListener("load", function (event) {
  var img = event.target;
  if (window.__pixelsAt || img.tagName !== "IMG" || !img.naturalWidth) return;
  if (!img.closest(".job-card .outputs")) return;
  window.__pixelsAt = Date.now();
  window.__pixelsSrc = img.currentSrc;
}, true);
"""


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_member():
    from django.contrib.auth import get_user_model

    from studio.teams.models import Membership
    from studio.teams.services import team_create
    from studio.teams.tokens import team_token_set

    user, _ = get_user_model().objects.get_or_create(email="pixels@example.com")
    user.set_password(PASSWORD)
    user.save()
    membership = Membership.objects.filter(user=user).select_related("team").first()
    if membership is None:
        team_create(user=user, name="Time to pixels")
        membership = Membership.objects.select_related("team").get(user=user)
    if not membership.team.has_krea_token:
        team_token_set(by=membership, token=TOKEN)
    return membership


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--job-seconds", type=float, default=2.0)
    parser.add_argument(
        "--stack",
        choices=["embedded", "production"],
        default=os.environ.get("PIXELS_STACK", "embedded"),
        help="embedded: SQLite, file broker and cache, runserver (make run); production: "
        "DATABASE_URL, CELERY_BROKER_URL and CACHE_URL from the environment, gunicorn",
    )
    parser.add_argument("--port", type=int, default=0, help="simulator's port, web's is +1")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="time-to-pixels-"))
    if args.stack == "embedded":
        os.environ["DATABASE_URL"] = f"sqlite:///{work}/studio.sqlite3"
        os.environ["CELERY_BROKER_URL"] = "filesystem://"
        os.environ["CACHE_URL"] = f"filecache://{work}/cache"
    else:
        missing = [
            name
            for name, prefix in (
                ("DATABASE_URL", "postgres"),
                ("CELERY_BROKER_URL", "redis"),
                ("CACHE_URL", "redis"),
            )
            if not os.environ.get(name, "").startswith(prefix)
        ]
        if missing:
            raise SystemExit(f"--stack production needs {', '.join(missing)} (PostgreSQL, Redis)")
    sim_port = args.port or free_port()
    web_port = args.port + 1 if args.port else free_port()
    krea = f"http://127.0.0.1:{sim_port}"
    web = f"http://127.0.0.1:{web_port}"
    os.environ.update(
        {"KREA_API_BASE_URL": krea, "PUBLIC_BASE_URL": web, "MEDIA_ROOT": str(work / "media")}
    )
    # As `make run`: the portal's own settings (DEBUG, whitenoise serves the static files).
    os.environ["DJANGO_SETTINGS_MODULE"] = "studio.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from studio.celery import app as celery_app
    from studio.generation import services
    from studio.generation.models import TERMINAL

    celery_app.control.purge()
    membership = bench_member()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    python = sys.executable
    if args.stack == "embedded":
        web_command = [python, "manage.py", "runserver", f"127.0.0.1:{web_port}", "--noreload"]
    else:
        web_command = gunicorn_command(web_port, args.web_workers)
    celery = [python, "-m", "celery", "-A", "studio"]
    processes = [
        start(
            [
                *(python, "-m", "krea_integration.simulator", "--port", str(sim_port)),
                *("--tokens", TOKEN, "--job-seconds", f"image={args.job_seconds:g}"),
                *("--credits", "100000000"),
            ],
            env,
            work / "simulator.log",
        ),
        start(web_command, env, work / "web.log"),
        # As Procfile.dev.
        start(
            [
                *celery,
                *("worker", "--concurrency=2", "--loglevel=WARNING"),
                *("--without-heartbeat", "--without-mingle", "--without-gossip"),
            ],
            env,
            work / "worker.log",
        ),
        start(
            [*celery, "beat", "--loglevel=WARNING", "-s", str(work / "celerybeat-schedule")],
            env,
            work / "beat.log",
        ),
    ]
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls here are
    # still plain sequential ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    delays: list[float] = []
    try:
        wait_for(f"{krea}/_simulator")
        wait_for(f"{web}/healthz")
        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        broker = settings.CELERY_BROKER_URL.split("://")[0]
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(
            f"Time to pixels ({args.stack}: {db}, broker {broker}, cache {cache}, "
            f"{'runserver' if args.stack == 'embedded' else f'gunicorn x{args.web_workers}'}"
            f"): {args.jobs} image jobs of {args.job_seconds:g} s, one at a time, "
            "each on the member's open job page"
        )
        krea_http = httpx.Client(
            base_url=krea, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        )
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
            )
            context = browser.new_context(base_url=web, viewport={"width": 1440, "height": 900})
            context.add_init_script(STAMP_SCRIPT)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Email address").fill(membership.user.email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            # Warm-up jobs first, not counted: the first requests of the Celery worker and
            # of each web process (templates compiled, connections opened) are one-off
            # costs no member meets twice. One, and one more per gunicorn process, as
            # gunicorn hands each request to whichever of its processes is free.
            warm_up = (args.web_workers if args.stack == "production" else 0) + 1
            for n in range(args.jobs + warm_up):
                job = services.generation_submit(
                    membership=membership, model_id=MODEL, params={"prompt": f"pixels {n}"}
                )
                page.goto(f"/jobs/{job.uuid}/")
                deadline = time.monotonic() + args.job_seconds + 60
                while not page.evaluate("window.__pixelsAt || 0"):
                    if time.monotonic() > deadline:
                        job.refresh_from_db()
                        raise SystemExit(f"job {n} never showed its image ({job.status})")
                    time.sleep(0.1)
                shown_at = page.evaluate("window.__pixelsAt") / 1000
                job.refresh_from_db()
                krea_job = krea_http.get(f"/jobs/{job.krea_job_id}").raise_for_status().json()
                completed_at = datetime.fromisoformat(krea_job["completed_at"]).timestamp()
                if n >= warm_up:
                    delays.append(shown_at - completed_at)
                    src = page.evaluate("window.__pixelsSrc")
                    where = "Krea's URL" if src.startswith(krea) else "the portal's copy"
                    delay = shown_at - completed_at
                    print(f"  job {n - warm_up + 1:>2}: {delay:6.3f} s  (from {where})")
                # Its files are in before the next one starts.
                while not job.outputs.exists() and not (job.status in TERMINAL and job.error):
                    time.sleep(0.1)
                    job.refresh_from_db()
            browser.close()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        celery_app.control.purge()
    median, p95 = statistics.median(delays), percentile(delays, 0.95)
    print(
        f"  median {median:.3f} s   goal <= {GOAL_MEDIAN:g} s   "
        f"{'met' if median <= GOAL_MEDIAN else 'NOT MET'}"
    )
    print(
        f"  p95    {p95:.3f} s   goal <= {GOAL_P95:g} s   {'met' if p95 <= GOAL_P95 else 'NOT MET'}"
    )
    print(f"  (min {min(delays):.3f} s, max {max(delays):.3f} s; logs in {work})")


if __name__ == "__main__":
    main()

"""Memory of the web process during one 75 MB asset upload, beside its idle memory.

A running portal (gunicorn, one sync worker) and the Krea simulator (over HTTP) are
started; a member logs in and uploads one 75 MB file through the Upload page's own
view, as the upload widget does. The worker's resident memory is sampled every few
milliseconds; the figure is its peak growth over the idle size measured just before.
The portal should keep the file on disk and stream it to Krea, never hold it whole:
the goal is at most 32 MB of growth.

    .venv/bin/python benchmarks/upload.py [--megabytes 75]
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from _setup import ROOT, demo_team, django_setup, free_port, gunicorn_command, wait_for

GOAL_MB = 32.0
PASSWORD = "bench-upload-password"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def big_png(path: Path, size: int) -> None:
    """A real PNG (what the portal checks by content), padded to ``size`` bytes."""
    from PIL import Image

    header = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 120, 40)).save(header, "PNG")
    with path.open("wb") as out:
        out.write(header.getvalue())
        out.truncate(size)


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = rss_mb(pid)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.005):
            self.peak = max(self.peak, rss_mb(self.pid))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=75.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="krea-studio-bench-upload-"))
    database = f"sqlite:///{workdir / 'db.sqlite3'}"
    django_setup(database)

    from krea_integration.client import MAX_ASSET_BYTES

    membership = demo_team()
    membership.user.set_password(PASSWORD)
    membership.user.save()
    size = min(int(args.megabytes * 1024 * 1024), MAX_ASSET_BYTES)
    upload = workdir / "upload.png"
    big_png(upload, size)

    krea_port, port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database,
        "KREA_API_BASE_URL": f"http://127.0.0.1:{krea_port}",
        "MEDIA_ROOT": str(workdir / "media"),
        "KREA_TIMEOUT_SECONDS": "120",
    }
    simulator = subprocess.Popen(
        # The simulator answers only the tokens it is told of: the bench team's.
        [
            sys.executable,
            "-m",
            "krea_integration.simulator",
            "--port",
            str(krea_port),
            "--tokens",
            "bench-token",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        gunicorn_command(port, 1, "--timeout", "300"),
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        wait_for(f"http://127.0.0.1:{krea_port}/_simulator")
        pid = worker_pid(server.pid)
        with httpx.Client(base_url=base, timeout=300) as client:
            client.get("/accounts/login/")
            client.post(
                "/accounts/login/",
                data={
                    "username": membership.user.email,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": client.cookies["csrftoken"],
                },
            )
            headers = {"X-CSRFToken": client.cookies["csrftoken"], "X-Upload-Row": "1"}
            # Warm up: the upload view, its templates and a small upload, as on a live server.
            small = io.BytesIO(upload.read_bytes()[:4096])
            client.post("/assets/upload/", files={"file": ("warm.png", small)}, headers=headers)
            time.sleep(0.5)
            idle = rss_mb(pid)
            sampler = Sampler(pid)
            sampler.start()
            started = time.monotonic()
            with upload.open("rb") as file:
                response = client.post(
                    "/assets/upload/",
                    files={"file": ("big.png", file, "image/png")},
                    headers={**headers, "X-File-Name": "big.png"},
                )
            seconds = time.monotonic() - started
            time.sleep(0.2)
            sampler.stop.set()
            sampler.join()
        if response.status_code != 201:
            raise SystemExit(f"The upload failed: HTTP {response.status_code}\n{response.text}")
        growth = sampler.peak - idle
        verdict = "within the goal" if growth <= GOAL_MB else "OVER the goal"
        print(
            f"Upload of {size / 1024 / 1024:.1f} MB through /assets/upload/ "
            f"(gunicorn, 1 sync worker; Krea simulator over HTTP) in {seconds:.1f} s"
        )
        print(f"  web worker RSS idle   {idle:8.1f} MB")
        print(f"  web worker RSS peak   {sampler.peak:8.1f} MB")
        print(f"  growth                {growth:8.1f} MB   (goal <= {GOAL_MB:.0f} MB: {verdict})")
    finally:
        for process in (server, simulator):
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()

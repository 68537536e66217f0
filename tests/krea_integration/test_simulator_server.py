"""The simulator as a server: ``python -m krea_integration.simulator`` on a free port."""

import io
import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from PIL import Image
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from krea_integration.client import KreaClient
from krea_integration.simulator.__main__ import build_parser

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30


@pytest.fixture
def server(tmp_path):
    """A simulator server in a subprocess on a free port; yields its base URL.

    Its log is in ``tmp_path / "simulator.log"``. Tests using it are marked ``slow``: a
    process to start takes seconds on a loaded machine, so they run first, beside the
    other long tests, rather than alone at the end.
    """
    log = (tmp_path / "simulator.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "krea_integration.simulator",
            "--port",
            "0",
            "--job-seconds",
            "image=0.6,video=1",
            "--tick-seconds",
            "0.05",
            "--tokens",
            "demo-token,t1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        url = _read_url(process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _read_url(process):
    found = []
    reader = threading.Thread(target=lambda: found.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(STARTUP_SECONDS)
    if not found or "listening on" not in found[0]:
        raise AssertionError(f"the simulator did not start: {found!r}")
    return found[0].split("listening on ")[1].split()[0]


def _poll(client, job_id, deadline_seconds=15):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        job = client.get_job(job_id)
        if job.is_terminal:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {deadline_seconds}s")


@pytest.fixture
def receiver():
    """A real HTTP server that records webhook POSTs."""
    received = []

    @Request.application
    def app(request):
        received.append(json.loads(request.get_data()))
        return Response("ok")

    http_server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http_server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http_server.server_port}/hook", received
    finally:
        http_server.shutdown()


@pytest.mark.slow
def test_generate_poll_download_session(server, receiver):
    hook_url, received = receiver
    with KreaClient("demo-token", base_url=server, timeout=10) as client:
        job = client.generate(
            "image/bfl/flux-1-dev",
            {"prompt": "a lighthouse at dusk", "width": 640, "height": 512},
            webhook_url=hook_url,
        )
        done = _poll(client, job.job_id)
        assert done.status == "completed"
        [url] = done.result.urls
        assert url.startswith(server + "/files/")
        image = Image.open(io.BytesIO(httpx.get(url, timeout=10).content))
        assert image.size == (640, 512)

    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [payload["job_id"] for payload in received] == [job.job_id]


@pytest.mark.slow
def test_the_simulators_log_never_shows_a_webhook_secret(server, receiver, tmp_path):
    hook_url, received = receiver
    secret = "Zq8-never-in-a-log"
    with KreaClient("demo-token", base_url=server, timeout=10) as client:
        job = client.generate(
            "image/bfl/flux-1-dev",
            {"prompt": "a lighthouse"},
            webhook_url=f"{hook_url}/api/webhooks/krea/{uuid.uuid4()}/{secret}/",
        )
        _poll(client, job.job_id)
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert received
    log = (tmp_path / "simulator.log").read_text()
    assert "POST /generate/image/bfl/flux-1-dev" in log  # the log is there
    assert secret not in log


@pytest.mark.slow
def test_network_faults_on_a_real_socket(server):
    http = httpx.Client(base_url=server, headers={"Authorization": "Bearer t1"}, timeout=5)
    body = {"prompt": "faults"}
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(
            "/generate/image/bfl/flux-1-dev",
            json=body,
            headers={"X-Simulator-Fault": "lost-response=drop"},
        )
    with pytest.raises(httpx.ReadTimeout):
        http.post(
            "/generate/image/bfl/flux-1-dev",
            json=body,
            headers={"X-Simulator-Fault": "timeout=2"},
            timeout=0.3,
        )
    assert len(http.get("/jobs").json()["items"]) == 1  # the lost response's job
    control = http.get("/_simulator/requests").json()["items"]
    assert [r["fault"] for r in control[:2]] == ["lost-response=drop", "timeout=2"]


@pytest.mark.slow
def test_control_api_over_http(server):
    http = httpx.Client(base_url=server, timeout=5)
    assert http.get("/_simulator").json()["manual_clock"] is False
    http.post("/_simulator/accounts", json={"token": "t2", "credits": 0})
    response = http.post(
        "/generate/image/bfl/flux-1-dev",
        json={"prompt": "no credits"},
        headers={"Authorization": "Bearer t2"},
    )
    assert response.status_code == 402


def test_cli_parses_job_seconds():
    parser = build_parser()
    assert parser.parse_args(["--job-seconds", "3"]).job_seconds == 3.0
    assert parser.parse_args(["--job-seconds", "image=2,video=9"]).job_seconds == {
        "image": 2.0,
        "video": 9.0,
    }
    with pytest.raises(SystemExit):
        parser.parse_args(["--job-seconds", "sculpture=2"])


def test_make_run_registers_the_demo_token_with_the_simulator(tmp_path, settings, monkeypatch, db):
    from django.core.management import call_command

    settings.DEMO_KREA_TOKEN = "demo-token-from-settings"
    path = tmp_path / "var" / "krea-simulator-tokens"
    call_command("seed_demo", simulator_tokens_file=str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("KREA_SIMULATOR_TOKENS_FILE", str(path))  # as bin/run exports it
    args = build_parser().parse_args(["--tokens", "extra"])
    assert [*args.tokens, *args.tokens_file] == ["extra", "demo-token-from-settings"]


def test_cli_takes_input_origins():
    args = build_parser().parse_args(
        ["--input-origins", "http://127.0.0.1:8000/media/, https://x/"]
    )
    assert args.input_origins == ["http://127.0.0.1:8000/media/", "https://x/"]

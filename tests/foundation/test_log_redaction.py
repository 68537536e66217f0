"""Webhook secrets are in URL paths; no log the project configures shows them."""

import io
import json
import logging
import re
import shlex
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[2]
JOB = str(uuid4())
SECRET = "VzSnwAly71oTiSdjxJSazUC3vsl4t5cEArUrKpaMRDA"
PATH = f"/api/webhooks/krea/{JOB}/{SECRET}/"


@pytest.fixture
def django_log():
    """What the handlers of Django's configured logging write, while the test runs."""
    buffer = io.StringIO()
    handlers = {
        h for name in ("", "django", "django.server") for h in logging.getLogger(name).handlers
    }
    streams = [h for h in handlers if isinstance(h, logging.StreamHandler)]
    previous = [(h, h.setStream(buffer)) for h in streams]
    yield buffer
    for handler, stream in previous:
        if stream is not None:
            handler.setStream(stream)


def assert_redacted(text: str) -> None:
    assert f"/api/webhooks/krea/{JOB}/[redacted]/" in text  # the job stays, for debugging
    assert SECRET not in text


def test_runservers_request_log_hides_the_secret(django_log):
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)  # no socket: only its log line
    handler.request, handler.client_address = None, ("127.0.0.1", 50000)
    handler.requestline = f"POST {PATH} HTTP/1.1"
    handler.log_request(202, 17)
    assert_redacted(django_log.getvalue())
    assert '" 202 17' in django_log.getvalue()


@pytest.mark.django_db
def test_djangos_4xx_warnings_hide_the_secret(client, django_log):
    assert client.post(PATH, {}, content_type="application/json").status_code == 404
    assert "Not Found" in django_log.getvalue()
    assert_redacted(django_log.getvalue())


def dockerfile_gunicorn() -> Config:
    """gunicorn's configuration from the Dockerfile's command line, parsed by gunicorn."""
    cmd = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    shell_line = json.loads(cmd.removeprefix("CMD "))[-1]
    argv = shlex.split(re.sub(r"\$\{[^}]+\}", "1", shell_line))
    assert argv[:2] == ["exec", "gunicorn"]
    config = Config()
    for name, value in vars(config.parser().parse_args(argv[2:])).items():
        if value is not None and name != "args":
            config.set(name.lower(), value)
    return config


def test_gunicorns_access_and_error_logs_hide_the_secret(capsys):
    config = dockerfile_gunicorn()
    assert config.accesslog == "-"
    log = config.logger_class(config)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": PATH,
        "PATH_INFO": PATH,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
    }
    response = SimpleNamespace(status="202 Accepted", sent=17, headers=[])
    log.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    log.exception("Error handling request %s %s", "POST", PATH)
    out = capsys.readouterr()
    assert f'"POST /api/webhooks/krea/{JOB}/[redacted]/ HTTP/1.1" 202 17' in out.out
    assert_redacted(out.out)
    assert_redacted(out.err)

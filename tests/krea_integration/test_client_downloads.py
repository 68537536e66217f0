"""Downloading a job's result files: allowed hosts and ports only, no token, retries, a cap.

The file server is played by ``httpx.MockTransport`` handlers that record every request.
"""

from __future__ import annotations

import httpx
import pytest

from krea_integration.client import USER_AGENT, KreaDownloader, download_allowed
from krea_integration.errors import DownloadRefused, ServerError

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
API = "https://api.krea.ai"


def downloader(handler, **kwargs) -> KreaDownloader:
    kwargs.setdefault("hosts", [".krea.ai", "cdn.example.net"])
    return KreaDownloader(
        base_url=API, transport=httpx.MockTransport(handler), sleep=lambda s: None, **kwargs
    )


def serving(requests: list[httpx.Request], *answers: httpx.Response):
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


def png() -> httpx.Response:
    return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.krea.ai/files/1.png", True),
        ("https://gen.krea.ai/out/1.png", True),
        ("https://krea.ai/out/1.png", True),
        ("https://cdn.example.net/1.png", True),
        ("https://cdn.example.net:443/1.png", True),
        ("http://cdn.example.net/1.png", True),
        # Another port on an allowed machine is another service: refused.
        ("https://cdn.example.net:8443/1.png", False),
        ("http://gen.krea.ai:6379/", False),
        ("https://api.krea.ai:444/files/1.png", False),
        ("https://evil-krea.ai/1.png", False),
        ("https://cdn.example.net.evil.com/1.png", False),
        ("http://169.254.169.254/latest/meta-data", False),
        ("file:///etc/passwd", False),
        ("https://cdn.example.net:notaport/1.png", False),
    ],
)
def test_only_allowed_hosts_on_their_ports_are_fetched(url, allowed):
    assert download_allowed(url, base_url=API, hosts=[".krea.ai", "cdn.example.net"]) is allowed


def test_an_entry_with_a_port_allows_that_port_only():
    hosts = ["files.internal:9000"]
    assert download_allowed("http://files.internal:9000/a.png", base_url=API, hosts=hosts)
    assert not download_allowed("http://files.internal/a.png", base_url=API, hosts=hosts)
    # Krea's API host keeps its own port (the simulator's, in the demo).
    local = "http://127.0.0.1:8001"
    assert download_allowed("http://127.0.0.1:8001/outputs/1.png", base_url=local)
    assert not download_allowed("http://127.0.0.1:8002/outputs/1.png", base_url=local)


def test_a_file_is_fetched_without_the_token_with_the_user_agent():
    requests: list[httpx.Request] = []
    with downloader(serving(requests, png())) as files:
        got = files.download("https://cdn.example.net/1.png", max_bytes=1000)
    assert got.content.read() == PNG
    assert (got.content_type, got.size) == ("image/png", len(PNG))
    [request] = requests
    assert request.headers["user-agent"] == USER_AGENT
    assert "authorization" not in request.headers


def test_a_refused_url_is_never_requested():
    requests: list[httpx.Request] = []
    with downloader(serving(requests, png())) as files, pytest.raises(DownloadRefused) as refused:
        files.download("https://cdn.example.net:8443/1.png", max_bytes=1000)
    assert requests == []
    assert "not an allowed download host" in str(refused.value)


def test_a_server_error_is_retried_then_succeeds():
    requests: list[httpx.Request] = []
    handler = serving(requests, httpx.Response(503), httpx.Response(502), png())
    with downloader(handler) as files:
        assert files.download("https://gen.krea.ai/1.png", max_bytes=1000).size == len(PNG)
    assert len(requests) == 3


def test_a_server_error_after_the_last_try_is_raised():
    requests: list[httpx.Request] = []
    with (
        downloader(serving(requests, httpx.Response(503)), max_attempts=2) as files,
        pytest.raises(ServerError),
    ):
        files.download("https://gen.krea.ai/1.png", max_bytes=1000)
    assert len(requests) == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(404), "HTTP 404"),
        (httpx.Response(302, headers={"location": "http://127.0.0.1/"}), "HTTP 302"),
        (httpx.Response(200, content=b"<html>", headers={"content-type": "text/html"}), "type"),
        (
            httpx.Response(200, content=PNG * 20, headers={"content-type": "image/png"}),
            "cap",
        ),
    ],
)
def test_what_the_portal_will_not_keep_is_refused_once(answer, message):
    requests: list[httpx.Request] = []
    with downloader(serving(requests, answer)) as files, pytest.raises(DownloadRefused) as refused:
        files.download("https://gen.krea.ai/1.png", max_bytes=1000)
    assert message in str(refused.value)
    assert len(requests) == 1

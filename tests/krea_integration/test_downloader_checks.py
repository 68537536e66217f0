"""The downloader's other uses: is a Krea file still there, and files of any type (assets)."""

from __future__ import annotations

import httpx
import pytest

from krea_integration.client import USER_AGENT
from krea_integration.errors import DownloadRefused
from tests.krea_integration.test_client_downloads import downloader, serving

GLB = b"glTF" + b"\0" * 60


def test_a_file_that_answers_a_head_is_available_and_no_token_is_sent():
    requests: list[httpx.Request] = []
    with downloader(serving(requests, httpx.Response(200))) as files:
        assert files.available("https://gen.krea.ai/out/1.png")
    [request] = requests
    assert request.method == "HEAD"
    assert request.headers["user-agent"] == USER_AGENT
    assert "authorization" not in request.headers


@pytest.mark.parametrize("answer", [httpx.Response(404), httpx.Response(302), httpx.Response(503)])
def test_an_expired_or_moved_file_is_not_available_after_one_ask(answer):
    requests: list[httpx.Request] = []
    with downloader(serving(requests, answer)) as files:
        assert not files.available("https://gen.krea.ai/out/1.png")
    assert len(requests) == 1


def test_an_unreachable_file_is_not_available():
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    with downloader(handler) as files:
        assert not files.available("https://gen.krea.ai/out/1.png")


def test_a_file_off_the_allowed_hosts_is_not_available_and_never_asked():
    requests: list[httpx.Request] = []
    with downloader(serving(requests, httpx.Response(200))) as files:
        assert not files.available("http://169.254.169.254/latest/meta-data")
    assert requests == []


def test_any_content_type_is_taken_when_asked_and_the_cap_still_holds():
    answer = httpx.Response(200, content=GLB, headers={"content-type": "model/gltf-binary"})
    requests: list[httpx.Request] = []
    with downloader(serving(requests, answer)) as files:
        got = files.download("https://gen.krea.ai/a.glb", max_bytes=1000, content_types=None)
        assert (got.content.read(), got.content_type) == (GLB, "model/gltf-binary")
        with pytest.raises(DownloadRefused, match="unexpected content type"):
            files.download("https://gen.krea.ai/a.glb", max_bytes=1000)
        with pytest.raises(DownloadRefused, match="cap"):
            files.download("https://gen.krea.ai/a.glb", max_bytes=10, content_types=None)

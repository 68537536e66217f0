"""The Krea client: what Krea receives, what callers get back, and when it retries.

Krea is played by ``httpx.MockTransport`` handlers that record every request,
so each test can assert the exact method, path, query, headers and body.
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import httpx
import pytest

from krea_integration.client import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_ASSET_BYTES,
    USER_AGENT,
    KreaClient,
    generation_path,
)
from krea_integration.errors import (
    AssetTooLarge,
    BadRequest,
    ConcurrencyLimit,
    Forbidden,
    InsufficientCredits,
    InvalidResponse,
    KreaConnectionError,
    KreaError,
    KreaTimeout,
    NotFound,
    ServerError,
    Unauthorized,
)
from krea_integration.types import (
    Asset,
    Job,
    JobResult,
    JobStatus,
    ShareLink,
    StyleOwner,
    Workspace,
)

TOKEN = "krea-secret-token-1234"
JOB_ID = "4d0e5f97-9721-4422-b88c-73a9032d7de1"
STYLE_ID = "a816d79d-55c9-43ee-81c3-8330ffe79e6c"
ASSET_ID = "0b7c0f4e-2f5c-4f36-9f7a-3b1c2b9f6a10"


def job_body(job_id: str = JOB_ID, status: str = "queued", **extra: Any) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "status": status,
        "created_at": "2026-08-01T12:00:00.000Z",
        "completed_at": None,
        "result": None,
        **extra,
    }


ASSET_BODY = {
    "id": ASSET_ID,
    "image_url": "https://gen.krea.ai/assets/cat.png",
    "uploaded_at": "2026-08-01T12:00:00Z",
    "width": 1024.0,
    "height": 768,
    "size_bytes": 123456,
    "mime_type": "image/png",
    "description": "a cat",
    "metadata": {"source": "upload"},
}

STYLE_BODY = {
    "id": STYLE_ID,
    "title": "Watercolour",
    "urls": ["https://gen.krea.ai/styles/1.png"],
    "public": False,
    "cover_url": None,
    "prompt": "in watercolour",
    "models": ["flux_dev"],
    "owner": {"id": "9b2e3f9a-5a5e-4a8e-8b43-1f7c2d3e4f50", "name": "Ada", "avatar_url": None},
    "like_count": 3,
    "created_at": "2026-08-01T12:00:00Z",
}

NODE_APP_BODY = {
    "id": "app-v3",
    "author_id": "user-1",
    "workspace_id": "ws-1",
    "name": "Product shot",
    "slug": "product-shot",
    "description": "Puts a product on a table",
    "scope": "workspace",
    "created_at": "2026-07-01T00:00:00Z",
    "updated_at": "2026-07-02T00:00:00Z",
    "last_version_id": "app-v3",
    "version": 3,
    "version_created_at": None,
    "username": "ada",
    "example_outputs": ["https://gen.krea.ai/example.png"],
    "input_openapi_schema": {
        "type": "object",
        "properties": {"product": {"type": "string", "format": "uri"}},
        "required": ["product"],
    },
    "output_openapi_schema": {"type": "object", "properties": {"image": {"type": "string"}}},
    "input_key_mapping": {"product": "node1-image"},
    "output_key_mapping": {"node9-image": "image"},
}


class FakeKrea:
    """A Krea that answers from a script and remembers every request it received.

    Each answer is an ``httpx.Response``, an exception to raise (a timeout), or a
    function of the request; the last answer repeats once the script runs out.
    """

    def __init__(self, *answers: httpx.Response | Exception | Callable[..., httpx.Response]):
        self.answers = list(answers) or [httpx.Response(200, json={})]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    @property
    def request(self) -> httpx.Request:
        assert len(self.requests) == 1, f"expected one request, got {len(self.requests)}"
        return self.requests[0]


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def connect(sleeps: SleepRecorder) -> Iterator[Callable[..., KreaClient]]:
    """Make a client talking to a FakeKrea (or any handler), never really sleeping."""
    clients: list[KreaClient] = []

    def make(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> KreaClient:
        kwargs.setdefault("sleep", sleeps)
        client = KreaClient(TOKEN, transport=httpx.MockTransport(handler), **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def body_of(request: httpx.Request) -> Any:
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


# -- construction -------------------------------------------------------------------


class TestConstruction:
    @pytest.mark.parametrize("token", ["", "   "])
    def test_refuses_an_empty_token(self, token):
        with pytest.raises(ValueError, match="token"):
            KreaClient(token)

    def test_refuses_a_token_with_a_newline(self):
        with pytest.raises(ValueError, match="whitespace"):
            KreaClient("abc\nX-Evil: 1")

    @pytest.mark.parametrize("base_url", ["ftp://api.krea.ai", "api.krea.ai", ""])
    def test_refuses_a_base_url_that_is_not_http(self, base_url):
        with pytest.raises(ValueError, match="base URL"):
            KreaClient(TOKEN, base_url=base_url)

    def test_refuses_zero_attempts(self):
        with pytest.raises(ValueError, match="max_attempts"):
            KreaClient(TOKEN, max_attempts=0)

    def test_talks_to_api_krea_ai_by_default(self):
        assert DEFAULT_BASE_URL == "https://api.krea.ai"
        with KreaClient(TOKEN) as client:
            assert client.base_url == "https://api.krea.ai"

    @pytest.mark.parametrize(
        ("base_url", "expected"),
        [
            ("https://krea.test", "https://krea.test/jobs/j1"),
            ("https://krea.test/", "https://krea.test/jobs/j1"),
            ("http://localhost:8001/krea", "http://localhost:8001/krea/jobs/j1"),
            ("http://localhost:8001/krea/", "http://localhost:8001/krea/jobs/j1"),
        ],
    )
    def test_base_url_works_with_or_without_trailing_slash(self, connect, base_url, expected):
        krea = FakeKrea(httpx.Response(200, json=job_body("j1")))
        connect(krea, base_url=base_url).get_job("j1")
        assert str(krea.request.url) == expected

    def test_repr_never_shows_the_token(self, connect):
        client = connect(FakeKrea())
        assert TOKEN not in repr(client)
        assert TOKEN not in str(client)
        assert "api.krea.ai" in repr(client)

    def test_context_manager_closes_the_client(self):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        with KreaClient(TOKEN, transport=httpx.MockTransport(krea)) as client:
            client.get_job(JOB_ID)
        with pytest.raises(RuntimeError):
            client.get_job(JOB_ID)

    def test_every_request_carries_the_token_user_agent_and_accept(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        connect(krea).get_job(JOB_ID)
        headers = krea.request.headers
        assert headers["authorization"] == f"Bearer {TOKEN}"
        assert headers["user-agent"] == USER_AGENT
        assert USER_AGENT.startswith("krea-studio/")
        assert headers["accept"] == "application/json"

    def test_each_client_sends_its_own_teams_token(self):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        transport = httpx.MockTransport(krea)
        with (
            KreaClient("team-a-token", transport=transport) as team_a,
            KreaClient("team-b-token", transport=transport) as team_b,
        ):
            team_a.get_job(JOB_ID)
            team_b.get_job(JOB_ID)
        sent = [request.headers["authorization"] for request in krea.requests]
        assert sent == ["Bearer team-a-token", "Bearer team-b-token"]

    def test_timeout_defaults_to_the_module_constant(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        connect(krea).get_job(JOB_ID)
        assert krea.request.extensions["timeout"] == dict.fromkeys(
            ("connect", "read", "write", "pool"), DEFAULT_TIMEOUT_SECONDS
        )

    def test_timeout_given_to_the_constructor_applies_to_every_request(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        connect(krea, timeout=7.5).get_job(JOB_ID)
        assert krea.request.extensions["timeout"] == dict.fromkeys(
            ("connect", "read", "write", "pool"), 7.5
        )

    def test_does_not_follow_redirects_with_the_token(self, connect):
        krea = FakeKrea(
            httpx.Response(302, headers={"Location": "https://elsewhere.test/"}, text="")
        )
        with pytest.raises(KreaError) as caught:
            connect(krea).get_job(JOB_ID)
        assert caught.value.status_code == 302
        assert len(krea.requests) == 1


# -- generation ---------------------------------------------------------------------


class TestGenerate:
    def test_posts_params_to_the_models_path_and_returns_the_job(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body(status="queued")))
        job = connect(krea).generate("image/bfl/flux-1-dev", {"prompt": "a cat", "steps": 30})

        request = krea.request
        assert request.method == "POST"
        assert request.url.path == "/generate/image/bfl/flux-1-dev"
        assert body_of(request) == {"prompt": "a cat", "steps": 30}
        assert "x-webhook-url" not in request.headers
        assert job == Job(
            job_id=JOB_ID,
            status="queued",
            created_at=datetime(2026, 8, 1, 12, 0, tzinfo=UTC),
            completed_at=None,
            result=None,
            raw=job_body(),
        )
        assert job.raw == job_body()
        assert not job.is_terminal

    def test_sends_the_webhook_url_header(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        hook = "https://studio.example/api/webhooks/krea/1b2c/s3cr3t/"
        connect(krea).generate("video/kling/kling-2.1", {"prompt": "x"}, webhook_url=hook)
        assert krea.request.headers["x-webhook-url"] == hook

    @pytest.mark.parametrize(
        "model",
        [
            "image/bfl/flux-1-dev",
            "/generate/image/bfl/flux-1-dev",
            "generate/image/bfl/flux-1-dev",
            "/generate/image/bfl/flux-1-dev/",
        ],
    )
    def test_takes_a_model_id_or_its_path(self, connect, model):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        connect(krea).generate(model, {"prompt": "x"})
        assert krea.request.url.path == "/generate/image/bfl/flux-1-dev"

    def test_a_model_the_catalogue_has_never_seen_still_works(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        connect(krea).generate("image/krea/krea-2/medium", {"prompt": "x"})
        assert krea.request.url.path == "/generate/image/krea/krea-2/medium"

    @pytest.mark.parametrize(
        "model",
        ["", "/", "flux", "/generate/", "image/../jobs", "image/bfl/x?y=1", "image/bfl/a b"],
    )
    def test_refuses_what_is_not_a_model_id_without_sending(self, connect, model):
        krea = FakeKrea()
        with pytest.raises(ValueError, match="model id"):
            connect(krea).generate(model, {"prompt": "x"})
        assert krea.requests == []

    def test_generation_path(self):
        assert generation_path("enhance/topaz/standard-enhance") == (
            "/generate/enhance/topaz/standard-enhance"
        )


# -- jobs ---------------------------------------------------------------------------


class TestJobs:
    def test_get_job_returns_a_completed_job_with_its_outputs(self, connect):
        body = job_body(
            status="completed",
            completed_at="2026-08-01T12:00:07+00:00",
            result={"urls": ["https://gen.krea.ai/out/1.png", "https://gen.krea.ai/out/2.png"]},
        )
        krea = FakeKrea(httpx.Response(200, json=body))
        job = connect(krea).get_job(JOB_ID)

        assert krea.request.method == "GET"
        assert krea.request.url.path == f"/jobs/{JOB_ID}"
        assert job.status == JobStatus.COMPLETED
        assert job.is_terminal
        assert job.completed_at == datetime(2026, 8, 1, 12, 0, 7, tzinfo=UTC)
        assert job.result == JobResult(
            urls=("https://gen.krea.ai/out/1.png", "https://gen.krea.ai/out/2.png"),
            style_id=None,
            error=None,
            raw=body["result"],
        )

    def test_a_finished_training_job_names_its_style(self, connect):
        body = job_body(
            status="completed",
            completed_at="2026-08-01T13:00:00Z",
            result={"style_id": STYLE_ID},
        )
        job = connect(FakeKrea(httpx.Response(200, json=body))).get_job(JOB_ID)
        assert job.result is not None
        assert job.result.style_id == STYLE_ID
        assert job.result.urls == ()

    def test_a_failed_job_carries_krea_s_reason(self, connect):
        body = job_body(status="failed", result={"error": "NSFW content detected"})
        job = connect(FakeKrea(httpx.Response(200, json=body))).get_job(JOB_ID)
        assert job.is_terminal
        assert job.result is not None
        assert job.result.error == "NSFW content detected"

    def test_a_state_krea_adds_later_is_kept_not_rejected(self, connect):
        job = connect(FakeKrea(httpx.Response(200, json=job_body(status="upscaling")))).get_job(
            JOB_ID
        )
        assert job.status == "upscaling"
        assert not job.is_terminal

    def test_an_id_cannot_escape_its_path_segment(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        connect(krea).get_job("../assets")
        assert krea.request.url.raw_path == b"/jobs/..%2Fassets"

    def test_list_jobs_sends_krea_s_query_and_returns_a_page(self, connect):
        body = {
            "items": [job_body("j2", "completed"), job_body("j1", "failed")],
            "next_cursor": "2026-08-01T11:00:00.000Z",
        }
        krea = FakeKrea(httpx.Response(200, json=body))
        page = connect(krea).list_jobs(
            cursor=datetime(2026, 8, 2, tzinfo=UTC),
            limit=2,
            types=["flux", "k1"],
            status="completed",
        )

        request = krea.request
        assert request.method == "GET"
        assert request.url.path == "/jobs"
        assert dict(request.url.params) == {
            "cursor": "2026-08-02T00:00:00+00:00",
            "limit": "2",
            "types": "flux,k1",
            "status": "completed",
        }
        assert [job.job_id for job in page.items] == ["j2", "j1"]
        assert page.next_cursor == "2026-08-01T11:00:00.000Z"
        assert page.raw == body

    def test_list_jobs_without_filters_sends_no_query(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"items": [], "next_cursor": None}))
        page = connect(krea).list_jobs()
        assert krea.request.url.query == b""
        assert page.items == ()
        assert page.next_cursor is None

    def test_list_jobs_passes_a_cursor_string_and_a_types_string_through(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"items": [], "next_cursor": None}))
        connect(krea).list_jobs(cursor="2026-08-01T11:00:00.000Z", types="flux,externalImage")
        assert dict(krea.request.url.params) == {
            "cursor": "2026-08-01T11:00:00.000Z",
            "types": "flux,externalImage",
        }

    def test_a_job_page_carries_krea_s_clock_from_its_date_header(self, connect):
        # The portal matches lost sends to Krea's jobs on Krea's clock, not its own.
        body = {"items": [], "next_cursor": None}
        dated = FakeKrea(
            httpx.Response(200, json=body, headers={"Date": "Sat, 01 Aug 2026 12:00:07 GMT"})
        )
        assert connect(dated).list_jobs().server_time == datetime(2026, 8, 1, 12, 0, 7, tzinfo=UTC)
        for headers in ({}, {"Date": "not a date"}):
            undated = FakeKrea(httpx.Response(200, json=body, headers=headers))
            assert connect(undated).list_jobs().server_time is None

    @pytest.mark.parametrize("limit", [0, 1001])
    def test_list_jobs_refuses_a_limit_krea_would_refuse(self, connect, limit):
        krea = FakeKrea()
        with pytest.raises(ValueError, match="limit"):
            connect(krea).list_jobs(limit=limit)
        assert krea.requests == []

    def test_iter_jobs_follows_the_cursor_across_pages(self, connect):
        pages = {
            None: {"items": [job_body("j5"), job_body("j4")], "next_cursor": "c2"},
            "c2": {"items": [job_body("j3"), job_body("j2")], "next_cursor": "c3"},
            "c3": {"items": [job_body("j1")], "next_cursor": None},
        }
        krea = FakeKrea(
            lambda request: httpx.Response(200, json=pages[request.url.params.get("cursor")])
        )
        jobs = list(connect(krea).iter_jobs(limit=2, status="completed"))

        assert [job.job_id for job in jobs] == ["j5", "j4", "j3", "j2", "j1"]
        assert [request.url.params.get("cursor") for request in krea.requests] == [
            None,
            "c2",
            "c3",
        ]
        for request in krea.requests:
            assert request.url.params["limit"] == "2"
            assert request.url.params["status"] == "completed"

    def test_iter_jobs_fetches_lazily(self, connect):
        krea = FakeKrea(
            httpx.Response(200, json={"items": [job_body("j2")], "next_cursor": "c2"}),
            httpx.Response(200, json={"items": [job_body("j1")], "next_cursor": None}),
        )
        jobs = connect(krea).iter_jobs()
        assert krea.requests == []
        assert next(jobs).job_id == "j2"
        assert len(krea.requests) == 1

    def test_iter_jobs_starts_from_a_given_cursor(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"items": [], "next_cursor": None}))
        assert list(connect(krea).iter_jobs(cursor="2026-08-01T00:00:00Z")) == []
        assert krea.request.url.params["cursor"] == "2026-08-01T00:00:00Z"

    def test_iter_jobs_stops_on_a_cursor_that_does_not_move(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"items": [job_body()], "next_cursor": "c"}))
        with pytest.raises(InvalidResponse, match="twice"):
            list(connect(krea).iter_jobs())
        assert len(krea.requests) == 2

    def test_iter_jobs_stops_on_an_empty_page_even_with_a_cursor(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"items": [], "next_cursor": "c"}))
        assert list(connect(krea).iter_jobs()) == []
        assert len(krea.requests) == 1

    def test_delete_job(self, connect):
        krea = FakeKrea(httpx.Response(200))
        assert connect(krea).delete_job(JOB_ID) is None
        assert krea.request.method == "DELETE"
        assert krea.request.url.path == f"/jobs/{JOB_ID}"

    def test_deleting_a_finished_or_foreign_job_is_not_found(self, connect):
        krea = FakeKrea(httpx.Response(404, json={"error": "Job not found"}))
        with pytest.raises(NotFound, match="Job not found"):
            connect(krea).delete_job(JOB_ID)


# -- assets -------------------------------------------------------------------------


def multipart_fields(request: httpx.Request) -> dict[str, tuple[str | None, str, bytes]]:
    """The multipart form Krea received: name -> (filename, content type, bytes)."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        fields[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    return fields


class StreamingKrea(httpx.BaseTransport):
    """A transport that consumes the upload chunk by chunk, as a socket would."""

    def __init__(self) -> None:
        self.requests = 0
        self.bytes_received = 0
        self.largest_chunk = 0
        self.content_length: int | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.content_length = int(request.headers["content-length"])
        assert isinstance(request.stream, httpx.SyncByteStream)
        for chunk in request.stream:
            self.bytes_received += len(chunk)
            self.largest_chunk = max(self.largest_chunk, len(chunk))
        return httpx.Response(200, json=ASSET_BODY)


class ReadRecordingFile(io.FileIO):
    """A real file that remembers how much each read asked for."""

    reads: list[int]

    def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        return super().read(size)


@pytest.fixture
def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "cat.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"pixels" * 100)
    return path


def sparse_file(tmp_path: Path, size: int, name: str = "huge.mp4") -> Path:
    path = tmp_path / name
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


class TestAssets:
    def test_upload_from_a_path_posts_the_file_and_description(self, connect, png_file):
        krea = FakeKrea(httpx.Response(200, json=ASSET_BODY))
        asset = connect(krea).upload_asset(png_file, description="a cat")

        request = krea.request
        assert request.method == "POST"
        assert request.url.path == "/assets"
        fields = multipart_fields(request)
        assert fields["file"] == ("cat.png", "image/png", png_file.read_bytes())
        assert fields["description"][2] == b"a cat"
        assert asset.id == ASSET_ID
        assert asset.image_url == "https://gen.krea.ai/assets/cat.png"
        assert asset.uploaded_at == datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
        assert (asset.width, asset.height, asset.size_bytes) == (1024, 768, 123456)
        assert isinstance(asset.width, int)
        assert asset.mime_type == "image/png"
        assert asset.metadata == {"source": "upload"}

    def test_upload_from_a_file_object_with_another_name(self, connect, png_file):
        krea = FakeKrea(httpx.Response(200, json=ASSET_BODY))
        with png_file.open("rb") as handle:
            connect(krea).upload_asset(handle, filename="clip.mov")
        fields = multipart_fields(krea.request)
        assert fields["file"][:2] == ("clip.mov", "video/quicktime")
        assert "description" not in fields

    def test_upload_sends_the_whole_file_even_if_partly_read(self, connect, png_file):
        krea = FakeKrea(httpx.Response(200, json=ASSET_BODY))
        with png_file.open("rb") as handle:
            handle.read(10)
            connect(krea).upload_asset(handle)
        assert multipart_fields(krea.request)["file"][2] == png_file.read_bytes()

    @pytest.mark.parametrize(
        ("name", "content_type"),
        [
            ("a.JPG", "image/jpeg"),
            ("a.webp", "image/webp"),
            ("a.heic", "image/heic"),
            ("a.webm", "video/webm"),
            ("a.glb", "model/gltf-binary"),
            ("a.wav", "audio/wav"),
            ("a.mp3", "audio/mpeg"),
            ("a.unknownext", "application/octet-stream"),
        ],
    )
    def test_upload_names_the_content_type_krea_expects(self, connect, name, content_type):
        krea = FakeKrea(httpx.Response(200, json=ASSET_BODY))
        connect(krea).upload_asset(io.BytesIO(b"data"), filename=name)
        assert multipart_fields(krea.request)["file"][1] == content_type

    def test_upload_streams_the_file_in_chunks(self, tmp_path):
        path = sparse_file(tmp_path, 3 * 1024 * 1024 + 17, "clip.mp4")
        krea = StreamingKrea()
        with (
            KreaClient(TOKEN, transport=krea) as client,
            ReadRecordingFile(path, "rb") as handle,
        ):
            handle.reads = []
            client.upload_asset(handle)

        assert krea.requests == 1
        # The whole multipart body went out with a Content-Length known up front...
        assert krea.bytes_received == krea.content_length > 3 * 1024 * 1024
        # ...yet no single read or chunk held more than a small slice of the file.
        assert all(0 < size <= 64 * 1024 for size in handle.reads)
        assert krea.largest_chunk <= 64 * 1024

    def test_upload_from_a_path_streams_too(self, tmp_path):
        path = sparse_file(tmp_path, 2 * 1024 * 1024, "clip.mp4")
        krea = StreamingKrea()
        with KreaClient(TOKEN, transport=krea) as client:
            client.upload_asset(path)
        assert krea.bytes_received == krea.content_length > 2 * 1024 * 1024
        assert krea.largest_chunk <= 64 * 1024

    def test_refuses_a_file_over_75_mb_before_sending_anything(self, connect, tmp_path):
        path = sparse_file(tmp_path, 76 * 1024 * 1024)
        krea = FakeKrea()
        client = connect(krea)

        with pytest.raises(AssetTooLarge) as caught:
            client.upload_asset(path)
        with path.open("rb") as handle, pytest.raises(AssetTooLarge):
            client.upload_asset(handle)

        assert krea.requests == []
        error = caught.value
        assert isinstance(error, BadRequest)
        assert error.retryable is False
        assert error.status_code is None
        assert "75 MB" in error.message
        assert "huge.mp4" in error.message

    def test_refuses_an_in_memory_file_over_75_mb(self, connect):
        class Huge(io.RawIOBase):
            # Claims 76 MB without allocating it: only seek/tell are ever used.
            def seekable(self) -> bool:
                return True

            def seek(self, offset: int, whence: int = 0) -> int:
                self.pos = 76 * 1024 * 1024 if whence == os.SEEK_END else offset
                return self.pos

            def tell(self) -> int:
                return getattr(self, "pos", 0)

        krea = FakeKrea()
        with pytest.raises(AssetTooLarge):
            connect(krea).upload_asset(Huge(), filename="big.png")
        assert krea.requests == []

    def test_a_file_of_exactly_75_mb_is_sent(self, connect, tmp_path):
        path = sparse_file(tmp_path, MAX_ASSET_BYTES)
        krea = StreamingKrea()
        with KreaClient(TOKEN, transport=krea) as client:
            client.upload_asset(path)
        assert krea.requests == 1

    def test_refuses_a_file_whose_size_cannot_be_known(self, connect):
        read_end, write_end = os.pipe()
        os.close(write_end)
        krea = FakeKrea()
        with os.fdopen(read_end, "rb") as pipe, pytest.raises(ValueError, match="seekable"):
            connect(krea).upload_asset(pipe, filename="a.png")
        assert krea.requests == []

    def test_krea_refusing_the_file_type_is_a_bad_request(self, connect, png_file):
        krea = FakeKrea(httpx.Response(400, json={"error": "Unsupported file type"}))
        with pytest.raises(BadRequest, match="Unsupported file type"):
            connect(krea).upload_asset(png_file)

    def test_list_assets(self, connect):
        body = {"items": [ASSET_BODY], "next_cursor": "2026-07-31T00:00:00Z"}
        krea = FakeKrea(httpx.Response(200, json=body))
        page = connect(krea).list_assets(limit=10, cursor="2026-08-01T00:00:00Z")
        assert krea.request.url.path == "/assets"
        assert dict(krea.request.url.params) == {
            "limit": "10",
            "cursor": "2026-08-01T00:00:00Z",
        }
        assert [asset.id for asset in page.items] == [ASSET_ID]
        assert page.next_cursor == "2026-07-31T00:00:00Z"

    def test_iter_assets_follows_the_cursor(self, connect):
        second = {**ASSET_BODY, "id": "other"}
        krea = FakeKrea(
            httpx.Response(200, json={"items": [ASSET_BODY], "next_cursor": "c2"}),
            httpx.Response(200, json={"items": [second], "next_cursor": None}),
        )
        assert [asset.id for asset in connect(krea).iter_assets()] == [ASSET_ID, "other"]
        assert krea.requests[1].url.params["cursor"] == "c2"

    def test_get_asset(self, connect):
        body = {**ASSET_BODY, "width": None, "height": None, "size_bytes": None}
        del body["description"], body["metadata"]
        krea = FakeKrea(httpx.Response(200, json=body))
        asset = connect(krea).get_asset(ASSET_ID)
        assert krea.request.method == "GET"
        assert krea.request.url.path == f"/assets/{ASSET_ID}"
        assert asset == Asset(
            id=ASSET_ID,
            image_url=ASSET_BODY["image_url"],
            uploaded_at=datetime(2026, 8, 1, 12, 0, tzinfo=UTC),
            width=None,
            height=None,
            size_bytes=None,
            mime_type="image/png",
            description=None,
            metadata=None,
            raw=body,
        )

    def test_delete_asset(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"success": True, "message": "Deleted"}))
        assert connect(krea).delete_asset(ASSET_ID) is None
        assert krea.request.method == "DELETE"
        assert krea.request.url.path == f"/assets/{ASSET_ID}"

    def test_delete_asset_that_krea_says_failed_raises(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"success": False, "message": "Asset in use"}))
        with pytest.raises(KreaError, match="Asset in use"):
            connect(krea).delete_asset(ASSET_ID)


# -- styles -------------------------------------------------------------------------


class TestStyles:
    def test_train_style_posts_the_body_with_the_webhook(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        body = {
            "model": "flux_dev",
            "type": "Character",
            "name": "Ada",
            "urls": ["https://gen.krea.ai/a.png"],
            "max_train_steps": 500,
        }
        job = connect(krea).train_style(body, webhook_url="https://studio.example/hook/")
        request = krea.request
        assert request.method == "POST"
        assert request.url.path == "/styles/train"
        assert body_of(request) == body
        assert request.headers["x-webhook-url"] == "https://studio.example/hook/"
        assert job.job_id == JOB_ID

    def test_list_styles_sends_every_filter(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"items": [STYLE_BODY], "next_cursor": None}))
        page = connect(krea).list_styles(
            filter="user",
            cursor="abc",
            limit=5,
            ids=["s1", "s2"],
            liked=False,
            user="u1",
            model="flux_dev",
        )
        assert krea.request.url.path == "/styles"
        assert dict(krea.request.url.params) == {
            "filter": "user",
            "cursor": "abc",
            "limit": "5",
            "ids": "s1,s2",
            "liked": "false",
            "user": "u1",
            "model": "flux_dev",
        }
        style = page.items[0]
        assert style.id == STYLE_ID
        assert style.title == "Watercolour"
        assert style.urls == ("https://gen.krea.ai/styles/1.png",)
        assert style.public is False
        assert style.models == ("flux_dev",)
        assert style.owner == StyleOwner(
            id="9b2e3f9a-5a5e-4a8e-8b43-1f7c2d3e4f50", name="Ada", avatar_url=None
        )
        assert style.like_count == 3

    def test_list_styles_sends_liked_true_as_krea_reads_booleans(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"items": [], "next_cursor": None}))
        connect(krea).list_styles(liked=True)
        assert krea.request.url.query == b"liked=true"

    def test_iter_styles_follows_the_cursor(self, connect):
        krea = FakeKrea(
            httpx.Response(200, json={"items": [STYLE_BODY], "next_cursor": "n"}),
            httpx.Response(
                200,
                json={"items": [{**STYLE_BODY, "id": "s2", "owner": None}], "next_cursor": None},
            ),
        )
        styles = list(connect(krea).iter_styles(filter="shared"))
        assert [style.id for style in styles] == [STYLE_ID, "s2"]
        assert styles[1].owner is None
        assert [dict(request.url.params) for request in krea.requests] == [
            {"filter": "shared"},
            {"filter": "shared", "cursor": "n"},
        ]

    def test_get_style(self, connect):
        krea = FakeKrea(httpx.Response(200, json=STYLE_BODY))
        style = connect(krea).get_style(STYLE_ID)
        assert krea.request.url.path == f"/styles/{STYLE_ID}"
        assert style.raw == STYLE_BODY

    def test_update_style_sends_only_what_changes(self, connect):
        krea = FakeKrea(httpx.Response(200, json={**STYLE_BODY, "public": True}))
        style = connect(krea).update_style(STYLE_ID, public=True, title="Wet paint")
        request = krea.request
        assert request.method == "PATCH"
        assert request.url.path == f"/styles/{STYLE_ID}"
        assert body_of(request) == {"public": True, "title": "Wet paint"}
        assert style.public is True

    def test_update_style_can_unpublish_and_replace_images(self, connect):
        krea = FakeKrea(httpx.Response(200, json=STYLE_BODY))
        connect(krea).update_style(
            STYLE_ID,
            public=False,
            urls=("https://x.test/1.png",),
            cover_url="https://x.test/c.png",
        )
        assert body_of(krea.request) == {
            "public": False,
            "urls": ["https://x.test/1.png"],
            "cover_url": "https://x.test/c.png",
        }

    def test_update_style_with_nothing_to_change_sends_nothing(self, connect):
        krea = FakeKrea()
        with pytest.raises(ValueError, match="at least one"):
            connect(krea).update_style(STYLE_ID)
        assert krea.requests == []

    @pytest.mark.parametrize(("status", "created"), [(200, False), (201, True)])
    def test_style_share_link_says_whether_it_is_new(self, connect, status, created):
        body = {"share_link": "https://krea.ai/styles/share/xyz", "is_new": created}
        krea = FakeKrea(httpx.Response(status, json=body))
        link, is_created = connect(krea).style_share_link(STYLE_ID)
        assert krea.request.method == "GET"
        assert krea.request.url.path == f"/styles/{STYLE_ID}/share/link"
        assert link == ShareLink(share_link=body["share_link"], is_new=created, raw=body)
        assert is_created is created

    def test_share_style_with_workspace(self, connect):
        body = {
            "success": True,
            "style_id": STYLE_ID,
            "workspace": {"id": "ws-1", "name": None, "is_default": True},
        }
        krea = FakeKrea(httpx.Response(200, json=body))
        share = connect(krea).share_style_with_workspace(STYLE_ID)
        assert krea.request.method == "POST"
        assert krea.request.url.path == f"/styles/{STYLE_ID}/share/workspace"
        assert krea.request.content == b""
        assert share.style_id == STYLE_ID
        assert share.workspace == Workspace(id="ws-1", name=None, is_default=True)

    def test_sharing_a_style_one_does_not_own_is_forbidden(self, connect):
        krea = FakeKrea(httpx.Response(403, json={"error": "You do not own this style"}))
        with pytest.raises(Forbidden, match="You do not own this style") as caught:
            connect(krea).share_style_with_workspace(STYLE_ID)
        assert caught.value.retryable is False

    def test_unshare_style_from_workspace(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"success": True}))
        assert connect(krea).unshare_style_from_workspace(STYLE_ID) is None
        assert krea.request.method == "DELETE"
        assert krea.request.url.path == f"/styles/{STYLE_ID}/share/workspace"


# -- node apps ----------------------------------------------------------------------


class TestNodeApps:
    def test_get_node_app_exposes_its_schemas(self, connect):
        krea = FakeKrea(httpx.Response(200, json=NODE_APP_BODY))
        app = connect(krea).get_node_app("app-v3")
        assert krea.request.method == "GET"
        assert krea.request.url.path == "/node-apps/app-v3"
        assert app.name == "Product shot"
        assert app.version == 3
        assert app.input_schema == NODE_APP_BODY["input_openapi_schema"]
        assert app.output_schema == NODE_APP_BODY["output_openapi_schema"]
        assert app.input_key_mapping == {"product": "node1-image"}
        assert app.example_outputs == ("https://gen.krea.ai/example.png",)
        assert app.version_created_at is None

    def test_execute_node_app_posts_inputs_and_returns_every_job(self, connect):
        krea = FakeKrea(httpx.Response(200, json=[job_body("j1"), job_body("j2")]))
        jobs = connect(krea).execute_node_app("app-v3", {"product": "https://x.test/p.png"})
        request = krea.request
        assert request.method == "POST"
        assert request.url.path == "/node-apps/app-v3/execute"
        assert body_of(request) == {"product": "https://x.test/p.png"}
        assert [job.job_id for job in jobs] == ["j1", "j2"]

    def test_execute_node_app_answer_that_is_not_a_list_is_invalid(self, connect):
        krea = FakeKrea(httpx.Response(200, json=job_body()))
        with pytest.raises(InvalidResponse) as caught:
            connect(krea).execute_node_app("app-v3", {})
        # A job may well have started: the caller must not blindly run it again.
        assert caught.value.outcome_unknown is True


# -- errors -------------------------------------------------------------------------


class TestErrors:
    @pytest.mark.parametrize(
        ("status", "error_class", "retryable"),
        [
            (400, BadRequest, False),
            (401, Unauthorized, False),
            (402, InsufficientCredits, False),
            (403, Forbidden, False),
            (404, NotFound, False),
            (429, ConcurrencyLimit, True),
            (500, ServerError, True),
            (503, ServerError, True),
        ],
    )
    def test_status_codes_map_to_typed_errors_with_krea_s_message(
        self, connect, status, error_class, retryable
    ):
        krea = FakeKrea(httpx.Response(status, json={"error": "what Krea said"}))
        with pytest.raises(error_class) as caught:
            connect(krea, max_attempts=1).generate("image/bfl/flux-1-dev", {"prompt": "x"})
        error = caught.value
        assert isinstance(error, KreaError)
        assert error.message == "what Krea said"
        assert error.status_code == status
        assert error.retryable is retryable
        assert str(error) == f"what Krea said (HTTP {status})"

    def test_a_4xx_means_krea_did_nothing_a_5xx_means_it_may_have(self, connect):
        refused = FakeKrea(httpx.Response(402, json={"error": "Out of credits"}))
        with pytest.raises(InsufficientCredits) as caught:
            connect(refused).generate("image/bfl/flux-1-dev", {"prompt": "x"})
        assert caught.value.outcome_unknown is False

        failed = FakeKrea(httpx.Response(500, json={"error": "boom"}))
        with pytest.raises(ServerError) as caught_5xx:
            connect(failed).generate("image/bfl/flux-1-dev", {"prompt": "x"})
        assert caught_5xx.value.outcome_unknown is True

    def test_an_unlisted_status_is_a_plain_krea_error(self, connect):
        krea = FakeKrea(httpx.Response(409, json={"error": "Conflict here"}))
        with pytest.raises(KreaError) as caught:
            connect(krea).get_job(JOB_ID)
        assert type(caught.value) is KreaError
        assert caught.value.status_code == 409
        assert caught.value.message == "Conflict here"

    def test_tolerates_an_html_error_page(self, connect):
        krea = FakeKrea(
            httpx.Response(502, text="<html><body>Bad gateway</body></html>"),
        )
        with pytest.raises(ServerError) as caught:
            connect(krea, max_attempts=1).get_job(JOB_ID)
        assert caught.value.message == "Krea answered 502 Bad Gateway"

    def test_tolerates_a_plain_text_error(self, connect):
        krea = FakeKrea(httpx.Response(400, text="prompt is required"))
        with pytest.raises(BadRequest) as caught:
            connect(krea).generate("image/bfl/flux-1-dev", {})
        assert caught.value.message == "prompt is required"

    def test_tolerates_json_without_an_error_field(self, connect):
        krea = FakeKrea(httpx.Response(401, json={"detail": "nope"}))
        with pytest.raises(Unauthorized) as caught:
            connect(krea).get_job(JOB_ID)
        assert caught.value.message == '{"detail":"nope"}'

    def test_tolerates_an_empty_error_body(self, connect):
        krea = FakeKrea(httpx.Response(404))
        with pytest.raises(NotFound) as caught:
            connect(krea).get_job(JOB_ID)
        assert caught.value.message == "Krea answered 404 Not Found"

    def test_a_success_that_is_not_json_is_an_invalid_response(self, connect):
        krea = FakeKrea(httpx.Response(200, text="<html>maintenance</html>"))
        with pytest.raises(InvalidResponse) as caught:
            connect(krea).generate("image/bfl/flux-1-dev", {"prompt": "x"})
        assert caught.value.outcome_unknown is True
        assert len(krea.requests) == 1

    def test_a_created_job_we_cannot_read_is_an_unknown_outcome(self, connect):
        krea = FakeKrea(httpx.Response(200, json={"status": "queued"}))
        with pytest.raises(InvalidResponse, match="job_id") as caught:
            connect(krea).generate("image/bfl/flux-1-dev", {"prompt": "x"})
        # Krea took the POST: the job may run and bill, so the caller must reconcile.
        assert caught.value.outcome_unknown is True
        assert caught.value.status_code == 200
        assert caught.value.retryable is False

    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            ({"status": "queued", "created_at": "2026-08-01T00:00:00Z"}, "no 'job_id'"),
            ({**job_body(), "status": None}, "'status' is null"),
            ({**job_body(), "created_at": "yesterday"}, "ISO 8601"),
            ({**job_body(), "result": ["a"]}, "not an object"),
            ([job_body()], "not a JSON object"),
        ],
    )
    def test_a_job_that_breaks_the_spec_is_an_invalid_response(self, connect, body, problem):
        krea = FakeKrea(httpx.Response(200, json=body))
        with pytest.raises(InvalidResponse, match=problem):
            connect(krea).get_job(JOB_ID)

    def test_the_token_never_appears_in_errors(self, connect):
        krea = FakeKrea(httpx.Response(401, json={"error": f"Bad token {TOKEN}"}))
        with pytest.raises(Unauthorized) as caught:
            connect(krea).get_job(JOB_ID)
        assert TOKEN not in str(caught.value)
        assert TOKEN not in repr(caught.value)
        assert caught.value.message == "Bad token [token]"

    def test_the_token_never_appears_in_retry_logs(self, connect, caplog):
        krea = FakeKrea(
            httpx.Response(500, json={"error": f"crash for {TOKEN}"}),
            httpx.ConnectError(f"refused {TOKEN}"),
            httpx.Response(200, json=job_body()),
        )
        with caplog.at_level(logging.DEBUG):
            connect(krea).get_job(JOB_ID)
        assert len(caplog.records) >= 2
        assert TOKEN not in caplog.text
        assert "retry 1 of 2" in caplog.text


# -- retries ------------------------------------------------------------------------


def post_each_billable_operation(client: KreaClient, tmp_path: Path) -> list[Callable[[], Any]]:
    asset = tmp_path / "a.png"
    asset.write_bytes(b"png")
    return [
        lambda: client.generate("image/bfl/flux-1-dev", {"prompt": "x"}),
        lambda: client.train_style({"name": "n", "urls": ["https://x.test/a.png"]}),
        lambda: client.execute_node_app("app-v3", {"a": 1}),
        lambda: client.upload_asset(asset),
    ]


BILLABLE = ["generate", "train_style", "execute_node_app", "upload_asset"]


class TestRetries:
    def test_get_is_retried_on_5xx_with_growing_jittered_backoff(self, connect, sleeps):
        krea = FakeKrea(
            httpx.Response(503, json={"error": "busy"}),
            httpx.Response(502, text="bad gateway"),
            httpx.Response(200, json=job_body()),
        )
        job = connect(krea, max_attempts=3).get_job(JOB_ID)
        assert job.job_id == JOB_ID
        assert len(krea.requests) == 3
        assert len(sleeps.calls) == 2
        assert 0 <= sleeps.calls[0] <= 0.5
        assert 0 <= sleeps.calls[1] <= 1.0

    def test_backoff_is_jittered(self, connect, sleeps):
        for _ in range(20):
            krea = FakeKrea(httpx.Response(500), httpx.Response(200, json=job_body()))
            connect(krea).get_job(JOB_ID)
        assert len(set(sleeps.calls)) > 1

    def test_get_gives_up_after_max_attempts_with_the_last_error(self, connect, sleeps):
        krea = FakeKrea(httpx.Response(500, json={"error": "down"}))
        with pytest.raises(ServerError, match="down"):
            connect(krea, max_attempts=4).list_jobs()
        assert len(krea.requests) == 4
        assert len(sleeps.calls) == 3

    @pytest.mark.parametrize(
        ("failure", "error_class", "outcome_unknown"),
        [
            (httpx.ReadTimeout("slow"), KreaTimeout, True),
            (httpx.ConnectTimeout("slow"), KreaTimeout, False),
            (httpx.ConnectError("refused"), KreaConnectionError, False),
            (httpx.RemoteProtocolError("reset"), KreaConnectionError, True),
        ],
    )
    def test_get_is_retried_on_timeouts_and_connection_errors(
        self, connect, sleeps, failure, error_class, outcome_unknown
    ):
        krea = FakeKrea(failure)
        with pytest.raises(error_class) as caught:
            connect(krea, max_attempts=3).get_asset(ASSET_ID)
        assert len(krea.requests) == 3
        assert caught.value.retryable is True
        assert caught.value.status_code is None
        assert caught.value.outcome_unknown is outcome_unknown
        assert caught.value.__cause__ is not None

    def test_delete_is_retried_on_5xx(self, connect):
        krea = FakeKrea(httpx.Response(500), httpx.Response(200))
        connect(krea).delete_job(JOB_ID)
        assert [request.method for request in krea.requests] == ["DELETE", "DELETE"]

    def test_unshare_is_retried_on_a_timeout(self, connect):
        krea = FakeKrea(httpx.ReadTimeout("slow"), httpx.Response(200, json={"success": True}))
        connect(krea).unshare_style_from_workspace(STYLE_ID)
        assert len(krea.requests) == 2

    @pytest.mark.parametrize("status", [400, 401, 402, 404, 429])
    def test_a_client_error_is_never_retried(self, connect, sleeps, status):
        krea = FakeKrea(httpx.Response(status, json={"error": "no"}))
        with pytest.raises(KreaError):
            connect(krea).get_job(JOB_ID)
        assert len(krea.requests) == 1
        assert sleeps.calls == []

    def test_max_attempts_of_one_disables_retries(self, connect):
        krea = FakeKrea(httpx.Response(500))
        with pytest.raises(ServerError):
            connect(krea, max_attempts=1).get_job(JOB_ID)
        assert len(krea.requests) == 1

    @pytest.mark.parametrize("operation", range(len(BILLABLE)), ids=BILLABLE)
    @pytest.mark.parametrize(
        "failure",
        [
            httpx.Response(500, json={"error": "boom"}),
            httpx.Response(503),
            httpx.ReadTimeout("slow"),
            httpx.WriteTimeout("slow"),
            httpx.RemoteProtocolError("reset"),
        ],
        ids=["500", "503", "read-timeout", "write-timeout", "reset"],
    )
    def test_a_post_that_can_bill_reaches_krea_exactly_once(
        self, connect, sleeps, tmp_path, operation, failure
    ):
        krea = FakeKrea(failure, httpx.Response(200, json=job_body()))
        client = connect(krea, max_attempts=5)
        with pytest.raises(KreaError) as caught:
            post_each_billable_operation(client, tmp_path)[operation]()
        assert [request.method for request in krea.requests] == ["POST"]
        assert sleeps.calls == []
        # The caller learns that a job may exist, so it reconciles instead of re-posting.
        assert caught.value.outcome_unknown is True

    def test_other_writes_are_not_retried_either(self, connect):
        krea = FakeKrea(httpx.Response(500))
        client = connect(krea)
        with pytest.raises(ServerError):
            client.update_style(STYLE_ID, title="x")
        with pytest.raises(ServerError):
            client.share_style_with_workspace(STYLE_ID)
        assert [request.method for request in krea.requests] == ["PATCH", "POST"]

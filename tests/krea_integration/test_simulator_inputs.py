"""Input URLs: every model's media inputs are read as Krea would, and only where Krea could.

The simulator runs beside the portal (``make run``), where it could reach the host's
loopback and private network: it must refuse those (and redirects to them) with one
message, whatever is listening there.
"""

import io
import threading

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from krea_integration.simulator.fetch import InputUnreadable, fetch_public, is_public_address
from krea_integration.simulator.media import render_video
from krea_integration.simulator.nodeapps import NODE_APPS
from tests.factories import FLUX
from tests.krea_integration.conftest import (
    PUBLIC_IMAGES,
    client_for,
    make_simulator,
    png_bytes,
    public_images,
)

pytestmark = pytest.mark.simulator(job_seconds=0, fetcher=public_images)

KLING = "video/kling/kling-2.6"
UNREACHABLE = "https://unreachable.invalid/in.png"


def outcome(client, job):
    done = client.get_job(job.job_id)
    return done.status, done.result.error if done.status == "failed" else None


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (FLUX, {"prompt": "p", "style_images": [{"url": UNREACHABLE, "strength": 0.5}]}),
        ("image/google/nano-banana", {"prompt": "p", "image_urls": [UNREACHABLE]}),
        (
            "image/runway/gen-4-image",
            {"prompt": "p", "reference_images": [{"url": UNREACHABLE, "tag": "subject"}]},
        ),
        (KLING, {"prompt": "p", "start_image": UNREACHABLE}),
    ],
)
def test_any_models_unreadable_input_fails_the_job(client, model, params):
    job = client.generate(model, params)
    assert job.status == "queued"
    assert outcome(client, job) == ("failed", f"Could not download the input at {UNREACHABLE}.")


def test_readable_inputs_are_fetched_and_the_job_completes():
    fetched = []

    def fetcher(url):
        fetched.append(url)
        return public_images(url)

    sim = make_simulator(job_seconds=0, fetcher=fetcher)
    client = client_for(sim)
    style = f"{PUBLIC_IMAGES}style.png"
    job = client.generate(FLUX, {"prompt": "p", "style_images": [{"url": style, "strength": 1}]})
    assert outcome(client, job) == ("completed", None)
    start = f"{PUBLIC_IMAGES}start.png"
    video = client.generate(KLING, {"prompt": "p", "start_image": start})
    assert outcome(client, video) == ("completed", None)
    assert fetched == [style, start]


def test_an_input_of_the_wrong_kind_fails_the_job(client):
    image = client.upload_asset(io.BytesIO(png_bytes()), filename="still.png")
    job = client.generate("video/runway/aleph", {"prompt": "p", "init_video": image.image_url})
    assert outcome(client, job) == (
        "failed",
        f"The input at {image.image_url} is image/png, not video.",
    )
    video = render_video("clip", seed=1, width=64, height=48, duration_s=1)
    clip = client.upload_asset(io.BytesIO(video), filename="c.mp4")
    job = client.generate("video/runway/aleph", {"prompt": "p", "init_video": clip.image_url})
    assert outcome(client, job) == ("completed", None)


def test_node_app_media_inputs_are_read_too(client):
    product_shot = NODE_APPS[1].version_id
    [job] = client.execute_node_app(
        product_shot, {"prompt": "a lamp", "variations": 1, "product_image_url": UNREACHABLE}
    )
    assert outcome(client, job) == ("failed", f"Could not download the input at {UNREACHABLE}.")


# -- where the simulator may fetch from ------------------------------------------------


class LocalServer:
    """A real HTTP server on 127.0.0.1 that records what it was asked."""

    def __init__(self) -> None:
        self.paths: list[str] = []

        @Request.application
        def app(request):
            self.paths.append(request.path)
            if request.path.startswith("/public/redirect"):
                return Response(status=302, headers={"Location": request.args["to"]})
            return Response(png_bytes(), mimetype="image/png")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_server():
    with LocalServer() as server:
        yield server


def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def enhance(client, url):
    job = client.generate(
        "enhance/topaz/generative-enhance", {"image_url": url, "width": 64, "height": 64}
    )
    return outcome(client, job)


def test_loopback_is_refused_with_one_message_for_open_and_closed_ports(local_server):
    client = client_for(make_simulator(job_seconds=0))  # the real network, no stand-in
    open_url = f"{local_server.url}/secret.png"
    closed_url = f"http://127.0.0.1:{closed_port()}/secret.png"
    by_name = f"http://localhost:{local_server.server.server_port}/secret.png"
    answers = {url: enhance(client, url) for url in (open_url, closed_url, by_name)}
    assert answers == {
        url: ("failed", f"Could not download the input at {url}.") for url in answers
    }
    assert local_server.paths == []  # never even asked


def test_the_portals_configured_prefix_is_fetched_and_each_redirect_checked(local_server):
    sim = make_simulator(job_seconds=0, input_origins=[f"{local_server.url}/public/"])
    client = client_for(sim)
    assert enhance(client, f"{local_server.url}/public/out.png") == ("completed", None)
    private = f"{local_server.url}/private/secret.png"
    assert enhance(client, private)[0] == "failed"
    for target in (private, "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/"):
        url = f"{local_server.url}/public/redirect?to={target}"
        assert enhance(client, url) == ("failed", f"Could not download the input at {url}.")
    assert "/private/secret.png" not in local_server.paths
    assert local_server.paths.count("/public/redirect") == 3


def test_the_simulators_own_address_is_never_fetched_over_http():
    asked = []
    sim = make_simulator(job_seconds=0, fetcher=asked.append, public_base_url="https://krea.test")
    client = client_for(sim)
    control = "https://krea.test/_simulator/requests"
    assert enhance(client, control) == ("failed", f"Could not download the input at {control}.")
    assert asked == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # shared address space
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
    ],
)
def test_only_public_addresses_are_fetched(address, public):
    assert is_public_address(address) is public


def test_a_name_that_resolves_to_a_private_address_is_refused():
    with pytest.raises(InputUnreadable):
        fetch_public(
            "https://images.example/x.png",
            max_bytes=1024,
            resolver=lambda host, port: ["93.184.216.34", "10.0.0.5"],
        )

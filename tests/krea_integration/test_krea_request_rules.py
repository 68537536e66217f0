"""Rules of Krea's request schemas that the simulator enforces with the portal's own
catalogue code, so that a body the portal lets through and Krea refuses fails in tests
too: string formats, and deprecated aliases past their sunset."""

from datetime import UTC, datetime

import httpx
import pytest

from krea_integration.simulator import Clock, Simulator

TOKEN = "token-a"
# The simulator's "Upscale and caption" node app (its version id, as Krea documents).
UPSCALE_APP = "3f2c9d1e-8b7a-4c6d-9e5f-1a2b3c4d5e01"


@pytest.fixture
def http():
    sim = Simulator(tokens=[TOKEN], clock=Clock.manual(datetime(2026, 8, 1, tzinfo=UTC)))
    return httpx.Client(
        base_url="https://api.krea.ai",
        transport=sim.transport(),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/generate/enhance/topaz/generative-enhance",
         {"image_url": "not a url", "width": 512, "height": 512}, "image_url"),
        ("/generate/image/google/nano-banana", {"prompt": "x", "image_urls": ["nope"]}, "image_urls"),
        ("/generate/video/google/veo-3.1", {"prompt": "x", "start_image": "ftp//bad"}, "start_image"),
        ("/styles/train", {"name": "Fox", "urls": ["nope"]}, "urls"),
        (f"/node-apps/{UPSCALE_APP}/execute", {"image_url": "ftp//bad"}, "image_url"),
    ],
)  # fmt: skip
def test_the_simulator_refuses_a_url_that_is_not_one_naming_the_field(http, path, body, field):
    response = http.post(path, json=body)

    assert response.status_code == 400
    message = response.json()["error"]
    assert message.startswith(field) and "must be a full URL" in message


def test_the_simulator_accepts_the_same_bodies_with_real_urls(http):
    response = http.post(
        "/generate/video/google/veo-3.1",
        json={"prompt": "x", "start_image": "https://cdn.krea.ai/start.png"},
    )

    assert response.status_code == 200, response.text

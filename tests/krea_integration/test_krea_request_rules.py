"""Rules of Krea's request schemas that the simulator enforces with the portal's own
catalogue code, so that a body the portal lets through and Krea refuses fails in tests
too: string formats, and deprecated aliases past their sunset."""

from datetime import UTC, datetime

import httpx
import pytest

from krea_integration.client import KreaClient
from krea_integration.errors import BadRequest
from krea_integration.simulator import Clock, Simulator

TOKEN = "token-a"
KLING = "video/kling/kling-2.6"
SUNSET_DAY = datetime(2026, 6, 19, 23, 59, tzinfo=UTC)  # the aliases' sunset_date
DAY_AFTER = datetime(2026, 6, 20, 0, 1, tzinfo=UTC)
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


# ------------------------------------------------------------ deprecated aliases


def simulator_at(moment: datetime) -> tuple[Simulator, KreaClient]:
    sim = Simulator(tokens=[TOKEN], clock=Clock.manual(moment), job_seconds=0)
    return sim, KreaClient(TOKEN, transport=sim.transport(), max_attempts=1)


def test_until_its_sunset_an_alias_is_accepted_and_renamed():
    sim, client = simulator_at(SUNSET_DAY)

    job = client.generate(KLING, {"prompt": "alias", "aspectRatio": "9:16", "generateAudio": True})

    record = sim.job_record(job.job_id)
    assert record.params["aspect_ratio"] == "9:16"
    assert record.params["generate_audio"] is True
    assert "aspectRatio" not in record.params


def test_until_its_sunset_an_alias_sent_with_its_field_is_400():
    _, client = simulator_at(SUNSET_DAY)

    with pytest.raises(BadRequest) as caught:
        client.generate(KLING, {"prompt": "x", "aspect_ratio": "9:16", "aspectRatio": "9:16"})

    assert "aspect_ratio was sent twice" in caught.value.message


def test_after_its_sunset_on_the_simulators_clock_an_alias_is_krea_s_400():
    _, client = simulator_at(DAY_AFTER)

    with pytest.raises(BadRequest) as caught:
        client.generate(KLING, {"prompt": "x", "aspectRatio": "9:16"})

    assert caught.value.status_code == 400
    assert caught.value.message == (
        "aspectRatio is no longer accepted since 2026-06-19: send aspect_ratio instead. "
        "Public API request fields are moving to snake_case. "
        "See https://docs.krea.ai/developers/deprecations#public-api-snake-case-fields"
    )
    assert client.list_jobs().items == ()


def test_after_its_sunset_the_fields_own_name_still_works():
    sim, client = simulator_at(DAY_AFTER)

    job = client.generate(KLING, {"prompt": "x", "aspect_ratio": "9:16"})

    assert sim.job_record(job.job_id).params["aspect_ratio"] == "9:16"

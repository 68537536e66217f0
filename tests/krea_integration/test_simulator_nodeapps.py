"""The simulator's sample node apps: schemas, validated inputs, an array of jobs."""

import io

import httpx
import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from krea_integration.errors import BadRequest, ConcurrencyLimit, NotFound
from krea_integration.simulator.nodeapps import NODE_APPS

pytestmark = pytest.mark.simulator(job_seconds=0)

UPSCALE, PRODUCT_SHOT = (app.version_id for app in NODE_APPS)


def test_get_node_app_returns_its_schemas(client):
    for sample in NODE_APPS:
        app = client.get_node_app(sample.version_id)
        assert app.slug == sample.slug
        assert app.last_version_id == sample.version_id
        Draft202012Validator.check_schema(app.input_schema)
        assert app.input_schema["type"] == "object"
        assert app.output_schema["type"] == "object"


def test_unknown_node_app_is_404(client):
    with pytest.raises(NotFound):
        client.get_node_app("no-such-app")
    with pytest.raises(NotFound):
        client.execute_node_app("no-such-app", {})


@pytest.mark.parametrize("other_id", ["product-shot", NODE_APPS[1].app_id])
def test_a_slug_or_app_id_is_not_a_version_id(client, other_id):
    # Krea's spec takes a node app *version* id on both operations.
    with pytest.raises(NotFound) as caught:
        client.get_node_app(other_id)
    assert caught.value.message == "Node app not found"
    with pytest.raises(NotFound) as caught:
        client.execute_node_app(other_id, {"prompt": "a lamp"})
    assert caught.value.message == "Node app version not found"
    assert client.list_jobs().items == ()


def test_product_shot_returns_one_job_per_variation(sim, client):
    jobs = client.execute_node_app(PRODUCT_SHOT, {"prompt": "a red sneaker", "variations": 3})
    assert len(jobs) == 3
    assert all(j.status == "queued" for j in jobs)
    assert all("completed_at" not in j.raw for j in jobs)
    http = httpx.Client(transport=sim.transport())
    for job in jobs:
        [url] = client.get_job(job.job_id).result.urls
        image = Image.open(io.BytesIO(http.get(url).content))
        assert image.size == (1024, 1024)
    assert {j.job_id for j in client.list_jobs(types="nodeApp").items} == {j.job_id for j in jobs}


def test_upscale_and_caption_enlarges_the_input(sim, client):
    buffer = io.BytesIO()
    Image.new("RGB", (100, 80), "green").save(buffer, "PNG")
    asset = client.upload_asset(io.BytesIO(buffer.getvalue()), filename="g.png")
    [job] = client.execute_node_app(UPSCALE, {"image_url": asset.image_url, "scale": 3})
    [url] = client.get_job(job.job_id).result.urls
    image = Image.open(io.BytesIO(httpx.Client(transport=sim.transport()).get(url).content))
    assert image.size == (300, 240)


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        ({}, "prompt is required"),
        ({"prompt": "x", "variations": 9}, "variations must be at most 4"),
        ({"prompt": "x", "background": "space"}, "background must be one of"),
        ({"prompt": "x", "extra": 1}, "Unknown field extra"),
    ],
)
def test_inputs_are_validated_against_the_input_schema(client, inputs, words):
    with pytest.raises(BadRequest) as caught:
        client.execute_node_app(PRODUCT_SHOT, inputs)
    assert words in caught.value.message
    assert client.list_jobs().items == ()


def test_execution_respects_the_backlog_cap_as_a_whole(sim, client):
    sim.set_concurrency("token-a", 1, backlog_cap=1)
    with pytest.raises(ConcurrencyLimit):
        client.execute_node_app(PRODUCT_SHOT, {"prompt": "x", "variations": 3})
    assert client.list_jobs().items == ()

"""The simulator's outputs are real files: images of the requested size and format, MP4s."""

import io

import av
import httpx
import pytest
from PIL import Image

from krea_integration.client import KreaClient
from krea_integration.simulator import Clock
from tests.krea_integration.conftest import TOKEN, client_for, make_simulator

pytestmark = pytest.mark.simulator(job_seconds=0)


def finished(client, job):
    done = client.get_job(job.job_id)
    assert done.status == "completed", done.raw
    return done


def download(http, url):
    response = http.get(url)
    assert response.status_code == 200, response.text
    return response


def image_of(response):
    return Image.open(io.BytesIO(response.content))


@pytest.mark.parametrize(
    ("model", "params", "size", "fmt"),
    [
        ("image/bfl/flux-1-dev", {"prompt": "p"}, (1024, 1024), "PNG"),
        ("image/bfl/flux-1-dev", {"prompt": "p", "width": 640, "height": 512}, (640, 512), "PNG"),
        (
            "image/google/nano-banana-pro",
            {"prompt": "dunes", "aspect_ratio": "16:9", "resolution": "1K"},
            (1024, 576),
            "PNG",
        ),
        (
            "image/z-image/z-image",
            {"prompt": "p", "aspect_ratio": "2:3", "resolution": "1K"},
            (683, 1024),
            "PNG",
        ),
        (
            "image/luma/uni-1",
            {"prompt": "p", "width": 512, "height": 512, "output_format": "jpeg"},
            (512, 512),
            "JPEG",
        ),
    ],
)
def test_images_have_the_requested_size_and_format(client, http, model, params, size, fmt):
    done = finished(client, client.generate(model, params))
    [url] = done.result.urls
    response = download(http, url)
    image = image_of(response)
    assert image.size == size
    assert image.format == fmt
    assert response.headers["content-type"] == Image.MIME[fmt]


def test_urls_are_absolute_on_the_requests_host(sim):
    client = KreaClient(TOKEN, base_url="http://sim.local:8100", transport=sim.transport())
    done = finished(client, client.generate("image/bfl/flux-1-dev", {"prompt": "p"}))
    assert done.result.urls[0].startswith("http://sim.local:8100/files/")


def test_public_base_url_overrides_the_host():
    sim = make_simulator(job_seconds=0, public_base_url="https://cdn.example/")
    client = client_for(sim)
    done = finished(client, client.generate("image/bfl/flux-1-dev", {"prompt": "p"}))
    assert done.result.urls[0].startswith("https://cdn.example/files/")


def test_same_prompt_and_seed_give_the_same_image_other_seed_another(client, http):
    urls = [
        finished(client, client.generate("image/bfl/flux-1-dev", params)).result.urls[0]
        for params in (
            {"prompt": "fox", "seed": 7, "width": 512, "height": 512},
            {"prompt": "fox", "seed": 7, "width": 512, "height": 512},
            {"prompt": "fox", "seed": 8, "width": 512, "height": 512},
        )
    ]
    first, again, other = (download(http, u).content for u in urls)
    assert first == again != other


def test_outputs_are_404_until_completed_and_previews_from_intermediate():
    sim = make_simulator(clock=Clock.manual(), job_seconds=10)
    client = client_for(sim)
    http = httpx.Client(transport=sim.transport())
    job = client.generate("image/bfl/flux-1-dev", {"prompt": "p"})
    record = sim.job_record(job.job_id)
    output_url = record.outputs[0].url(record.base_url)
    assert http.get(output_url).status_code == 404
    sim.advance(8)
    [preview] = client.get_job(job.job_id).result.urls
    assert max(image_of(download(http, preview)).size) <= 256
    assert http.get(output_url).status_code == 404
    sim.advance(2)
    assert image_of(download(http, output_url)).size == (1024, 1024)
    assert http.get(output_url.replace(".png", ".jpg")).status_code == 404


def test_video_is_a_playable_mp4_with_the_aspect_and_duration(client, http):
    job = client.generate(
        "video/kling/kling-2.6", {"prompt": "waves", "aspect_ratio": "9:16", "duration": 5}
    )
    [url] = finished(client, job).result.urls
    assert url.endswith(".mp4")
    response = download(http, url)
    assert response.headers["content-type"] == "video/mp4"
    with av.open(io.BytesIO(response.content)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.width < stream.height
        assert abs(stream.width / stream.height - 9 / 16) < 0.02
        seconds = float(stream.frames / stream.average_rate)
        assert 4.5 <= seconds <= 5.5
        frame = next(container.decode(video=0))
        assert frame.width == stream.width


def test_outputs_are_rendered_lazily_and_cached(sim, client, http):
    done = finished(client, client.generate("image/bfl/flux-1-dev", {"prompt": "p"}))
    assert len(sim.state.cache) == 0
    download(http, done.result.urls[0])
    assert len(sim.state.cache) == 1
    download(http, done.result.urls[0])
    assert len(sim.state.cache) == 1


def small_png(width=200, height=100):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_enhance_upscales_an_uploaded_asset(client, http):
    source = io.BytesIO(small_png())
    asset = client.upload_asset(source, filename="small.png")
    job = client.generate(
        "enhance/topaz/standard-enhance",
        {"image_url": asset.image_url, "width": 800, "height": 400, "model": "Standard V2"},
    )
    [url] = finished(client, job).result.urls
    assert url.endswith(".jpg")  # the schema's default output_format
    image = image_of(download(http, url))
    assert image.size == (800, 400)
    assert image.format == "JPEG"


def test_enhance_fetches_foreign_urls_with_the_fetcher():
    fetched = []

    def fetcher(url):
        fetched.append(url)
        return small_png(100, 100)

    sim = make_simulator(job_seconds=0, fetcher=fetcher)
    client = client_for(sim)
    http = httpx.Client(transport=sim.transport())
    job = client.generate(
        "enhance/topaz/generative-enhance",
        {
            "image_url": "https://images.example/cat.png",
            "width": 300,
            "height": 300,
            "output_format": "webp",
        },
    )
    [url] = finished(client, job).result.urls
    image = image_of(download(http, url))
    assert (image.size, image.format) == ((300, 300), "WEBP")
    assert fetched == ["https://images.example/cat.png"]


def test_enhance_of_an_unreachable_url_fails_the_job_clearly():
    def fetcher(url):
        raise httpx.ConnectError("connection refused")

    sim = make_simulator(job_seconds=0, fetcher=fetcher)
    client = client_for(sim)
    job = client.generate(
        "enhance/topaz/bloom-enhance",
        {
            "image_url": "https://nowhere.example/x.png",
            "width": 64,
            "height": 64,
            "model": "Reimagine",
        },
    )
    assert job.status == "queued"
    failed = client.get_job(job.job_id)
    assert failed.status == "failed"
    # One message whatever went wrong, so errors cannot map the simulator's network.
    assert failed.result.error == "Could not download the input at https://nowhere.example/x.png."


def test_enhance_of_a_non_image_fails_the_job():
    sim = make_simulator(job_seconds=0, fetcher=lambda url: b"plain text, not an image")
    client = client_for(sim)
    job = client.generate(
        "enhance/topaz/generative-enhance",
        {"image_url": "https://x.example/a.txt", "width": 64, "height": 64},
    )
    assert client.get_job(job.job_id).status == "failed"


def test_enhance_accepts_another_jobs_output(client, http):
    first = finished(
        client,
        client.generate("image/bfl/flux-1-dev", {"prompt": "p", "width": 512, "height": 512}),
    )
    job = client.generate(
        "enhance/topaz/generative-enhance",
        {"image_url": first.result.urls[0], "width": 1024, "height": 1024, "output_format": "png"},
    )
    [url] = finished(client, job).result.urls
    assert image_of(download(http, url)).size == (1024, 1024)


def test_count_parameters_produce_that_many_urls(sim, client, http):
    from dataclasses import replace

    from krea_integration.catalogue import load

    base = load()
    flux = base.get("image/bfl/flux-1-dev")
    schema = {
        **flux.request_schema,
        "properties": {
            **flux.request_schema["properties"],
            "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1},
        },
    }
    multi = replace(
        flux, id="image/krea/multi", path="/generate/image/krea/multi", request_schema=schema
    )
    sim = make_simulator(catalogue=replace(base, models=(*base.models, multi)), job_seconds=0)
    client = client_for(sim)
    http = httpx.Client(transport=sim.transport())
    job = client.generate("image/krea/multi", {"prompt": "p", "num_images": 3})
    urls = finished(client, job).result.urls
    assert len(set(urls)) == 3
    assert len({download(http, u).content for u in urls}) == 3

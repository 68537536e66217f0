"""The simulator's assets: multipart uploads checked by content, metadata, the 75 MB cap."""

import io

import pytest
from PIL import Image

from krea_integration.client import KreaClient
from krea_integration.errors import BadRequest, NotFound
from krea_integration.simulator.media import MAX_ASSET_BYTES, render_video

pytestmark = pytest.mark.simulator(job_seconds=0)


def picture(fmt="PNG", size=(320, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, fmt)
    return buffer.getvalue()


def test_upload_reports_metadata_and_serves_the_file(client, http, tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(picture("JPEG"))
    asset = client.upload_asset(path, description="a blue card")
    assert (asset.width, asset.height) == (320, 200)
    assert asset.size_bytes == path.stat().st_size
    assert asset.mime_type == "image/jpeg"
    assert asset.description == "a blue card"
    served = http.get(asset.image_url)
    assert served.status_code == 200
    assert served.content == path.read_bytes()
    assert served.headers["content-type"] == "image/jpeg"


def test_type_comes_from_the_content_not_the_name(client):
    asset = client.upload_asset(io.BytesIO(picture("PNG")), filename="lies.jpg")
    assert asset.mime_type == "image/png"
    assert asset.image_url.endswith(".png")
    assert "description" not in asset.raw


def test_videos_are_accepted_with_their_dimensions(client):
    data = render_video("clip", seed=1, width=320, height=180, duration_s=0.5)
    asset = client.upload_asset(io.BytesIO(data), filename="clip.mp4")
    assert asset.mime_type == "video/mp4"
    assert (asset.width, asset.height) == (320, 180)


def test_unsupported_content_is_400(client):
    with pytest.raises(BadRequest) as caught:
        client.upload_asset(io.BytesIO(b"just some text\n" * 10), filename="notes.png")
    assert "Invalid file type" in caught.value.message


def test_missing_file_field_and_non_multipart_are_400(http):
    assert http.post("/assets", data={"description": "no file"}).status_code == 400
    assert http.post("/assets", json={"file": "x"}).status_code == 400


def test_files_over_75_mb_are_400(http):
    too_big = b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_ASSET_BYTES - 7)
    response = http.post("/assets", files={"file": ("big.png", too_big, "image/png")})
    assert response.status_code == 400
    assert "75MB" in response.json()["error"]


def test_bodies_far_over_the_limit_are_refused_while_reading(http):
    huge = b"\0" * (MAX_ASSET_BYTES + 2 * 1024 * 1024)
    response = http.post("/assets", files={"file": ("huge.png", huge, "image/png")})
    assert response.status_code == 400


def test_list_get_delete(sim, client, http):
    uploaded = [client.upload_asset(io.BytesIO(picture()), filename=f"{i}.png") for i in range(3)]
    page = client.list_assets(limit=2)
    assert [a.id for a in page.items] == [uploaded[2].id, uploaded[1].id]
    assert [a.id for a in client.iter_assets(limit=2)] == [a.id for a in reversed(uploaded)]
    assert client.get_asset(uploaded[0].id).image_url == uploaded[0].image_url

    client.delete_asset(uploaded[0].id)
    with pytest.raises(NotFound):
        client.get_asset(uploaded[0].id)
    assert http.get(uploaded[0].image_url).status_code == 404
    assert len(client.list_assets().items) == 2


def test_assets_are_private_to_their_token(sim, client):
    asset = client.upload_asset(io.BytesIO(picture()), filename="mine.png")
    other = KreaClient("token-b", transport=sim.transport(), max_attempts=1)
    with pytest.raises(NotFound):
        other.get_asset(asset.id)
    with pytest.raises(NotFound):
        other.delete_asset(asset.id)
    assert other.list_assets().items == ()


def test_upload_is_logged_as_a_summary_not_bytes(sim, client):
    client.upload_asset(io.BytesIO(picture()), filename="log.png", description="d")
    record = sim.requests[-1]
    assert record.path == "/assets" and record.status == 200
    assert record.body["file"]["filename"] == "log.png"
    assert record.body["description"] == "d"

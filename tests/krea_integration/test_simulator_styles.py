"""The simulator's styles: training ends with a style_id, then list, patch and share."""

from decimal import Decimal

import httpx
import pytest

from krea_integration.errors import BadRequest, Forbidden, NotFound
from tests.krea_integration.conftest import PUBLIC_IMAGES, client_for, public_images

pytestmark = pytest.mark.simulator(fetcher=public_images)

URLS = [f"{PUBLIC_IMAGES}1.png", f"{PUBLIC_IMAGES}2.png"]


def trained(sim, client, body=None):
    job = client.train_style(body or {"name": "Ink", "urls": URLS, "trigger_word": "inkk"})
    sim.advance(10)
    done = client.get_job(job.job_id)
    assert done.status == "completed", done.raw
    return done.result.style_id


def test_a_training_image_krea_cannot_read_fails_the_job(sim, client):
    unreadable = "https://unreachable.invalid/3.png"
    job = client.train_style({"name": "Ink", "urls": [*URLS, unreadable]})
    sim.advance(10)
    failed = client.get_job(job.job_id)
    assert failed.status == "failed"
    assert failed.result.error == f"Could not download the input at {unreadable}."
    assert client.list_styles(filter="user").items == ()


def test_training_job_ends_with_a_style_id(sim, client):
    job = client.train_style({"name": "Ink", "urls": URLS})
    assert job.status == "queued" and job.raw["result"] is None
    assert client.list_styles(filter="user").items == ()
    sim.advance(10)
    done = client.get_job(job.job_id)
    assert done.status == "completed"
    assert done.result.style_id
    style = client.get_style(done.result.style_id)
    assert style.title == "Ink"
    assert style.public is False
    assert style.models == ("flux_dev",)
    assert style.owner is not None and style.urls and style.cover_url == style.urls[0]


def test_training_is_priced_per_step_and_debited_on_completion(sim, client):
    sim.set_credits("token-a", 1000)
    client.train_style({"model": "z-image", "name": "Z", "urls": URLS, "max_train_steps": 100})
    sim.advance(10)
    assert sim.credits("token-a") == Decimal(1000) - Decimal("2.4") * 100


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"urls": URLS}, "name is required"),
        ({"name": "x"}, "urls is required"),
        ({"model": "qwen", "name": "x", "urls": URLS, "type": "Default"}, "type must be one of"),
        ({"model": "sdxl", "name": "x", "urls": URLS}, "model must be one of"),
        ({"name": "x", "urls": URLS, "max_train_steps": 5000}, "at most 2000"),
        ({"name": "x", "urls": URLS, "batch_size": "big"}, "batch_size must be a whole number"),
    ],
)
def test_training_bodies_are_validated(client, body, words):
    with pytest.raises(BadRequest) as caught:
        client.train_style(body)
    assert words in caught.value.message


def test_both_training_shapes_are_accepted(sim, client):
    first = client.train_style(
        {"model": "wan22", "type": "Character", "name": "A", "urls": URLS, "learning_rate": 1e-4}
    )
    second = client.train_style({"model": "qwen", "type": "Object", "name": "B", "urls": URLS})
    sim.advance(10)
    models = {
        client.get_style(client.get_job(j.job_id).result.style_id).models for j in (first, second)
    }
    assert models == {("wan22",), ("qwen",)}


def test_filters(sim, client):
    mine = trained(sim, client)
    everything = {s.id for s in client.list_styles().items}
    krea = {s.id for s in client.list_styles(filter="krea").items}
    assert mine in everything and krea < everything and mine not in krea
    assert all(s.owner is None for s in client.list_styles(filter="krea").items)
    assert [s.id for s in client.list_styles(filter="user").items] == [mine]
    assert client.list_styles(filter="community").items == ()
    assert client.list_styles(filter="shared").items == ()
    assert client.list_styles(liked=True).items == ()
    assert [s.id for s in client.list_styles(ids=[mine]).items] == [mine]
    assert [s.id for s in client.list_styles(filter="user", model="flux_dev").items] == [mine]
    assert client.list_styles(filter="user", model="qwen").items == ()
    page = client.list_styles(limit=1)
    assert len(page.items) == 1 and page.next_cursor
    assert len(list(client.iter_styles(limit=1))) == len(everything)


def test_bad_filter_is_400(sim):
    http = httpx.Client(
        base_url="https://api.krea.ai",
        transport=sim.transport(),
        headers={"Authorization": "Bearer token-a"},
    )
    assert http.get("/styles?filter=mine").status_code == 400
    assert http.get("/styles?liked=maybe").status_code == 400
    assert http.get("/styles?limit=0").status_code == 400


def test_private_styles_are_404_to_other_tokens_until_public(sim, client):
    style_id = trained(sim, client)
    other = client_for(sim, "token-b")
    with pytest.raises(NotFound):
        other.get_style(style_id)
    client.update_style(style_id, public=True)
    assert other.get_style(style_id).public is True
    assert style_id in {s.id for s in other.list_styles(filter="community").items}
    with pytest.raises(NotFound):
        other.update_style(style_id, title="stolen")


def test_patch_title_urls_cover(sim, client):
    style_id = trained(sim, client)
    updated = client.update_style(
        style_id,
        title="Ink v2",
        urls=["https://images.example/new.png"],
        cover_url="https://images.example/cover.png",
    )
    assert updated.title == "Ink v2"
    assert updated.urls == ("https://images.example/new.png",)
    assert updated.cover_url == "https://images.example/cover.png"
    assert client.get_style(style_id).title == "Ink v2"


def test_patch_without_valid_fields_is_400(sim, client):
    style_id = trained(sim, client)
    http = client._http
    assert http.patch(f"/styles/{style_id}", json={}).status_code == 400
    assert http.patch(f"/styles/{style_id}", json={"public": None}).status_code == 400
    response = http.patch(f"/styles/{style_id}", json={"public": "yes"})
    assert response.status_code == 400 and "public" in response.json()["error"]


def test_share_link_is_201_then_200(sim, client):
    style_id = trained(sim, client)
    link, created = client.style_share_link(style_id)
    assert created is True and link.is_new is True
    again, created_again = client.style_share_link(style_id)
    assert created_again is False and again.is_new is False
    assert again.share_link == link.share_link
    with pytest.raises(NotFound):
        client_for(sim, "token-b").style_share_link(style_id)


def test_share_with_workspace_and_remove(sim, client):
    sim.set_workspace("token-a", "acme")
    sim.set_workspace("token-b", "acme")
    teammate = client_for(sim, "token-b")
    outsider = client_for(sim, "token-c")
    style_id = trained(sim, client)

    share = client.share_style_with_workspace(style_id)
    assert share.success and share.style_id == style_id
    assert share.workspace.name == "acme" and share.workspace.is_default
    assert teammate.get_style(style_id).id == style_id
    assert [s.id for s in teammate.list_styles(filter="shared").items] == [style_id]
    with pytest.raises(NotFound):
        outsider.get_style(style_id)
    with pytest.raises(Forbidden):
        teammate.share_style_with_workspace(style_id)
    with pytest.raises(Forbidden):
        teammate.unshare_style_from_workspace(style_id)

    client.unshare_style_from_workspace(style_id)
    with pytest.raises(NotFound):
        teammate.get_style(style_id)
    with pytest.raises(NotFound):
        client.unshare_style_from_workspace(style_id)


def test_krea_styles_cannot_be_shared_or_patched(sim, client):
    krea_style = client.list_styles(filter="krea").items[0]
    with pytest.raises(Forbidden):
        client.share_style_with_workspace(krea_style.id)
    with pytest.raises(NotFound):
        client.update_style(krea_style.id, title="mine now")


def test_style_previews_are_served(sim, client):
    style_id = trained(sim, client)
    url = client.get_style(style_id).urls[0]
    response = httpx.Client(transport=sim.transport()).get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"


def test_training_failure_creates_no_style(sim, client):
    sim.queue_fault("fail-at=processing", token="token-a", path="/styles/train")
    job = client.train_style({"name": "Doomed", "urls": URLS})
    sim.advance(10)
    failed = client.get_job(job.job_id)
    assert failed.status == "failed" and failed.result.style_id is None
    assert client.list_styles(filter="user").items == ()

"""API v1 assets: upload (same checks and limits as the pages), list, detail, describe,
delete, import; another team's asset is a 404."""

import io

import pytest
from django.test.client import encode_multipart

from krea_integration.client import MAX_ASSET_BYTES, KreaClient
from studio.assets.models import Asset
from tests.assets.conftest import picture
from tests.factories import KREA_TOKEN, AssetFactory

pytestmark = pytest.mark.django_db


def test_a_member_uploads_a_file_and_gets_the_asset_with_its_krea_url(
    api_as, member, team_with_token, krea
):
    response = api_as(member).post(
        "/api/v1/assets",
        {"file": io.BytesIO(picture()), "description": "a blue card"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    asset = Asset.objects.get()
    assert body["id"] == str(asset.uuid) and body["url"] == asset.krea_url
    assert (body["kind"], body["mime_type"], body["width"], body["height"]) == (
        "image",
        "image/png",
        320,
        200,
    )
    assert body["uploaded_by"] == member.email and body["imported"] is False
    assert response["Location"].endswith(f"/api/v1/assets/{asset.uuid}")


def test_a_text_file_named_png_is_a_400_naming_the_file(api_as, member, team_with_token, krea):
    notes = io.BytesIO(b"not a picture\n")
    notes.name = "notes.png"
    response = api_as(member).post("/api/v1/assets", {"file": notes}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "asset_refused"
    assert body["fields"]["file"] == [body["error"]]
    assert body["error"].startswith("notes.png is plain text")


def test_no_file_is_a_400_naming_the_field(api_as, member, team_with_token, krea):
    response = api_as(member).post("/api/v1/assets", {"description": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["file"] == ["No file was submitted."]


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the body of a refused upload was read")


def test_a_body_announcing_more_than_75_mb_is_refused_unread(
    api_as, member, team_with_token, krea, make_key
):
    key = make_key(member)
    from django.test import Client

    response = Client().generic(
        "POST",
        "/api/v1/assets",
        b"",
        content_type="multipart/form-data; boundary=xyz",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_X_FILE_NAME="holiday%20film.mp4",
        CONTENT_LENGTH=str(MAX_ASSET_BYTES + 1024 * 1024),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "asset_too_large"
    assert (
        body["error"]
        == "holiday film.mp4 is larger than 75 MB, the most Krea accepts for one asset."
    )
    assert not Asset.objects.exists()


def test_a_file_passing_75_mb_without_an_announced_size_is_skipped_while_received(
    api_as, member, team_with_token, krea, settings
):
    big = io.BytesIO(picture() + b"\0" * (MAX_ASSET_BYTES + 10))
    big.name = "big.png"
    body = encode_multipart("BoUnDaRy", {"file": big})
    from studio.assets import uploads

    # Announce a size under the limit, as a chunked or lying client could.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(uploads, "MAX_REQUEST_BYTES", len(body) + 1)
        response = api_as(member).generic(
            "POST", "/api/v1/assets", body, content_type="multipart/form-data; boundary=BoUnDaRy"
        )
    assert response.status_code == 413
    assert response.json()["error"].startswith("big.png is larger than 75 MB")


def test_krea_failing_is_a_502_and_nothing_is_recorded(api_as, member, team_with_token, krea):
    krea.queue_fault("500", token=KREA_TOKEN, method="POST", path="/assets")
    response = api_as(member).post(
        "/api/v1/assets", {"file": io.BytesIO(picture())}, format="multipart"
    )
    assert response.status_code == 502
    assert response.json()["code"] == "krea_upload_failed"
    assert not Asset.objects.exists()


def test_without_a_token_the_upload_is_a_409(api_as, member, team, krea):
    response = api_as(member).post(
        "/api/v1/assets", {"file": io.BytesIO(picture())}, format="multipart"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "krea_token_missing"


def test_the_list_is_newest_first_filtered_and_paged(api_as, member, admin, team, other_team):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    mine = AssetFactory(team=team, uploaded_by=member, description="red boat", created_at=now)
    AssetFactory(
        team=team,
        uploaded_by=admin,
        kind="video",
        mime_type="video/mp4",
        created_at=now - timedelta(minutes=1),
    )
    older = [
        AssetFactory(team=team, uploaded_by=admin, created_at=now - timedelta(hours=h + 1))
        for h in range(3)
    ]
    AssetFactory(team=other_team, description="red boat")
    client = api_as(member)

    page = client.get("/api/v1/assets?limit=2").json()
    assert len(page["results"]) == 2 and page["results"][0]["id"] == str(mine.uuid)
    rest = client.get(page["next"]).json()
    assert [a["id"] for a in rest["results"]] == [str(older[0].uuid), str(older[1].uuid)]
    assert [a["id"] for a in client.get("/api/v1/assets?q=red").json()["results"]] == [
        str(mine.uuid)
    ]
    assert len(client.get("/api/v1/assets?kind=video").json()["results"]) == 1
    assert len(client.get(f"/api/v1/assets?uploader={admin.email}").json()["results"]) == 4
    bad = client.get("/api/v1/assets?kind=pdf")
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]


def test_detail_and_description_and_another_teams_asset_is_a_404(api_as, member, team, other_team):
    asset = AssetFactory(team=team, uploaded_by=member)
    theirs = AssetFactory(team=other_team)
    client = api_as(member)
    assert client.get(f"/api/v1/assets/{asset.uuid}").json()["file_name"] == asset.file_name
    changed = client.patch(
        f"/api/v1/assets/{asset.uuid}", {"description": "new words"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["description"] == "new words"
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(f"/api/v1/assets/{theirs.uuid}")
        assert response.status_code == 404, method
        assert response.json()["error"] == "There is no asset with this id in your team."


def test_deleting_someone_elses_asset_takes_an_admin(api_as, member, admin, team_with_token, krea):
    uploaded = api_as(admin).post(
        "/api/v1/assets", {"file": io.BytesIO(picture())}, format="multipart"
    )
    asset_url = f"/api/v1/assets/{uploaded.json()['id']}"
    refused = api_as(member).delete(asset_url)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert api_as(admin).delete(asset_url).status_code == 204
    assert not Asset.objects.exists()


def test_import_says_how_many_were_added(api_as, member, team_with_token, krea):
    client = KreaClient(KREA_TOKEN, base_url="http://krea.test", transport=krea.transport())
    client.upload_asset(io.BytesIO(picture()), filename="made-at-krea.png")
    assert api_as(member).post("/api/v1/assets/import").json() == {"added": 1}
    assert api_as(member).post("/api/v1/assets/import").json() == {"added": 0}
    assert Asset.objects.get().imported

"""The asset pages: library, upload (widget rows and plain form), one asset, delete, import,
and the files, served to the team only."""

import io

import pytest
from django.test import Client

from krea_integration.client import MAX_ASSET_BYTES, KreaClient
from studio.assets.models import Asset
from tests.factories import KREA_TOKEN, AssetFactory, MembershipFactory

from .conftest import picture, sound, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_member(client, member):
    client.force_login(member)
    return client


def test_the_library_is_in_the_main_navigation_and_explains_itself_when_empty(as_member, team):
    page = as_member.get("/assets/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/assets/" aria-current="page">Assets</a>' in html
    assert "Assets are the team's own files at Krea" in html
    assert 'href="/assets/upload/"' in html


def test_the_library_shows_newest_first_filters_and_loads_more(as_member, team, member, admin):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for number in range(30):
        AssetFactory(
            team=team,
            uploaded_by=admin,
            file_name=f"still-{number:02d}.png",
            created_at=now - timedelta(minutes=number),
        )
    AssetFactory(
        team=team,
        uploaded_by=member,
        kind="audio",
        mime_type="audio/wav",
        file_name="theme.wav",
        description="the theme tune",
    )
    first = as_member.get("/assets/").content.decode()
    assert first.index("theme.wav") < first.index("still-00.png")
    assert "still-25.png" not in first and "Load more" in first
    more = as_member.get(
        "/assets/", {"cursor": first.split("cursor=")[1].split('"')[0]}
    ).content.decode()
    assert "still-25.png" in more
    assert "theme.wav" in as_member.get("/assets/", {"q": "theme tune"}).content.decode()
    assert "still-00.png" not in as_member.get("/assets/", {"q": "theme"}).content.decode()
    only_audio = as_member.get("/assets/", {"kind": "audio"}).content.decode()
    assert "theme.wav" in only_audio and "still-01.png" not in only_audio
    mine = as_member.get("/assets/", {"uploader": member.pk}).content.decode()
    assert "theme.wav" in mine and "still-01.png" not in mine
    fragment = as_member.get(
        "/assets/", {"kind": "audio"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="asset-results"
    )
    assert fragment.content.decode().lstrip().startswith('<div id="asset-results">')


def row_upload(client, name, content, **headers):
    return client.post(
        "/assets/upload/",
        {"file": upload(name, content)},
        HTTP_X_UPLOAD_ROW="1",
        HTTP_X_FILE_NAME=name,
        **headers,
    )


def test_the_widget_gets_one_row_per_file_with_the_thumbnail_or_the_error(
    as_member, team_with_token, krea
):
    done = row_upload(as_member, "card.png", picture())
    assert done.status_code == 201
    asset = Asset.objects.get()
    html = done.content.decode()
    assert html.lstrip().startswith('<li class="upload-row upload-row--done">')
    assert (
        f"/assets/{asset.uuid}/thumbnail/" in html and f'data-asset-url="{asset.krea_url}"' in html
    )

    refused = row_upload(as_member, "notes.png", b"shopping list\n")
    assert refused.status_code == 415
    assert "notes.png is plain text, not a file Krea accepts" in refused.content.decode()

    krea.queue_fault("503", token=KREA_TOKEN, method="POST", path="/assets")
    failed = row_upload(as_member, "second.png", picture())
    assert failed.status_code == 502
    assert "second.png was not uploaded: Krea had a problem (HTTP 503)" in failed.content.decode()
    assert Asset.objects.count() == 1


def test_a_request_announcing_more_than_75_mb_is_refused_unread_without_a_csrf_token(
    member, team_with_token, krea
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    class Unreadable(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise AssertionError("the body was read")

    response = client.generic(
        "POST",
        "/assets/upload/",
        b"",
        content_type="multipart/form-data; boundary=xyz",
        HTTP_X_UPLOAD_ROW="1",
        HTTP_X_FILE_NAME="long%20take.mov",
        CONTENT_LENGTH=str(MAX_ASSET_BYTES + 1024 * 1024),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert "long take.mov is larger than 75 MB" in response.content.decode()
    assert not Asset.objects.exists()


def test_without_js_the_form_uploads_every_file_and_lists_each_result(
    as_member, team_with_token, krea
):
    response = as_member.post(
        "/assets/upload/",
        {
            "file": [
                upload("good.png", picture()),
                upload("bad.png", b"text\n"),
                upload("tune.wav", sound()),
            ]
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="upload-row upload-row--done"') == 2
    assert "bad.png is plain text" in html
    assert sorted(Asset.objects.values_list("file_name", flat=True)) == ["good.png", "tune.wav"]


def test_the_upload_page_takes_an_optional_description_that_goes_with_each_file(
    as_member, team_with_token, krea
):
    page = as_member.get("/assets/upload/").content.decode()
    assert '<textarea name="description"' in page and "(optional)" in page
    response = as_member.post(
        "/assets/upload/",
        {"file": upload("dock.png", picture()), "description": "  the old dock at dusk "},
        HTTP_X_UPLOAD_ROW="1",
    )
    assert response.status_code == 201
    asset = Asset.objects.get()
    assert asset.description == "the old dock at dusk"
    krea_client = KreaClient(KREA_TOKEN, base_url="http://krea.test", transport=krea.transport())
    sent = krea_client.get_asset(asset.krea_id)
    assert sent.description == "the old dock at dusk"  # Krea keeps it too
    assert "dock.png" in as_member.get("/assets/", {"q": "dusk"}).content.decode()

    too_long = as_member.post(
        "/assets/upload/",
        {
            "file": [upload("a.png", picture()), upload("b.png", picture())],
            "description": "x" * 2001,
        },
    )
    html = too_long.content.decode()
    assert html.count("Description: Ensure this value has at most 2000 characters") == 2
    assert Asset.objects.count() == 1


def test_the_upload_page_asks_for_a_token_first(as_member, team):
    assert "has no Krea token" in as_member.get("/assets/upload/").content.decode()


def test_an_asset_page_shows_its_facts_preview_and_where_to_use_it(
    as_member, team_with_token, krea, member
):
    as_member.post("/assets/upload/", {"file": upload("tune.wav", sound(0.5))})
    asset = Asset.objects.get()
    html = as_member.get(f"/assets/{asset.uuid}/").content.decode()
    assert f'<audio controls preload="metadata" src="/assets/{asset.uuid}/file/"' in html
    assert "0.5 s" in html and asset.krea_id in html and "by Mia Member" in html
    assert 'value="video/alibaba/wan-2.5"' in html  # it takes an audio_url
    assert 'value="image/bfl/flux-1-dev"' not in html
    served = as_member.get(f"/assets/{asset.uuid}/file/")
    assert served.status_code == 200 and served["Content-Type"] == "audio/wav"


def test_the_uploader_edits_the_description_and_another_member_cannot(
    as_member, client, team, member
):
    asset = AssetFactory(team=team, uploaded_by=member)
    response = as_member.post(f"/assets/{asset.uuid}/", {"description": "a red boat"})
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.description == "a red boat"
    other = Client()
    other.force_login(MembershipFactory(team=team).user)
    assert "Save the description" not in other.get(f"/assets/{asset.uuid}/").content.decode()
    assert other.post(f"/assets/{asset.uuid}/", {"description": "mine"}).status_code == 403
    assert other.get(f"/assets/{asset.uuid}/delete/").status_code == 403


def test_delete_asks_first_then_removes_it_at_krea_and_here(as_member, team_with_token, krea):
    row_upload(as_member, "card.png", picture())
    asset = Asset.objects.get()
    confirm = as_member.get(f"/assets/{asset.uuid}/delete/")
    assert "Delete card.png?" in confirm.content.decode()
    assert Asset.objects.exists()
    done = as_member.post(f"/assets/{asset.uuid}/delete/", follow=True)
    assert "card.png is deleted." in done.content.decode()
    assert not Asset.objects.exists()
    client = KreaClient(KREA_TOKEN, base_url="http://krea.test", transport=krea.transport())
    assert not client.list_assets().items


def test_import_says_how_many_came_from_krea(
    as_member, team_with_token, krea, django_capture_on_commit_callbacks
):
    client = KreaClient(KREA_TOKEN, base_url="http://krea.test", transport=krea.transport())
    client.upload_asset(io.BytesIO(picture()), filename="there.png", description="made at Krea")
    with django_capture_on_commit_callbacks(execute=True):
        page = as_member.post("/assets/import/", follow=True).content.decode()
    assert "1 asset added from Krea" in page
    asset = Asset.objects.get()
    assert asset.imported and asset.thumbnail
    assert "made at Krea" in page and "imported" in page
    again = as_member.post("/assets/import/", follow=True).content.decode()
    assert "Nothing new at Krea" in again

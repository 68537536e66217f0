"""Uploading, describing, deleting and importing assets, against the Krea simulator."""

import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from krea_integration.client import MAX_ASSET_BYTES, KreaClient
from studio.assets import services
from studio.assets.models import Asset
from studio.audit.models import AuditEntry
from studio.teams.tokens import TeamHasNoToken
from tests.factories import KREA_TOKEN

from .conftest import clip, picture, sound, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def mia(member, team_with_token):
    return member.memberships.get(team=team_with_token)


def krea_assets(krea):
    return (
        KreaClient(KREA_TOKEN, base_url="http://krea.test", transport=krea.transport())
        .list_assets()
        .items
    )


def test_an_image_goes_to_krea_and_is_recorded_with_its_facts_and_thumbnail(krea, mia):
    asset = services.asset_upload(
        membership=mia,
        file=upload("holiday.jpg", picture("JPEG", size=(640, 480))),
        file_name="holiday.jpg",
        description="  the beach  ",
    )
    [at_krea] = krea_assets(krea)
    assert (asset.krea_id, asset.krea_url) == (at_krea.id, at_krea.image_url)
    assert at_krea.mime_type == "image/jpeg" and at_krea.description == "the beach"
    assert (asset.kind, asset.mime_type, asset.width, asset.height) == (
        "image",
        "image/jpeg",
        640,
        480,
    )
    assert asset.size == at_krea.size_bytes
    assert (asset.file_name, asset.description, asset.uploaded_by, asset.imported) == (
        "holiday.jpg",
        "the beach",
        mia.user,
        False,
    )
    assert asset.thumbnail.read(3) == b"\xff\xd8\xff"
    assert asset.file.size == asset.size


def test_the_type_comes_from_the_content_not_the_name(krea, mia):
    asset = services.asset_upload(
        membership=mia, file=upload("looks-like.jpg", picture("PNG")), file_name="looks-like.jpg"
    )
    assert asset.mime_type == "image/png" and asset.file.name.endswith(".png")
    assert krea_assets(krea)[0].mime_type == "image/png"


def test_a_clip_and_a_sound_get_their_duration(krea, mia):
    video = services.asset_upload(membership=mia, file=upload("c.mp4", clip()), file_name="c.mp4")
    audio = services.asset_upload(
        membership=mia, file=upload("s.wav", sound(0.5)), file_name="s.wav"
    )
    assert (video.kind, video.width, video.height) == ("video", 160, 96)
    assert video.duration == pytest.approx(1.0, abs=0.2) and video.thumbnail
    assert audio.kind == "audio" and audio.duration == pytest.approx(0.5, abs=0.05)
    assert not audio.thumbnail  # audio and 3D show an icon


def test_a_text_file_named_png_is_refused_naming_the_file_and_what_it_is(krea, mia):
    with pytest.raises(services.AssetRefused) as refused:
        services.asset_upload(
            membership=mia, file=upload("notes.png", b"remember the milk\n"), file_name="notes.png"
        )
    assert str(refused.value).startswith("notes.png is plain text, not a file Krea accepts")
    assert not Asset.objects.exists() and not krea_assets(krea)


def test_a_file_over_75_mb_is_refused_before_anything_is_sent(krea, mia):
    big = io.BytesIO()
    big.write(picture("PNG"))
    big.seek(MAX_ASSET_BYTES)
    big.write(b"\0")
    with pytest.raises(services.AssetTooLarge) as refused:
        services.asset_upload(membership=mia, file=big, file_name="huge.png")
    assert "huge.png (75.0 MB) is larger than 75 MB" in str(refused.value)
    assert not [r for r in krea.requests if r.path == "/assets"]


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("503", "Krea had a problem (HTTP 503). Nothing was saved"),
        ("timeout=0", "Krea did not answer in time. Nothing was saved"),
        ("400", "Krea refused photo.png"),
    ],
)
def test_krea_failing_mid_upload_records_nothing_and_says_why(krea, mia, fault, words):
    krea.queue_fault(fault, token=KREA_TOKEN, method="POST", path="/assets")
    with pytest.raises(services.AssetUploadFailed) as failed:
        services.asset_upload(
            membership=mia, file=upload("photo.png", picture()), file_name="photo.png"
        )
    assert words in str(failed.value)
    assert str(failed.value).count("photo.png") == 1
    assert not Asset.objects.exists()


def test_a_team_without_a_token_cannot_upload(team, member, krea):
    with pytest.raises(TeamHasNoToken):
        services.asset_upload(
            membership=member.memberships.get(team=team),
            file=upload("a.png", picture()),
            file_name="a.png",
        )


def test_a_failed_save_takes_the_asset_back_from_krea(krea, mia):
    with (
        mock.patch.object(Asset, "save", side_effect=RuntimeError("database gone")),
        pytest.raises(RuntimeError),
    ):
        services.asset_upload(membership=mia, file=upload("a.png", picture()), file_name="a.png")
    assert not krea_assets(krea)


def _uploaded(membership, name="mine.png"):
    return services.asset_upload(
        membership=membership, file=upload(name, picture()), file_name=name
    )


def test_the_uploader_deletes_at_krea_and_here_and_the_audit_log_says_so(krea, mia):
    asset = _uploaded(mia)
    stored = asset.file.name
    services.asset_delete(membership=mia, asset=asset)
    assert not Asset.objects.exists() and not krea_assets(krea)
    assert not asset.file.storage.exists(stored)
    entry = AuditEntry.objects.get(action="asset.deleted")
    assert entry.actor == mia.user and "mine.png" in entry.summary
    assert entry.details["krea_asset_id"] == asset.krea_id


def test_another_members_asset_takes_an_owner_or_admin_to_delete(krea, mia, admin, owner):
    asset = _uploaded(mia)
    from tests.factories import MembershipFactory

    bob = MembershipFactory(team=mia.team, role="member")
    with pytest.raises(PermissionDenied):
        services.asset_delete(membership=bob, asset=asset)
    assert Asset.objects.filter(pk=asset.pk).exists()
    services.asset_delete(membership=admin.memberships.get(team=mia.team), asset=asset)
    assert not Asset.objects.exists()


def test_an_asset_krea_already_forgot_is_still_deleted_here(krea, mia):
    asset = _uploaded(mia)
    KreaClient(KREA_TOKEN, base_url="http://krea.test", transport=krea.transport()).delete_asset(
        asset.krea_id
    )
    services.asset_delete(membership=mia, asset=asset)
    assert not Asset.objects.exists()


def test_krea_failing_a_delete_keeps_the_asset(krea, mia):
    asset = _uploaded(mia)
    krea.queue_fault("500", token=KREA_TOKEN, method="DELETE", times=5)
    with pytest.raises(services.AssetKreaError, match="nothing was deleted"):
        services.asset_delete(membership=mia, asset=asset)
    assert Asset.objects.filter(pk=asset.pk).exists()


@pytest.mark.slow
def test_import_brings_in_every_page_of_krea_assets_once_with_thumbnails(
    krea, mia, django_capture_on_commit_callbacks
):
    _uploaded(mia, "known.png")
    client = KreaClient(KREA_TOKEN, base_url="http://krea.test", transport=krea.transport())
    for number in range(102):  # more than one page of 100
        krea.clock.advance(1)
        client.upload_asset(io.BytesIO(picture(color=(number, 0, 0))), filename=f"{number}.png")
    client.upload_asset(io.BytesIO(clip()), filename="clip.mp4", description="from Krea")

    with django_capture_on_commit_callbacks(execute=True):
        assert services.assets_import(membership=mia) == 103
    assert services.assets_import(membership=mia) == 0
    imported = Asset.objects.filter(imported=True)
    assert imported.count() == 103
    assert Asset.objects.get(file_name="known.png").imported is False
    video = imported.get(kind="video")
    assert (video.description, video.uploaded_by, video.file_name) == ("from Krea", None, "")
    # Files and thumbnails are copied by the background task (eager in tests).
    assert video.thumbnail and video.file and video.duration == pytest.approx(1.0, abs=0.2)
    assert all(asset.thumbnail for asset in imported.filter(kind="image")[:3])


def test_the_description_is_changed_by_its_uploader_only_or_an_admin(krea, mia, admin):
    asset = _uploaded(mia)
    services.asset_describe(membership=mia, asset=asset, description=" a blue card ")
    asset.refresh_from_db()
    assert asset.description == "a blue card"
    from tests.factories import MembershipFactory

    with pytest.raises(PermissionDenied):
        services.asset_describe(
            membership=MembershipFactory(team=mia.team), asset=asset, description="mine now"
        )

"""Files are recognised by their content, the way Krea does, never by their names."""

import io

import pytest

from studio.assets import media

from .conftest import clip, picture, sound


@pytest.mark.parametrize(
    ("content", "mime_type", "kind"),
    [
        (picture("JPEG"), "image/jpeg", "image"),
        (picture("PNG"), "image/png", "image"),
        (picture("WEBP"), "image/webp", "image"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic", "image"),
        (clip(), "video/mp4", "video"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "video/quicktime", "video"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm", "video"),
        (b"glTF\x02\x00\x00\x00" + b"\x00" * 16, "model/gltf-binary", "3d"),
        (sound(), "audio/wav", "audio"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 10, "audio/mpeg", "audio"),
    ],
    ids=["jpeg", "png", "webp", "heic", "mp4", "mov", "webm", "glb", "wav", "mp3"],
)
def test_every_type_krea_accepts_is_recognised_by_its_bytes(content, mime_type, kind):
    found = media.identify(io.BytesIO(content))
    assert (found.mime_type, found.kind) == (mime_type, kind)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"just some notes\nnot a picture\n", "plain text"),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "an Adobe Portable Document Format file (application/pdf)",
        ),
        (b"", "an empty file"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", None),
    ],
    ids=["text", "pdf", "empty", "matroska"],
)
def test_other_files_are_refused_with_what_they_really_are(content, what):
    with pytest.raises(media.UnsupportedFile) as refused:
        media.identify(io.BytesIO(content))
    if what:
        assert what in refused.value.what


def test_a_picture_is_measured_and_gets_a_small_jpeg_thumbnail():
    facts = media.media_facts(io.BytesIO(picture("PNG", size=(1600, 900))), "image")
    assert (facts.width, facts.height) == (1600, 900)
    assert facts.thumbnail.startswith(b"\xff\xd8\xff")
    from PIL import Image

    with Image.open(io.BytesIO(facts.thumbnail)) as thumb:
        assert max(thumb.size) == media.THUMBNAIL_SIDE


def test_a_clip_is_measured_timed_and_gets_its_first_frame_as_poster():
    facts = media.media_facts(io.BytesIO(clip(width=160, height=96, seconds=1.0)), "video")
    assert (facts.width, facts.height) == (160, 96)
    assert facts.duration == pytest.approx(1.0, abs=0.2)
    assert facts.thumbnail.startswith(b"\xff\xd8\xff")


def test_a_sound_is_timed_and_has_no_picture():
    facts = media.media_facts(io.BytesIO(sound(seconds=0.5)), "audio")
    assert facts.duration == pytest.approx(0.5, abs=0.05)
    assert facts.thumbnail is None


def test_content_that_cannot_be_decoded_here_still_gives_facts_without_a_thumbnail():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    assert media.safe_media_facts(io.BytesIO(heic), "image") == media.MediaFacts()

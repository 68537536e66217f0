"""The files the Krea stand-in serves as job outputs, and how it checks uploaded assets.

People using the portal against the simulator see these files: a picture must be the
size and format they asked for and show their prompt, a video must play in the browser
for as long as requested, an enhanced image must be bigger, and an upload is judged by
what it is, not by what it is called.
"""

import base64
import io
import struct
import wave
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageStat

from krea_integration.simulator.media import (
    ACCEPTED_TYPES,
    MAX_ASSET_BYTES,
    AssetTooLarge,
    MediaInfo,
    UnsupportedMedia,
    inspect,
    poster_frame,
    render_image,
    render_video,
    thumbnail,
    upscale,
)


def _open(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def _difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute per-channel difference (0..255) of two pictures at 32x32."""
    small_a = a.convert("RGB").resize((32, 32))
    small_b = b.convert("RGB").resize((32, 32))
    return sum(ImageStat.Stat(ImageChops.difference(small_a, small_b)).mean) / 3


def _png(width: int, height: int, mode: str = "RGB", fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    colour = (200, 30, 60, 128) if mode == "RGBA" else (200, 30, 60)
    Image.new(mode, (width, height), colour).save(buf, fmt)
    return buf.getvalue()


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize(
    ("fmt", "pil_format"),
    [("png", "PNG"), ("jpeg", "JPEG"), ("jpg", "JPEG"), ("webp", "WEBP"), ("PNG", "PNG")],
)
def test_image_has_the_requested_format_and_exact_size(fmt, pil_format):
    img = _open(render_image("a lighthouse at dawn", seed=3, width=640, height=360, fmt=fmt))
    assert img.format == pil_format
    assert img.size == (640, 360)


@pytest.mark.parametrize(("width", "height"), [(1, 1), (33, 17), (512, 1536), (1360, 768)])
def test_image_size_is_exact_for_odd_and_extreme_shapes(width, height):
    img = _open(render_image("sizes", seed=1, width=width, height=height))
    assert img.size == (width, height)


def test_oversized_image_is_scaled_down_to_4096_keeping_the_aspect_ratio():
    img = _open(render_image("huge", seed=1, width=8192, height=2048, fmt="jpeg"))
    assert img.size == (4096, 1024)


def test_same_prompt_and_seed_give_identical_bytes():
    first = render_image("a red fox in the snow", seed=42, width=320, height=240)
    assert render_image("a red fox in the snow", seed=42, width=320, height=240) == first


def test_different_prompts_look_clearly_different():
    fox = _open(render_image("a red fox in the snow", seed=42, width=256, height=256))
    whale = _open(render_image("a blue whale under an aurora", seed=42, width=256, height=256))
    assert _difference(fox, whale) > 20


def test_different_seeds_look_different():
    one = _open(render_image("a red fox", seed=1, width=256, height=256))
    two = _open(render_image("a red fox", seed=2, width=256, height=256))
    assert _difference(one, two) > 20


def test_prompt_is_written_on_the_picture():
    """The caption panel at the bottom darkens the picture and carries bright text."""
    img = _open(render_image("a red fox in the snow", seed=42, width=512, height=512)).convert("L")
    caption = img.crop((0, 440, 512, 512))
    # White glyphs on a dark panel: the caption area holds both very dark and very bright pixels.
    low, high = caption.getextrema()
    assert low < 80
    assert high > 230


@pytest.mark.parametrize(
    "kwargs",
    [
        {"width": 0, "height": 10},
        {"width": 10, "height": -1},
        {"width": 10, "height": 10, "fmt": "gif"},
    ],
)
def test_image_rejects_impossible_requests(kwargs):
    with pytest.raises(ValueError):
        render_image("x", seed=1, **kwargs)


# --------------------------------------------------------------------------- videos


@pytest.fixture(scope="module")
def landscape_clip() -> bytes:
    return render_video(
        "a red fox running through the snow", seed=7, width=1920, height=1080, duration_s=5
    )


def _video_facts(data: bytes) -> dict:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_image() for frame in container.decode(video=0)]
        return {
            "format": container.format.name,
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "size": (stream.codec_context.width, stream.codec_context.height),
            "duration": float(stream.duration * stream.time_base),
            "rate": stream.average_rate,
            "frames": frames,
        }


def test_video_is_h264_mp4_scaled_to_640_with_the_requested_duration(landscape_clip):
    facts = _video_facts(landscape_clip)
    assert "mp4" in facts["format"]
    assert facts["codec"] == "h264"
    assert facts["pix_fmt"] == "yuv420p"
    assert facts["size"] == (640, 360)
    assert len(facts["frames"]) == 60
    assert facts["rate"] == 12
    assert abs(facts["duration"] - 5.0) <= 1 / 12


def test_video_moov_atom_comes_first_so_browsers_can_start_playing(landscape_clip):
    assert landscape_clip[4:8] == b"ftyp"
    assert 0 < landscape_clip.find(b"moov") < landscape_clip.find(b"mdat")


def test_video_has_motion(landscape_clip):
    frames = _video_facts(landscape_clip)["frames"]
    assert _difference(frames[0], frames[len(frames) // 2]) > 1


@pytest.mark.parametrize(
    ("width", "height", "duration_s", "fps", "size", "frames"),
    [
        (720, 1280, 2.0, 12, (360, 640), 24),
        (1024, 1024, 2.5, 24, (640, 640), 60),
        (320, 240, 1.0, 8, (320, 240), 8),
    ],
)
def test_video_keeps_aspect_ratio_even_sides_and_frame_count(
    width, height, duration_s, fps, size, frames
):
    facts = _video_facts(
        render_video("shape", seed=1, width=width, height=height, duration_s=duration_s, fps=fps)
    )
    assert facts["size"] == size
    assert len(facts["frames"]) == frames
    assert abs(facts["duration"] - duration_s) <= 1 / fps


def test_odd_video_sizes_become_even_for_yuv420p():
    facts = _video_facts(render_video("odd", seed=1, width=333, height=201, duration_s=0.5))
    width, height = facts["size"]
    assert width % 2 == 0 and height % 2 == 0
    assert abs(width - 333) <= 1 and abs(height - 201) <= 1


def test_same_video_request_gives_the_same_video():
    # x264 at a height that is no multiple of 16 (180) now and then encodes the first frame a
    # few bytes differently from identical input, so the promise is the same pictures, frame
    # by frame and in the same container, not the same bytes.
    make = lambda: _video_facts(  # noqa: E731
        render_video("a cat", seed=5, width=320, height=180, duration_s=1)
    )
    first, second = make(), make()
    assert {k: v for k, v in first.items() if k != "frames"} == {
        k: v for k, v in second.items() if k != "frames"
    }
    assert len(first["frames"]) == len(second["frames"])
    assert all(
        _difference(a, b) < 1 for a, b in zip(first["frames"], second["frames"], strict=True)
    )


def test_different_video_prompts_look_different():
    cat = _video_facts(render_video("a cat", seed=5, width=320, height=180, duration_s=1))
    dog = _video_facts(render_video("a dog", seed=5, width=320, height=180, duration_s=1))
    assert _difference(cat["frames"][0], dog["frames"][0]) > 20


@pytest.mark.parametrize(
    "kwargs",
    [
        {"duration_s": 0},
        {"duration_s": 1, "fps": 0},
        {"duration_s": 1, "fmt": "webm"},
        {"duration_s": 1, "width": 0},
    ],
)
def test_video_rejects_impossible_requests(kwargs):
    with pytest.raises(ValueError):
        render_video("x", seed=1, **{"width": 64, "height": 64, **kwargs})


@pytest.mark.browser
def test_chromium_plays_the_video(landscape_clip, browser):
    src = "data:video/mp4;base64," + base64.b64encode(landscape_clip).decode()
    page = browser.new_page()
    try:
        page.set_content('<video id="v" muted playsinline></video>')
        facts = page.evaluate(
            """src => new Promise(resolve => {
                const v = document.getElementById("v");
                const done = () => resolve({error: v.error && v.error.code,
                    width: v.videoWidth, height: v.videoHeight,
                    duration: v.duration, time: v.currentTime});
                v.addEventListener("error", done);
                v.addEventListener("timeupdate", () => { if (v.currentTime > 0.2) done(); });
                v.src = src;
                v.play().catch(done);
                setTimeout(done, 10000);
            })""",
            src,
        )
    finally:
        page.close()
    assert facts["error"] is None
    assert (facts["width"], facts["height"]) == (640, 360)
    assert abs(facts["duration"] - 5.0) <= 1 / 12
    assert facts["time"] > 0.2


# --------------------------------------------------------------------------- enhance


def test_upscale_doubles_a_png_and_keeps_its_format():
    img = _open(upscale(_png(100, 60)))
    assert (img.format, img.size) == ("PNG", (200, 120))


def test_upscale_keeps_jpeg_and_transparency():
    assert _open(upscale(_png(50, 40, fmt="JPEG"))).format == "JPEG"
    rgba = _open(upscale(_png(50, 40, mode="RGBA"), factor=1.5))
    assert rgba.size == (75, 60)
    assert rgba.mode == "RGBA"


def test_upscale_converts_when_asked():
    img = _open(upscale(_png(64, 64), factor=4, fmt="webp"))
    assert (img.format, img.size) == ("WEBP", (256, 256))


def test_upscale_is_capped_keeping_the_aspect_ratio():
    img = _open(upscale(_png(300, 100), factor=4, max_side=600))
    assert img.size == (600, 200)


def test_upscale_refuses_what_is_not_an_image():
    with pytest.raises(UnsupportedMedia):
        upscale(b"hello, I am text")


# --------------------------------------------------------------------------- previews


def test_poster_frame_is_a_small_jpeg_of_the_first_frame(landscape_clip):
    poster = _open(poster_frame(landscape_clip, max_side=320))
    assert (poster.format, poster.size) == ("JPEG", (320, 180))
    first = _video_facts(landscape_clip)["frames"][0]
    assert _difference(poster, first) < 10


def test_poster_frame_reads_a_file(tmp_path, landscape_clip):
    path = tmp_path / "clip.mp4"
    path.write_bytes(landscape_clip)
    with path.open("rb") as fh:
        assert _open(poster_frame(fh)).size == (512, 288)


def test_poster_frame_refuses_what_is_not_a_video():
    with pytest.raises(UnsupportedMedia):
        poster_frame(b"not a video at all, just some text" * 10)


def test_thumbnail_is_a_jpeg_that_fits_and_never_enlarges():
    assert _open(thumbnail(_png(1000, 500))).size == (512, 256)
    small = _open(thumbnail(_png(100, 80, mode="RGBA"), max_side=512))
    assert (small.format, small.size) == ("JPEG", (100, 80))


# --------------------------------------------------------------------------- inspection


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, payload: bytes = b"") -> bytes:
    return _box(kind, b"\0\0\0\0" + payload)


def _heic() -> bytes:
    """ftyp + meta with a thumbnail and a 4032x3024 primary image extent, as an iPhone writes."""
    ipco = _box(
        b"ipco",
        _full_box(b"ispe", struct.pack(">II", 320, 240))
        + _full_box(b"ispe", struct.pack(">II", 4032, 3024)),
    )
    meta = _full_box(
        b"meta",
        _full_box(b"hdlr", b"\0\0\0\0pict" + b"\0" * 13) + _box(b"iprp", ipco),
    )
    return _box(b"ftyp", b"heic\0\0\0\0mif1heic") + meta + _box(b"mdat", b"\0" * 32)


def _ebml(doctype: bytes) -> bytes:
    def element(ident: bytes, value: bytes) -> bytes:
        return ident + bytes([0x80 | len(value)]) + value

    body = (
        element(b"\x42\x86", b"\x01")
        + element(b"\x42\xf7", b"\x01")
        + element(b"\x42\xf2", b"\x04")
        + element(b"\x42\xf3", b"\x08")
        + element(b"\x42\x82", doctype)
        + element(b"\x42\x87", b"\x04")
        + element(b"\x42\x85", b"\x02")
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body


def _glb() -> bytes:
    doc = b'{"asset":{"version":"2.0"}}'
    doc += b" " * (-len(doc) % 4)
    chunk = struct.pack("<I", len(doc)) + b"JSON" + doc
    return b"glTF" + struct.pack("<II", 2, 12 + len(chunk)) + chunk


def _wav() -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 800)
    return buf.getvalue()


_MP3_FRAME = b"\xff\xfb\x90\x00" + b"\0" * 413  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz


def _mp3_with_id3() -> bytes:
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 20]) + b"\0" * 20
    return tag + _MP3_FRAME * 3


def _encode_video(fmt: str, codec: str, width: int, height: int) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, 10)
        for i in range(3):
            frame = av.VideoFrame.from_image(Image.new("RGB", (width, height), (i * 80, 0, 0)))
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return buf.getvalue()


SAMPLES: dict[str, tuple[Callable[[], bytes], str, int | None, int | None]] = {
    "png": (lambda: _png(30, 20), "image/png", 30, 20),
    "jpeg": (lambda: _png(31, 21, fmt="JPEG"), "image/jpeg", 31, 21),
    "webp": (lambda: _png(32, 22, fmt="WEBP"), "image/webp", 32, 22),
    "heic": (_heic, "image/heic", 4032, 3024),
    "mp4": (
        lambda: render_video("x", seed=1, width=96, height=64, duration_s=0.5),
        "video/mp4",
        96,
        64,
    ),
    "mov": (lambda: _encode_video("mov", "libx264", 64, 48), "video/quicktime", 64, 48),
    "mov-header-only": (
        lambda: _box(b"ftyp", b"qt  \0\0\2\0qt  ") + _box(b"wide") + _box(b"mdat", b"\0" * 8),
        "video/quicktime",
        None,
        None,
    ),
    "mov-without-ftyp": (lambda: _box(b"wide") + _box(b"mdat"), "video/quicktime", None, None),
    "webm": (lambda: _encode_video("webm", "libvpx", 80, 60), "video/webm", 80, 60),
    "webm-header-only": (lambda: _ebml(b"webm"), "video/webm", None, None),
    "glb": (_glb, "model/gltf-binary", None, None),
    "wav": (_wav, "audio/wav", None, None),
    "mp3": (lambda: _MP3_FRAME * 3, "audio/mpeg", None, None),
    "mp3-with-id3": (_mp3_with_id3, "audio/mpeg", None, None),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_inspect_recognises_each_accepted_type(name):
    make, mime, width, height = SAMPLES[name]
    data = make()
    assert inspect(data) == MediaInfo(mime, width, height, len(data), ACCEPTED_TYPES[mime])


def test_every_accepted_type_is_recognised():
    assert {sample[1] for sample in SAMPLES.values()} == set(ACCEPTED_TYPES)


def test_inspect_ignores_the_file_name(tmp_path):
    misnamed = tmp_path / "holiday.txt"
    misnamed.write_bytes(_png(40, 30, fmt="JPEG"))
    info = inspect(misnamed)
    assert (info.mime_type, info.extension, info.width, info.height) == (
        "image/jpeg",
        "jpg",
        40,
        30,
    )


def test_text_file_named_png_is_refused_with_the_accepted_types(tmp_path):
    fake = tmp_path / "photo.png"
    fake.write_text("definitely not a picture\n")
    with pytest.raises(UnsupportedMedia) as refused:
        inspect(fake)
    message = str(refused.value)
    for kind in ("JPEG", "PNG", "WebP", "HEIC", "MP4", "MOV", "WebM", "GLB", "WAV", "MP3"):
        assert kind in message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a" + b"\0" * 20,
        _ebml(b"matroska"),
        _box(b"ftyp", b"avif\0\0\0\0mif1avif"),
        _box(b"ftyp", b"M4A \0\0\0\0M4A mp42isom") + _box(b"mdat"),
        b"glTF" + struct.pack("<II", 1, 20) + b"\0" * 8,
        b"\xff\xf1\x50\x80" + b"\0" * 100,  # AAC (ADTS), not MP3
        b"%PDF-1.7\n",
    ],
    ids=["empty", "gif", "mkv", "avif", "m4a", "gltf-1", "aac", "pdf"],
)
def test_inspect_refuses_other_content(data):
    with pytest.raises(UnsupportedMedia):
        inspect(data)


class _CountingFile(io.BytesIO):
    """A file that remembers how many bytes were read from it."""

    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readinto(self, buffer) -> int:
        n = super().readinto(buffer)
        self.bytes_read += n
        return n


def test_inspect_reads_only_the_start_of_a_large_file():
    big = _CountingFile(_png(1200, 900, fmt="JPEG") + b"\0" * (20 * 1024 * 1024))
    info = inspect(big)
    assert (info.mime_type, info.width, info.height) == ("image/jpeg", 1200, 900)
    assert info.size == len(big.getvalue())
    assert big.bytes_read < 1024 * 1024


def test_inspect_reads_video_dimensions_from_a_file_object(landscape_clip):
    clip = _CountingFile(landscape_clip)
    clip.seek(17)
    info = inspect(clip)
    assert (info.mime_type, info.width, info.height) == ("video/mp4", 640, 360)
    assert clip.tell() == 17, "the caller's position is restored"


def test_inspect_enforces_a_size_limit_when_asked():
    data = _png(10, 10)
    assert inspect(data, max_bytes=len(data)).size == len(data)
    with pytest.raises(AssetTooLarge):
        inspect(data, max_bytes=len(data) - 1)
    assert issubclass(AssetTooLarge, UnsupportedMedia)


def test_krea_asset_limit_is_75_megabytes():
    assert MAX_ASSET_BYTES == 75 * 1024 * 1024


def test_inspect_accepts_a_path_object(tmp_path):
    path: Path = tmp_path / "upload.bin"
    path.write_bytes(_wav())
    assert inspect(path).mime_type == "audio/wav"

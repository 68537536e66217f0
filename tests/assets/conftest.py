"""Files to upload, built in memory, and a way to upload them as a member."""

import io
import struct
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from krea_integration.simulator.media import render_video


def picture(fmt: str = "PNG", size=(320, 200), color=(10, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def clip(width: int = 160, height: int = 96, seconds: float = 1.0) -> bytes:
    return render_video("a test clip", seed=1, width=width, height=height, duration_s=seconds)


def sound(seconds: float = 0.5, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack("<h", 0) * int(rate * seconds))
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def membership_of():
    def _membership(user, team):
        return user.memberships.get(team=team)

    return _membership

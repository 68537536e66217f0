"""An uploaded asset as the simulator keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import media
from .clock import isoformat

__all__ = ["AssetRecord"]


@dataclass
class AssetRecord:
    """An uploaded file and what inspection found out about it."""

    id: str
    token: str
    data: bytes
    info: media.MediaInfo
    description: str | None
    uploaded_at: datetime
    file_id: str
    base_url: str

    @property
    def url(self) -> str:
        """The asset's ``image_url``."""
        return f"{self.base_url}/files/{self.file_id}.{self.info.extension}"

    def to_json(self) -> dict[str, Any]:
        """The asset as Krea shows it."""
        body: dict[str, Any] = {
            "id": self.id,
            "image_url": self.url,
            "uploaded_at": isoformat(self.uploaded_at),
            "width": self.info.width,
            "height": self.info.height,
            "size_bytes": self.info.size,
            "mime_type": self.info.mime_type,
        }
        if self.description is not None:
            body["description"] = self.description
        body["metadata"] = {"extension": self.info.extension}
        return body

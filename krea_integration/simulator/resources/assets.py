"""Assets: ``POST /assets``, ``GET /assets``, ``GET|DELETE /assets/{id}``."""

from __future__ import annotations

import uuid
from typing import Any

from .. import media
from ..assets import AssetRecord
from ..paging import page_of
from ..state import ApiError, SimulatorState

__all__ = ["AssetsHandler", "too_large_message"]


def too_large_message() -> str:
    """Krea's 400 for an upload over the asset limit."""
    return f"File too large: the maximum size is {media.MAX_ASSET_BYTES // (1024 * 1024)}MB."


class AssetsHandler:
    """Stores uploads per token and serves them as files."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def create(
        self, token: str, data: bytes, *, description: str | None, base_url: str
    ) -> dict[str, Any]:
        """``POST /assets`` once the upload is read: check the content, store it."""
        try:
            info = media.inspect(data, max_bytes=media.MAX_ASSET_BYTES)
        except media.AssetTooLarge:
            raise ApiError(400, too_large_message()) from None
        except media.UnsupportedMedia as exc:
            raise ApiError(400, f"Invalid file type: {exc}") from None
        state = self.state
        with state.lock:
            asset = AssetRecord(
                id=str(uuid.uuid4()),
                token=token,
                data=data,
                info=info,
                description=description,
                uploaded_at=state.stamp(state.clock.now()),
                file_id=str(uuid.uuid4()),
                base_url=base_url,
            )
            state.assets[asset.id] = asset
            state.files[asset.file_id] = ("asset", asset.id, None)
            return asset.to_json()

    def _asset_for(self, token: str, asset_id: str) -> AssetRecord:
        asset = self.state.assets.get(asset_id)
        if asset is None or asset.token != token:
            raise ApiError(404, "Asset not found")
        return asset

    def get(self, token: str, asset_id: str) -> dict[str, Any]:
        """``GET /assets/{id}``."""
        with self.state.lock:
            return self._asset_for(token, asset_id).to_json()

    def delete(self, token: str, asset_id: str) -> dict[str, Any]:
        """``DELETE /assets/{id}``: the file stops being served."""
        with self.state.lock:
            asset = self._asset_for(token, asset_id)
            del self.state.assets[asset.id]
            self.state.files.pop(asset.file_id, None)
            return {"success": True, "message": "Asset deleted successfully"}

    def list(
        self, token: str, *, cursor: str | None = None, limit: str | None = None
    ) -> dict[str, Any]:
        """``GET /assets``: newest first; ``cursor`` = assets uploaded before that time."""
        with self.state.lock:
            assets = sorted(
                (a for a in self.state.assets.values() if a.token == token),
                key=lambda a: a.uploaded_at,
                reverse=True,
            )
            return page_of(
                assets, lambda a: a.uploaded_at, AssetRecord.to_json, cursor=cursor, limit=limit
            )

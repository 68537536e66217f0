"""The asset library's background work: one public function to enqueue each task.

Services call these inside ``transaction.on_commit``. The tasks themselves are in
``worker.py`` and are enqueued by name, so services import this module, the
worker imports the services, and nothing imports back.
"""

from __future__ import annotations

from celery import current_app

STORE_ASSET_FILE = "studio.assets.tasks.store_asset_file"


def enqueue_store_asset_file(asset_id: int) -> None:
    """Copy an imported asset's file from Krea and make its thumbnail."""
    current_app.signature(STORE_ASSET_FILE, args=[asset_id]).apply_async()

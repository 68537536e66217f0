"""Celery tasks of the asset library: thin wrappers that take ids and call services.

Enqueue them through ``tasks.py``; ``AssetsConfig.ready`` imports this module so
every process knows them by name.
"""

from celery import shared_task

from . import services, tasks


@shared_task(name=tasks.STORE_ASSET_FILE, acks_late=True, max_retries=0, ignore_result=True)
def store_asset_file(asset_id: int) -> None:
    """Copy an imported asset's file from Krea and make its thumbnail (safe to repeat)."""
    services.asset_store_file(asset_id=asset_id)

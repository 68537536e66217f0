"""``asset_created``: sent after the commit of a new asset, ``send(sender=Asset, asset_id=...)``."""

from django.dispatch import Signal

asset_created = Signal()

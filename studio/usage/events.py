"""What usage tells other apps, without knowing them (outgoing webhooks listen here).

``quota_reached`` is sent after the commit of a reservation that takes a quota's use in
its period to or past ``threshold`` percent (80, then 100) of its limit:
``send(sender=Quota, quota_id=..., threshold=..., used=..., limit=..., period_start=...)``.
"""

from django.dispatch import Signal

QUOTA_THRESHOLDS = (80, 100)

quota_reached = Signal()

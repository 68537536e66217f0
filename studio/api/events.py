"""The portal's events, published as outgoing webhooks with the API's own representations.

Generation, usage, assets and styles send signals (their ``events`` modules) and know
nothing of webhooks; this module, connected in ``ApiConfig.ready``, turns each into a
``studio.webhooks.services.event_publish`` call whose ``data`` is exactly what the API
answers for the object (a job as ``GET /api/v1/jobs/{id}`` shows it, ...). It lives in
the API app because that representation does.
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.utils.encoders import JSONEncoder

from studio.assets.events import asset_created
from studio.assets.models import Asset
from studio.generation.events import job_finished
from studio.generation.models import Job
from studio.styles.events import style_trained
from studio.styles.models import Style
from studio.usage.events import quota_reached
from studio.usage.models import Quota
from studio.webhooks.events import JOB_EVENTS, EventType
from studio.webhooks.services import event_publish

from .v1.assets import AssetSerializer
from .v1.serializers import JobSerializer
from .v1.styles import StyleSerializer
from .v1.webhooks import QuotaReachedSerializer


class _PublicAddress:
    """Stands in for a request: outputs' URLs are absolute on the portal's public address."""

    def build_absolute_uri(self, path: str) -> str:
        return settings.PUBLIC_BASE_URL + path


CONTEXT = {"request": _PublicAddress()}


def _as_sent(data) -> dict:
    """``data`` as the API's JSON renders it (decimals as numbers, dates as ISO 8601)."""
    return json.loads(json.dumps(data, cls=JSONEncoder))


def job_event(job: Job) -> dict | None:
    """The job's terminal event type and data, or None for a job that has not ended."""
    event_type = JOB_EVENTS.get(job.status)
    if event_type is None:
        return None
    return {"type": event_type, "data": _as_sent(JobSerializer(job, context=CONTEXT).data)}


def _on_job_finished(sender, *, job_id: int, **kwargs) -> None:
    job = Job.objects.select_related("created_by").filter(pk=job_id).first()
    event = job and job_event(job)
    if event:
        event_publish(
            team_id=job.team_id,
            event_type=event["type"],
            data=event["data"],
            dedupe_key=f"{event['type']}:{job.uuid}",
            job_id=job.pk,
        )


def _on_quota_reached(sender, *, quota_id: int, threshold: int, used, limit, period_start, **kw):
    quota = Quota.objects.select_related("user").filter(pk=quota_id).first()
    if quota is None:
        return
    data = _as_sent(
        QuotaReachedSerializer(
            {
                "quota_id": quota.pk,
                "scope": "member" if quota.user_id else "team",
                "member": quota.user.email if quota.user_id else None,
                "threshold": threshold,
                "used": used,
                "limit": limit,
                "period": quota.period,
                "period_start": period_start,
            }
        ).data
    )
    start = period_start.isoformat() if period_start else "start"
    event_publish(
        team_id=quota.team_id,
        event_type=EventType.QUOTA_REACHED,
        data=data,
        dedupe_key=f"quota.reached:{quota.pk}:{start}:{threshold}",
    )


def _on_asset_created(sender, *, asset_id: int, **kwargs) -> None:
    asset = Asset.objects.select_related("uploaded_by").filter(pk=asset_id).first()
    if asset is not None:
        event_publish(
            team_id=asset.team_id,
            event_type=EventType.ASSET_CREATED,
            data=_as_sent(AssetSerializer(asset, context=CONTEXT).data),
            dedupe_key=f"asset.created:{asset.uuid}",
        )


def _on_style_trained(sender, *, style_id: int, **kwargs) -> None:
    style = Style.objects.select_related("trained_by", "training_job").filter(pk=style_id).first()
    if style is not None:
        event_publish(
            team_id=style.team_id,
            event_type=EventType.STYLE_TRAINED,
            data=_as_sent(StyleSerializer(style, context=CONTEXT).data),
            dedupe_key=f"style.trained:{style.uuid}",
        )


def connect() -> None:
    job_finished.connect(_on_job_finished, dispatch_uid="webhooks-job-finished")
    quota_reached.connect(_on_quota_reached, dispatch_uid="webhooks-quota-reached")
    asset_created.connect(_on_asset_created, dispatch_uid="webhooks-asset-created")
    style_trained.connect(_on_style_trained, dispatch_uid="webhooks-style-trained")

"""Writes for node apps: add one to the team (fetched from Krea), refresh, remove, run.

Adding and refreshing are short Krea calls (``GET /node-apps/{id}``) made for the
owner or admin who asked. A run goes through the generation pipeline: its price is
reserved and its one execute request sent by the team's queue
(``generation.runs``); every job Krea starts for it is followed like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from krea_integration import catalogue
from krea_integration import errors as krea_errors
from krea_integration import types as krea_types
from studio.downloads import download_allowed_here
from studio.generation import tasks as generation_tasks
from studio.generation.models import IN_FLIGHT, Job, JobKind
from studio.generation.services import job_queue, require_krea_token
from studio.teams.models import Membership
from studio.teams.tokens import team_krea_client

from . import selectors
from .models import NodeApp, NodeAppRun

MAX_VERSION_ID = 100


class NodeAppUnknown(Exception):
    """Krea knows no node app version by this id (or the id cannot be one)."""


class InvalidNodeAppInputs(Exception):
    """Inputs the node app's schema refuses: each problem names its field."""

    def __init__(self, errors: list[catalogue.ParamError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field or 'inputs'}: {e.message}" for e in errors))


def _require_change(membership: Membership) -> None:
    if not selectors.node_app_may_change(membership=membership):
        raise PermissionDenied(selectors.NODE_APP_CHANGE_REFUSED)


def node_app_fetch(*, membership: Membership, version_id: str) -> krea_types.NodeApp:
    """What Krea says of node app version ``version_id`` (the preview before saving it).

    For owners and admins (``PermissionDenied``). Raises ``TeamHasNoToken``,
    ``NodeAppUnknown`` for an id Krea does not know, and ``KreaError`` when Krea
    cannot be asked.
    """
    _require_change(membership)
    require_krea_token(membership.team)
    version_id = version_id.strip()
    unknown = NodeAppUnknown(
        f"Krea has no node app version “{version_id[:MAX_VERSION_ID]}”. Copy the version id "
        "from the app's page on Krea (Use via API)."
    )
    if not version_id or len(version_id) > MAX_VERSION_ID or any(c.isspace() for c in version_id):
        raise unknown
    try:
        with team_krea_client(team=membership.team) as client:
            return client.get_node_app(version_id)
    except (krea_errors.NotFound, krea_errors.BadRequest):
        raise unknown from None


def _fields(krea_app: krea_types.NodeApp) -> dict[str, Any]:
    version = krea_app.version
    return {
        "krea_app_id": krea_app.id,
        "name": krea_app.name or krea_app.slug or "Untitled node app",
        "slug": krea_app.slug,
        "description": krea_app.description,
        "author": krea_app.username,
        "version": str(int(version)) if float(version).is_integer() else str(version),
        # Shown as images on the team's pages: only from the hosts outputs come from.
        "example_outputs": [
            url for url in krea_app.example_outputs or [] if download_allowed_here(url)
        ],
        "input_schema": dict(krea_app.input_schema or {}),
        "output_schema": dict(krea_app.output_schema or {}),
        "refreshed_at": timezone.now(),
    }


def node_app_add(*, membership: Membership, version_id: str) -> NodeApp:
    """Fetch node app version ``version_id`` from Krea and save it for the team.

    Saving one the team has already refreshes it. Raises as ``node_app_fetch``.
    """
    krea_app = node_app_fetch(membership=membership, version_id=version_id)
    app, _created = NodeApp.objects.update_or_create(
        team=membership.team,
        version_id=version_id.strip(),
        defaults=_fields(krea_app),
        create_defaults={**_fields(krea_app), "added_by": membership.user},
    )
    return app


def node_app_refresh(*, app: NodeApp, by: Membership) -> NodeApp:
    """Fetch the latest details of ``app`` from Krea (name, description, input schema)."""
    krea_app = node_app_fetch(membership=by, version_id=app.version_id)
    for name, value in _fields(krea_app).items():
        setattr(app, name, value)
    app.save()
    return app


def node_app_remove(*, app: NodeApp, by: Membership) -> None:
    """Remove ``app`` from the team; its runs and their jobs and outputs stay."""
    _require_change(by)
    app.delete()


def node_app_check_inputs(*, app: NodeApp, inputs: Mapping[str, Any]) -> None:
    """Raise ``InvalidNodeAppInputs`` unless the app's input schema takes ``inputs``."""
    errors = catalogue.validate_against(app.input_schema or {"type": "object"}, dict(inputs))
    if errors:
        raise InvalidNodeAppInputs(errors)


def node_app_run(*, membership: Membership, app: NodeApp, inputs: Mapping[str, Any]) -> NodeAppRun:
    """Run ``app`` for ``membership``: check the inputs, reserve its price, queue the execute.

    One transaction: the run, its first job (kind ``node_app``) and the reservation
    of one run's price commit together; the team's queue then sends the one execute
    request, and every job Krea starts joins the run. Raises ``TeamHasNoToken``,
    ``InvalidNodeAppInputs`` and ``QuotaExceeded``.
    """
    require_krea_token(membership.team)
    node_app_check_inputs(app=app, inputs=inputs)
    price = selectors.node_app_price(app)
    with transaction.atomic():
        run = NodeAppRun.objects.create(
            team=membership.team,
            app=app,
            app_name=app.name,
            version_id=app.version_id,
            inputs=dict(inputs),
            created_by=membership.user,
            price_cu=price.cu,
            price_published=price.published,
        )
        job = job_queue(
            membership=membership,
            kind=JobKind.NODE_APP,
            model_id=app.model_id,
            model_name=app.name,
            group="",
            params=dict(inputs),
            prompt=str(inputs.get("prompt") or ""),
            estimate=price,
        )
        Job.objects.filter(pk=job.pk).update(run=run)
    return run


def run_watch(*, run: NodeAppRun) -> None:
    """A member is watching ``run``: ask Krea now about its jobs whose next poll is due.

    Execute takes no webhook URL, so the run's jobs are polled; a watched run is
    polled at its jobs' own pace (2 s, growing) rather than the periodic sweep's.
    """
    now = timezone.now()
    due = list(
        run.jobs.filter(status__in=IN_FLIGHT, next_poll_at__lte=now)
        .exclude(krea_job_id="")
        .values_list("pk", flat=True)
    )
    for job_pk in due:
        # Pushed out first, so the next look at the card does not ask again meanwhile.
        Job.objects.filter(pk=job_pk).update(next_poll_at=now + timedelta(seconds=30))
        generation_tasks.enqueue_refresh(job_pk)

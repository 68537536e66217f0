"""Reads for node apps: the team's apps, one app, one run and its jobs, a run's price.

``node_app_for`` and ``run_for`` are the one way pages and the API reach an app or
a run from an id in a URL: another team's does not exist for this one (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from studio.generation.models import TERMINAL, Job, JobStatus
from studio.teams.models import Membership, Team
from studio.usage.pricing import Estimate, node_app_estimate
from studio.usage.selectors import Allowance, allowance_for

from .models import NodeApp, NodeAppRun

NODE_APP_NOT_FOUND = "There is no node app with this id in your team."
RUN_NOT_FOUND = "There is no node app run with this id in your team."
NODE_APP_CHANGE_REFUSED = "Only the team's owners and admins may add or remove node apps."


def node_app_may_change(*, membership: Membership) -> bool:
    """Adding, refreshing and removing a team's node apps takes an owner or admin."""
    return membership.can_manage


def team_node_apps(*, team: Team) -> QuerySet[NodeApp]:
    return NodeApp.objects.filter(team=team).order_by("name", "id")


def node_app_for(membership: Membership, uuid: UUID, *, to_change: bool = False) -> NodeApp:
    """The node app ``uuid`` of ``membership``'s team.

    Raises ``Http404`` when the team has none (another team's app does not exist for
    this one) and, with ``to_change``, ``PermissionDenied`` for a plain member.
    """
    app = NodeApp.objects.filter(team_id=membership.team_id, uuid=uuid).first()
    if app is None:
        raise Http404(NODE_APP_NOT_FOUND)
    if to_change and not node_app_may_change(membership=membership):
        raise PermissionDenied(NODE_APP_CHANGE_REFUSED)
    return app


def run_for(membership: Membership, uuid: UUID) -> NodeAppRun:
    """The run ``uuid`` of ``membership``'s team (``Http404`` if none)."""
    run = (
        NodeAppRun.objects.filter(team_id=membership.team_id, uuid=uuid)
        .select_related("app", "created_by")
        .first()
    )
    if run is None:
        raise Http404(RUN_NOT_FOUND)
    return run


def run_jobs(run: NodeAppRun) -> list[Job]:
    """The run's jobs in the order Krea started them, with their outputs."""
    return list(run.jobs.order_by("pk").prefetch_related("outputs"))


def app_runs(*, app: NodeApp, limit: int = 10) -> list[NodeAppRun]:
    return list(app.runs.order_by("-created_at", "-id")[:limit])


def node_app_price(app: NodeApp) -> Estimate:
    """What one run of ``app`` reserves and, if any of its jobs completes, costs."""
    return node_app_estimate(app.model_id, app.name)


@dataclass(frozen=True)
class RunState:
    """What a run's card shows: how its jobs stand and what it cost."""

    jobs: list[Job]
    charged_cu: Decimal | None

    @property
    def finished(self) -> bool:
        return bool(self.jobs) and all(job.status in TERMINAL for job in self.jobs)

    @property
    def completed(self) -> int:
        return sum(job.status == JobStatus.COMPLETED for job in self.jobs)

    @property
    def outputs(self) -> list:
        return [output for job in self.jobs for output in job.outputs.all()]

    @property
    def waiting_for_files(self) -> bool:
        return any(
            job.status == JobStatus.COMPLETED and not job.outputs.all() and not job.error
            for job in self.jobs
        )

    @property
    def status(self) -> str:
        if not self.finished:
            return "running"
        return "completed" if self.completed else "failed"


def run_state(run: NodeAppRun) -> RunState:
    jobs = run_jobs(run)
    charged = jobs[0].charged_cu if jobs else None
    return RunState(jobs=jobs, charged_cu=charged)


def run_estimate_view(*, membership: Membership, app: NodeApp) -> tuple[Estimate, Allowance]:
    return node_app_price(app), allowance_for(membership=membership)

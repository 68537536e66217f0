"""Fixtures for the public API: keys, clients that send them, and finished jobs with files."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from studio.api.services import api_key_create
from studio.generation.models import Job, JobStatus, Output

FLUX = "image/bfl/flux-1-dev"


@pytest.fixture
def make_key(team):
    """``make_key(user, team=None, **kwargs)`` -> the full key of a new API key."""

    def _make(user, team_=None, **kwargs):
        membership = user.memberships.get(team=team_ or team)
        return api_key_create(membership=membership, name=kwargs.pop("name", "test"), **kwargs).key

    return _make


@pytest.fixture
def api_as(make_key, other_team):
    """``api_as(user)``: an API client sending a fresh key of ``user`` (in their team)."""

    def _client(user, key=None):
        if key is None:
            team_ = user.memberships.first().team
            key = make_key(user, team_)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return _client


@pytest.fixture
def make_job(team, member):
    """A job of ``team`` (by ``member``) in any state, without Krea."""

    def _make(*, by=None, team_=None, status=JobStatus.COMPLETED, outputs=0, **kwargs):
        finished = status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)
        job = Job.objects.create(
            team=team_ or team,
            created_by=by or member,
            model_id=kwargs.pop("model_id", FLUX),
            model_name=kwargs.pop("model_name", "Flux"),
            group="image",
            params=kwargs.pop("params", {"prompt": "a lighthouse"}),
            prompt="a lighthouse",
            status=status,
            estimate_cu=kwargs.pop("estimate_cu", 3),
            finished_at=timezone.now() if finished else None,
            **kwargs,
        )
        for position in range(outputs):
            output = Output(
                job=job,
                team_id=job.team_id,
                position=position,
                mime_type="image/png",
                size=11,
                width=8,
                height=8,
                source_url="https://files.krea.ai/x.png",
            )
            output.file.save(
                f"{job.uuid}-{position}.png",
                ContentFile(b"PNG-BYTES-" + bytes([48 + position])),
                save=False,
            )
            output.save()
        return job

    return _make


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)

"""Styles against the simulator: a training submitted and run to its end by Krea's clock."""

import pytest

from studio.styles import services

# Two image URLs the simulator accepts as training images.
IMAGES = ["https://cdn.example.com/ink-1.png", "https://cdn.example.com/ink-2.png"]


@pytest.fixture(autouse=True)
def public_url(settings):
    """Krea calls back (the portal's webhook view runs through the test client)."""
    settings.PUBLIC_BASE_URL = "https://studio.example.com"


@pytest.fixture
def advance(krea, django_capture_on_commit_callbacks):
    """Move Krea's clock; its webhooks run through the portal's view and tasks (eager)."""

    def _advance(seconds: float):
        with django_capture_on_commit_callbacks(execute=True):
            return krea.advance(seconds)

    return _advance


@pytest.fixture
def train(team_with_token, member, django_capture_on_commit_callbacks):
    """Submit a training as ``member`` (or ``by``) and run what the commit enqueues."""

    def _train(*, by=None, **body):
        membership = (by or member).memberships.get(team=team_with_token)
        body = {"name": "Ink wash", "urls": IMAGES, "trigger_word": "inkwash", **body}
        with django_capture_on_commit_callbacks(execute=True):
            job = services.style_train(membership=membership, body=body)
        job.refresh_from_db()
        return job

    return _train


@pytest.fixture
def trained_style(train, advance):
    """A style ``member`` trained on flux_dev, recorded after its job completed."""
    job = train()
    advance(60)
    job.refresh_from_db()
    return job.trained_style

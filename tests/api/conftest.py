"""Fixtures for the public API: keys and clients that send them."""

import pytest
from rest_framework.test import APIClient

from tests.factories import ApiKeyFactory


@pytest.fixture
def make_key(team):
    """``make_key(user, team=None, **kwargs)`` -> the full key of a new API key."""

    def _make(user, team_=None, **kwargs):
        membership = user.memberships.get(team=team_ or team)
        return ApiKeyFactory(membership=membership, **kwargs).key

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

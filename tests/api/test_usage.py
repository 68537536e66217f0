"""GET /api/v1/usage: what the member may still spend."""

from decimal import Decimal

import pytest

from studio.usage.services import quota_set

pytestmark = pytest.mark.django_db


def test_no_quota_means_no_limit(member, api_as):
    body = api_as(member).get("/api/v1/usage").json()
    assert body == {
        "left": None,
        "member_left": None,
        "team_left": None,
        "resets_at": None,
        "description": "No CU limit",
        "member_quota": None,
        "team_quota": None,
    }


def test_the_smaller_of_the_member_s_and_the_team_s_room(team, member, owner, api_as):
    quota_set(team=team, user=member, limit_cu=Decimal(100), period="month")
    quota_set(team=team, limit_cu=Decimal(40), period="week")
    body = api_as(member).get("/api/v1/usage").json()
    assert body["member_left"] == 100
    assert body["team_left"] == 40
    assert body["left"] == 40
    assert body["resets_at"]
    assert body["description"].startswith("40 CU left")
    assert body["member_quota"]["limit"] == 100 and body["member_quota"]["period"] == "month"
    assert body["team_quota"]["used"] == 0 and body["team_quota"]["period"] == "week"
    # The owner sees their own allowance, not the member's.
    assert api_as(owner).get("/api/v1/usage").json()["member_left"] is None

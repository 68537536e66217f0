import pytest


@pytest.fixture
def membership_of():
    def _of(user, team):
        return user.memberships.get(team=team)

    return _of

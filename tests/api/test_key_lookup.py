"""Finding the API key a request sends: one query, the same objects the ORM would give."""

from datetime import timedelta

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from studio.api.models import ApiKey
from studio.api.selectors import api_key_for_secret
from studio.api.services import api_key_revoke
from studio.teams.tokens import team_token_set

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_the_key_its_member_team_and_user_are_read_whole_in_one_query(
    make_key, member, team, owner
):
    team_token_set(by=owner.memberships.get(team=team), token="krea-token")
    secret = make_key(member, expires_at=timezone.now() + timedelta(days=3))
    stored = ApiKey.objects.select_related("membership__team", "membership__user").get()

    with CaptureQueriesContext(connection) as queries:
        found = api_key_for_secret(secret)
        membership = found.membership
        seen = (membership.team.name, membership.user.email)
    assert len(queries) == 1
    assert seen == (team.name, member.email)
    for read, orm in [
        (found, stored),
        (membership, stored.membership),
        (membership.team, stored.membership.team),
        (membership.user, stored.membership.user),
    ]:
        assert type(read) is type(orm)
        assert _values(read) == _values(orm)
        assert not read.get_deferred_fields()
    assert membership.team.has_krea_token
    assert model_to_dict(found.membership.user) == model_to_dict(stored.membership.user)


def test_revoked_expired_and_unknown_keys_find_nothing(make_key, member):
    revoked = make_key(member)
    api_key_revoke(api_key=ApiKey.objects.get())
    expired = make_key(member, expires_at=timezone.now() - timedelta(seconds=1))
    working = make_key(member)

    assert api_key_for_secret(revoked) is None
    assert api_key_for_secret(expired) is None
    assert api_key_for_secret(working[:-1] + ("A" if working[-1] != "A" else "B")) is None
    assert api_key_for_secret(working).membership.user == member

"""`manage.py seed_demo` also creates the demo team with a token for the simulator, once."""

import pytest
from django.core.management import call_command

from studio.teams.models import Membership, Team
from studio.teams.tokens import decrypt_token

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_team_once(settings):
    settings.DEMO_EMAIL = "owner@demo.test"
    settings.DEMO_PASSWORD = "demo-pass-123"
    call_command("seed_demo")
    call_command("seed_demo")
    team = Team.objects.get()
    assert team.name == "Demo Studio"
    membership = Membership.objects.get(team=team)
    assert membership.user.email == "owner@demo.test" and membership.role == "owner"
    assert decrypt_token(team.krea_token_ciphertext) == "demo-token"


def test_seed_demo_uses_the_configured_token_and_keeps_changes(settings):
    settings.DEMO_KREA_TOKEN = "sim-token-from-env"
    call_command("seed_demo")
    team = Team.objects.get()
    assert decrypt_token(team.krea_token_ciphertext) == "sim-token-from-env"
    team.name = "Renamed in the portal"
    team.save()
    call_command("seed_demo")
    assert list(Team.objects.values_list("name", flat=True)) == ["Renamed in the portal"]

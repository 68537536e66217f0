import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_the_credentials_log_in(client, settings):
    settings.DEMO_EMAIL = "Owner@Demo.test"
    settings.DEMO_PASSWORD = "demo-pass-123"
    call_command("seed_demo")
    call_command("seed_demo")
    users = get_user_model().objects.filter(email="owner@demo.test")
    assert users.count() == 1
    assert users.get().is_superuser
    assert client.login(username="owner@demo.test", password="demo-pass-123")

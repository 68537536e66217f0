"""Login throttling: an (email, address) pair locks; others are unaffected; proxies are honoured."""

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains

from studio.accounts.throttling import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, email, password, ip="203.0.113.5", forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


@pytest.fixture
def victim(db):
    return UserFactory(email="victim@example.com")


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def test_the_pair_is_locked_after_repeated_failures_even_with_the_right_password(client, victim):
    for _ in range(3):
        attempt(client, "victim@example.com", "wrong")
    response = attempt(client, "victim@example.com", PASSWORD)
    assert response.status_code == 429
    assertContains(response, "Too many failed logins", status_code=429)
    assert "_auth_user_id" not in client.session


def test_differently_cased_emails_count_as_one(client, victim):
    for email in ("Victim@example.com", "VICTIM@EXAMPLE.COM", "victim@example.com"):
        attempt(client, email, "wrong")
    assert attempt(client, "victim@example.com", PASSWORD).status_code == 429


def test_the_same_user_from_another_address_still_logs_in(client, victim):
    for _ in range(3):
        attempt(client, "victim@example.com", "wrong", ip="198.51.100.66")
    response = attempt(client, "victim@example.com", PASSWORD, ip="203.0.113.5")
    assert response.status_code == 302


def test_another_user_from_the_attackers_address_still_logs_in(client, victim):
    UserFactory(email="colleague@example.com")
    for _ in range(3):
        attempt(client, "victim@example.com", "wrong")
    assert attempt(client, "colleague@example.com", PASSWORD).status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, victim):
    attempt(client, "victim@example.com", "wrong")
    attempt(client, "victim@example.com", "wrong")
    assert attempt(client, "victim@example.com", PASSWORD).status_code == 302
    client.logout()
    attempt(client, "victim@example.com", "wrong")
    assert attempt(client, "victim@example.com", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_forwarded_client_is_locked_not_the_proxy(client, victim):
    proxy = "10.0.0.2"
    for _ in range(3):
        attempt(client, "victim@example.com", "wrong", ip=proxy, forwarded="198.51.100.66")
    # The victim, through the same proxy from their own address, is not locked out.
    response = attempt(client, "victim@example.com", PASSWORD, ip=proxy, forwarded="203.0.113.5")
    assert response.status_code == 302


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_forged_forwarded_header_does_not_escape_the_lock(client, victim):
    proxy = "10.0.0.2"
    for n in range(3):
        # The attacker prepends a different fake address each time; the proxy appends theirs.
        forged = f"192.0.2.{n}, 198.51.100.66"
        attempt(client, "victim@example.com", "wrong", ip=proxy, forwarded=forged)
    response = attempt(
        client, "victim@example.com", PASSWORD, ip=proxy, forwarded="192.0.2.99, 198.51.100.66"
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.2"),  # no trusted proxy: the header is ignored
        (1, "1.1.1.1", "1.1.1.1"),
        (1, "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # the client-written part is ignored
        (2, "6.6.6.6, 1.1.1.1, 172.16.0.9", "1.1.1.1"),  # two proxies
        (2, "1.1.1.1", "10.0.0.2"),  # fewer hops than proxies: not through them all
        (1, "", "10.0.0.2"),
    ],
)
def test_client_ip(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected

"""Endpoints on loopback, private, link-local and metadata addresses are refused when saved."""

import pytest

from studio.webhooks import services, targets

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "metadata"),
        ("https://169.254.10.1/", "link-local"),
        ("http://93.184.215.14/hook", "https://"),
        ("https://user:pw@93.184.215.14/", "passwords"),
        ("https:///nohost", "host"),
    ],
)
def test_an_endpoint_the_portal_must_not_call_is_refused_naming_why(owner_membership, url, says):
    with pytest.raises(services.InvalidEndpoint) as refused:
        services.endpoint_create(by=owner_membership, url=url, events=["job.completed"])
    assert says in refused.value.errors["url"]


def test_a_name_resolving_to_a_private_address_is_refused(owner_membership, monkeypatch):
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.5"])
    with pytest.raises(services.InvalidEndpoint) as refused:
        services.endpoint_create(
            by=owner_membership, url="https://hooks.example.com/", events=["job.completed"]
        )
    assert "hooks.example.com points at a private" in refused.value.errors["url"]


def test_a_public_https_endpoint_is_accepted(owner_membership, public_dns):
    endpoint, secret = services.endpoint_create(
        by=owner_membership, url="https://hooks.example.com/krea", events=["job.failed"]
    )
    assert endpoint.url == "https://hooks.example.com/krea"
    assert secret.startswith("whsec_")
    assert secret not in endpoint.secret_encrypted  # encrypted at rest


def test_the_development_setting_allows_loopback_and_http_but_never_metadata(
    owner_membership, allow_private
):
    endpoint, _ = services.endpoint_create(
        by=owner_membership, url="http://127.0.0.1:8125/hook", events=["job.completed"]
    )
    assert endpoint.pk
    with pytest.raises(services.InvalidEndpoint):
        services.endpoint_create(
            by=owner_membership, url="http://169.254.169.254/", events=["job.completed"]
        )


def test_the_development_setting_refuses_to_start_in_production():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup()"],
        env={
            "DJANGO_SETTINGS_MODULE": "studio.settings",
            "DJANGO_DEBUG": "true",
            "DJANGO_PRODUCTION": "true",
            "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "studio.example.com",
            "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
            "KREA_TOKEN_KEYS": "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "WEBHOOKS_ALLOW_PRIVATE_TARGETS" in result.stderr


def test_members_cannot_add_endpoints(member, team, public_dns):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.endpoint_create(
            by=member.memberships.get(team=team),
            url="https://hooks.example.com/",
            events=["job.failed"],
        )

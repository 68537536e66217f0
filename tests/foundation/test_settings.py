"""Production mode refuses to start without its secrets, and passes `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": "p3rfectly-l0ng-and-rand0m-secret-key-for-the-deploy-check-4f9a1c7e2b",
    "ALLOWED_HOSTS": "studio.example.com",
    "KREA_TOKEN_KEYS": "ZGVwbG95LWNoZWNrLXRlc3Qta2V5LTMyLWJ5dGVzISE=",
    "DATABASE_URL": "sqlite:////tmp/krea-studio-deploy-check.sqlite3",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return python("manage.py", *args, env=env)


def python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """A fresh interpreter in the project with only ``env`` on top of a clean environment."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    for test_only in ("DJANGO_PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        clean.pop(test_only, None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "KREA_TOKEN_KEYS", "DATABASE_URL"]
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


@pytest.mark.slow
def test_secrets_can_come_from_files(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(PRODUCTION_ENV["SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env["SECRET_KEY_FILE"] = str(secret_file)
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_embedded_default_needs_no_environment(settings):
    assert settings.DATABASES["default"]["ENGINE"] in (
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    )
    assert settings.AUTH_USER_MODEL == "accounts.User"


def policy(env: dict[str, str], *, report_only: bool = False) -> str:
    """The Content-Security-Policy the portal sends in this environment ("" for none).

    The settings alone make it (django-csp's middleware builds it the same way), so the
    production settings are read without loading the apps: a fifth of the CPU of
    ``manage.py shell``.
    """
    code = f"from csp.utils import build_policy; print(build_policy(report_only={report_only}))"
    settings = {"DJANGO_SETTINGS_MODULE": "studio.settings"}
    result = python("-c", code, env={**PRODUCTION_ENV, **env, **settings})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def directive(header: str, name: str) -> list[str]:
    for part in header.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {header!r}")


def test_the_policy_allows_only_the_portals_scripts_and_styles_and_krea_images():
    header = policy({})
    assert directive(header, "script-src") == ["'self'"]
    assert directive(header, "style-src") == ["'self'"]
    assert directive(header, "frame-ancestors") == ["'none'"]
    assert "unsafe" not in header
    media = ["'self'", "https://api.krea.ai", "*.krea.ai", "krea.ai"]
    assert directive(header, "img-src") == media and directive(header, "media-src") == media


@pytest.mark.parametrize(
    "storage, sources",
    [
        (
            {"AWS_S3_ENDPOINT_URL": "https://s3.example.com:9000"},
            ["https://s3.example.com:9000", "https://studio-files.s3.example.com:9000"],
        ),
        (
            {"AWS_S3_REGION_NAME": "eu-west-1"},
            [
                "https://studio-files.s3.amazonaws.com",
                "https://studio-files.s3.eu-west-1.amazonaws.com",
            ],
        ),
    ],
)
def test_images_may_come_from_the_download_hosts_and_the_storage(storage, sources):
    env = {
        "KREA_DOWNLOAD_HOSTS": ".cdn.example.net,files.example.org",
        "AWS_STORAGE_BUCKET_NAME": "studio-files",
        **storage,
    }
    img = directive(policy(env), "img-src")
    assert img == [
        "'self'",
        "https://api.krea.ai",
        "*.cdn.example.net",
        "cdn.example.net",
        "files.example.org",
        *sources,
    ]


def test_the_policy_can_be_report_only():
    assert policy({"CSP_REPORT_ONLY": "true"}) == ""
    assert directive(policy({"CSP_REPORT_ONLY": "true"}, report_only=True), "script-src") == [
        "'self'"
    ]

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
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    for test_only in ("DJANGO_PRODUCTION", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        clean.pop(test_only, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


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

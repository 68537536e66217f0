"""Writes about people's accounts."""

from django.contrib.auth import get_user_model


def user_sign_up(*, email: str, password: str, name: str = ""):
    """Create an account that logs in with ``email`` (stored lower-case)."""
    return get_user_model().objects.create_user(
        email=email.strip().lower(), password=password, name=name.strip()
    )

"""System check: a malformed KREA_TOKEN_KEYS stops `manage.py check` and every start."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .tokens import fernet


@checks.register(checks.Tags.security)
def check_krea_token_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    try:
        fernet()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="teams.E001")]
    return []

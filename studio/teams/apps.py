from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "studio.teams"
    label = "teams"
    verbose_name = "Teams"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the token-key system check)

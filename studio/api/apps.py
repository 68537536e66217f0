from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "studio.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from . import events, worker  # noqa: F401

        events.connect()

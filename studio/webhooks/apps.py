from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "studio.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from . import worker  # noqa: F401

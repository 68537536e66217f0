from django.apps import AppConfig


class StylesConfig(AppConfig):
    name = "studio.styles"
    label = "styles"
    verbose_name = "Styles"

    def ready(self) -> None:
        # Registers the Celery tasks, which ``tasks.py`` (and generation) enqueue by name.
        from . import worker  # noqa: F401

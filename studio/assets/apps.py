from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "studio.assets"
    label = "assets"
    verbose_name = "Assets"

    def ready(self) -> None:
        # Registers the Celery tasks, which ``tasks.py`` enqueues by name.
        from . import worker  # noqa: F401

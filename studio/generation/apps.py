from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "studio.generation"
    label = "generation"
    verbose_name = "Generation"

    def ready(self) -> None:
        # Registers the Celery tasks, which ``tasks.py`` enqueues by name.
        from . import worker  # noqa: F401

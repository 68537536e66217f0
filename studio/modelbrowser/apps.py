from django.apps import AppConfig


class ModelBrowserConfig(AppConfig):
    name = "studio.modelbrowser"
    label = "modelbrowser"
    verbose_name = "Model browser"

from django.apps import AppConfig


class NodeAppsConfig(AppConfig):
    name = "studio.nodeapps"
    label = "nodeapps"
    verbose_name = "Node apps"

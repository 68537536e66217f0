from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "studio.dashboard"
    label = "dashboard"

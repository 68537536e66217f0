from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "studio.audit"
    label = "audit"
    verbose_name = "Audit log"

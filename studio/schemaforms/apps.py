from django.apps import AppConfig


class SchemaFormsConfig(AppConfig):
    name = "studio.schemaforms"
    label = "schemaforms"
    verbose_name = "Forms from JSON schemas"

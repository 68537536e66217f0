from django import template

from studio.usage.models import format_cu

register = template.Library()


@register.filter
def cu(value) -> str:
    """``{{ entry.cu|cu }}`` -> ``1,234.5``: a CU figure without trailing zeros."""
    if value is None or value == "":
        return ""
    return format_cu(value)

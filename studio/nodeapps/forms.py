"""Forms of the node app pages; a node app's own inputs come from ``studio.schemaforms``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from studio.schemaforms.forms import SchemaForm, schema_form_class

from .models import NodeApp


class AddNodeAppForm(forms.Form):
    version_id = forms.CharField(
        label="Version id",
        max_length=100,
        help_text="On the node app's page on Krea, “Use via API” shows the version id.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def inputs_form_class(app: NodeApp) -> type[SchemaForm]:
    """The form of ``app``'s inputs, one field per property of its input schema."""
    return schema_form_class(app.input_schema or {}, name=app.name or "Node app")


def schema_defaults(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Initial values of an inputs form: the defaults the schema declares."""
    return {
        name: prop["default"]
        for name, prop in (schema.get("properties") or {}).items()
        if isinstance(prop, Mapping) and "default" in prop
    }

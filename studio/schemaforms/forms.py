"""A Django form built from a JSON object schema, one field per property.

:func:`schema_form_class` turns a request schema (a Krea model's, a training
body shape, a node app's ``input_openapi_schema``) into a form class in the
schema's property order. The form only turns what was typed into JSON values;
whether the body is acceptable is decided against the same schema by the
catalogue's validator, whose ``ParamError``s the form puts back beside their
fields (:meth:`SchemaForm.add_param_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from krea_integration.catalogue import FieldSchema, ParamError, read_field

from .fields import (
    CheckboxField,
    ChoiceField,
    JSONValueField,
    LinesField,
    NumberField,
    RowsField,
    SchemaField,
    TextField,
    URLTextField,
    field_label,
    help_text,
)


def _is_prompt(name: str, max_length: int | None) -> bool:
    return "prompt" in name or name in ("text", "description") or (max_length or 0) > 300


def _row_parts(spec: FieldSchema) -> bool:
    """Whether an object's properties fit in one row of inputs: scalars, or lists of them."""
    parts = spec.properties.values()
    return bool(parts) and all(
        p.is_scalar or (p.value_types == {"array"} and p.items is not None and p.items.is_scalar)
        for p in parts
    )


def schema_field(name: str, schema: Mapping[str, Any], *, required: bool) -> forms.Field | None:
    """The form field for one property of a request schema (None: nothing to ask).

    Prompts become textareas, numbers number inputs with min/max/step, enums
    selects, booleans checkboxes, lists of URLs or numbers one-per-line
    textareas, lists of small objects (styles with their strength, image
    prompts, Kling's elements with their list of images) repeated rows, one small
    object (a video reference and its tag) a single row, and anything else a JSON
    textarea. A property
    pinned to one value is not asked (:attr:`SchemaForm.fixed_params`).
    """
    spec = read_field(schema)
    label = field_label(name, spec)
    types = spec.value_types
    choices = spec.choices
    common = {"label": label, "required": required and not spec.nullable}

    if choices is not None and len([c for c in choices if c is not None]) == 1:
        return None
    if choices is not None:
        # Without a default, make the member choose (or leave an optional one unset).
        blank = (
            None if spec.default is not None else ("Choose…" if common["required"] else "Not set")
        )
        return ChoiceField(
            schema=schema,
            values=choices,
            blank=blank,
            help_text=help_text(spec, name=name),
            **common,
        )
    if types == {"boolean"}:
        return CheckboxField(schema=schema, label=label, help_text=help_text(spec, name=name))
    if types and types <= {"number", "integer"}:
        return NumberField(schema=schema, help_text=help_text(spec, name=name), **common)
    if types == {"string"}:
        if spec.format == "uri":
            return URLTextField(
                schema=schema,
                help_text=help_text(spec, name=name, extra="The URL of an image or video."),
                **common,
            )
        return TextField(
            schema=schema,
            textarea=_is_prompt(name, spec.max_length),
            help_text=help_text(spec, name=name),
            **common,
        )
    items = spec.items
    if spec.types == {"array"} and items is not None:
        if items.is_scalar and items.types & {"string", "number", "integer"}:
            what = "URL" if items.format == "uri" else "value"
            return LinesField(
                schema=schema,
                help_text=help_text(spec, name=name, extra=f"One {what} per line."),
                **common,
            )
        if items.types == {"object"} and _row_parts(items):
            return RowsField(schema=schema, help_text=help_text(spec, name=name), **common)
    if spec.value_types == {"object"} and _row_parts(spec):
        return RowsField(schema=schema, single=True, help_text=help_text(spec, name=name), **common)
    return JSONValueField(
        schema=schema, help_text=help_text(spec, name=name, extra="As JSON."), **common
    )


class SchemaForm(forms.Form):
    """Base of every form built by :func:`schema_form_class`.

    ``fixed_params`` are the required properties pinned to one value: not asked,
    always sent.
    """

    fixed_params: dict[str, Any] = {}

    def params(self) -> dict[str, Any]:
        """The request body from what validated so far (valid fields only), blanks left out."""
        body = dict(self.fixed_params)
        if not self.is_bound:
            initial = {k: v for k, v in self.initial.items() if k in self.fields}
            return {**body, **{k: v for k, v in initial.items() if v not in (None, "", [], {})}}
        if not hasattr(self, "cleaned_data"):
            self.full_clean()
        for name, field in self.fields.items():
            if name not in self.cleaned_data or not isinstance(field, SchemaField):
                continue
            value = field.to_param(self.cleaned_data[name])
            if value is not None:
                body[name] = value
        return body

    def add_param_errors(self, errors: Sequence[ParamError]) -> None:
        """Put the schema's complaints beside their fields (``styles[0].strength`` → styles)."""
        for error in errors:
            top = error.field.split("[")[0].split(".")[0]
            target = top if top in self.fields else None
            if target and target in self.errors and error.message in self.errors[target]:
                continue
            self.add_error(target, error.message)


def schema_form_class(
    schema: Mapping[str, Any],
    *,
    name: str = "Schema",
    base: type[SchemaForm] = SchemaForm,
    attrs: Mapping[str, Any] | None = None,
) -> type[SchemaForm]:
    """A form class (a subclass of ``base``) with one field per property of ``schema``.

    ``name`` names the class (``"Flux 1 Dev"`` gives ``Flux1DevForm``); ``attrs``
    are further class attributes (the model the form is for).
    """
    required = set(schema.get("required") or [])
    fields: dict[str, forms.Field] = {}
    fixed: dict[str, Any] = {}
    for prop_name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping):
            continue
        field = schema_field(prop_name, prop, required=prop_name in required)
        if field is None:
            if prop_name in required:
                fixed[prop_name] = read_field(prop).choices[0]
            continue
        fields[prop_name] = field
    class_name = re.sub(r"\W", "", name.title()) + "Form"
    return type(class_name, (base,), {**fields, **(attrs or {}), "fixed_params": fixed})

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

from krea_integration.catalogue import (
    FieldSchema,
    FieldWords,
    ParamError,
    field_words,
    read_field,
)

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


def schema_field(
    name: str,
    schema: Mapping[str, Any],
    *,
    required: bool,
    words: FieldWords | None = None,
    part_words: Mapping[str, FieldWords] | None = None,
) -> forms.Field | None:
    """The form field for one property of a request schema (None: nothing to ask).

    Prompts become textareas, numbers number inputs with min/max/step, enums
    selects, booleans checkboxes, lists of URLs or numbers one-per-line
    textareas, lists of small objects (styles with their strength, image
    prompts, Kling's elements with their list of images) repeated rows, one small
    object (a video reference and its tag) a single row, and anything else a JSON
    textarea. A property
    pinned to one value is not asked (:attr:`SchemaForm.fixed_params`).
    ``words`` (the catalogue's curated label and explanation) win over the
    schema's own; ``part_words`` name the parts of a row.
    """
    spec = read_field(schema)
    words = words or FieldWords(label=field_label(name, spec))
    common = {"label": words.label, "required": required and not spec.nullable}
    field = _field_for(name, schema, spec, words, common, part_words or {})
    if field is not None:
        field.words = words
    return field


def _field_for(name, schema, spec, words, common, part_words) -> forms.Field | None:
    types = spec.value_types
    choices = spec.choices
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
            help_text=help_text(spec, words),
            # Shown chosen, as the help says, unless the form's own initial says otherwise.
            initial=spec.default,
            **common,
        )
    if types == {"boolean"}:
        return CheckboxField(schema=schema, label=common["label"], help_text=help_text(spec, words))
    if types and types <= {"number", "integer"}:
        return NumberField(schema=schema, help_text=help_text(spec, words), **common)
    if types == {"string"}:
        if spec.format == "uri":
            extra = "" if words.curated else "The URL of an image or video."
            help_words = help_text(spec, words, extra=extra)
            return URLTextField(schema=schema, help_text=help_words, **common)
        return TextField(
            schema=schema,
            textarea=_is_prompt(name, spec.max_length),
            help_text=help_text(spec, words),
            **common,
        )
    items = spec.items
    if spec.types == {"array"} and items is not None:
        if items.is_scalar and items.types & {"string", "number", "integer"}:
            what = "URL" if items.format == "uri" else "value"
            return LinesField(
                schema=schema,
                help_text=help_text(spec, words, extra=f"One {what} per line."),
                **common,
            )
        if items.types == {"object"} and _row_parts(items):
            return RowsField(
                schema=schema,
                part_labels={k: w.label for k, w in part_words.items()},
                help_text=help_text(spec, words),
                **common,
            )
    if spec.value_types == {"object"} and _row_parts(spec):
        return RowsField(
            schema=schema,
            single=True,
            part_labels={k: w.label for k, w in part_words.items()},
            help_text=help_text(spec, words),
            **common,
        )
    help_words = help_text(spec, words, extra="As JSON.")
    return JSONValueField(schema=schema, help_text=help_words, **common)


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
        """Put the schema's complaints beside their fields (``styles[0].strength`` → styles),
        naming fields by their labels (``Guidance must be…``, not ``guidance_scale_flux``)."""
        for error in errors:
            top = error.field.split("[")[0].split(".")[0]
            target = top if top in self.fields else None
            message = error.message
            if error.field and message.startswith(error.field):
                message = self.field_words_for(error.field) + message[len(error.field) :]
            if target and target in self.errors and message in self.errors[target]:
                continue
            self.add_error(target, message)

    def field_words_for(self, path: str) -> str:
        """A field path as people read it: ``styles[1].strength`` → "Styles, row 2: strength"."""
        match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?(?:\.(\w+))?", path)
        if not match or match.group(1) not in self.fields:
            return path
        name, row, part = match.groups()
        words = self.fields[name].label
        if row is not None:
            words += f", row {int(row) + 1}"
        if part:
            labels = {p.name: p.label for p in getattr(self.fields[name], "parts", [])}
            words += f": {labels.get(part, part.replace('_', ' ')).lower()}"
        return words


def schema_form_class(
    schema: Mapping[str, Any],
    *,
    name: str = "Schema",
    base: type[SchemaForm] = SchemaForm,
    attrs: Mapping[str, Any] | None = None,
    model_id: str = "",
) -> type[SchemaForm]:
    """A form class (a subclass of ``base``) with one field per property of ``schema``.

    ``name`` names the class (``"Flux 1 Dev"`` gives ``Flux1DevForm``); ``attrs``
    are further class attributes (the model the form is for). Labels and
    explanations come from the catalogue's words for the fields (``model_id``'s
    own first), else from the schema.
    """
    required = set(schema.get("required") or [])
    fields: dict[str, forms.Field] = {}
    fixed: dict[str, Any] = {}
    for prop_name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping):
            continue
        spec = read_field(prop)
        # A list of rows names its parts name[].part; one object, name.part.
        row, path = (spec.items, f"{prop_name}[].") if spec.items else (spec, f"{prop_name}.")
        part_words = {
            part: field_words(path + part, model_id=model_id, schema=sub.schema)
            for part, sub in row.properties.items()
        }
        field = schema_field(
            prop_name,
            prop,
            required=prop_name in required,
            words=field_words(prop_name, model_id=model_id, schema=prop),
            part_words=part_words,
        )
        if field is None:
            if prop_name in required:
                fixed[prop_name] = read_field(prop).choices[0]
            continue
        fields[prop_name] = field
    class_name = re.sub(r"\W", "", name.title()) + "Form"
    return type(class_name, (base,), {**fields, **(attrs or {}), "fixed_params": fixed})

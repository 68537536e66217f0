"""Forms of the generation pages.

The generate form is not written by hand: :func:`generation_form_class` builds a
Django form from a model's JSON request schema in the catalogue, one field per
property in the spec's order, so a model Krea adds later gets its form from its
schema alone. The form only turns what was typed into JSON values (numbers,
lists, rows of objects); whether the request is acceptable is decided by
``services.generation_submit`` against the same schema, and its ``ParamError``
messages are put back beside the fields (:meth:`GenerationForm.add_param_errors`).

:class:`JobFilterForm` is the one filter form of the Jobs page and the Gallery.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from krea_integration.catalogue import Model, ParamError, schema_choices
from studio.date_filters import DayField

from .models import JobStatus

# ------------------------------------------------------------------ schema reading


def _types(schema: Mapping[str, Any]) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {t for t in declared if isinstance(t, str)}
    return set()


def _is_number(schema: Mapping[str, Any]) -> bool:
    return bool(_types(schema) & {"number", "integer"}) and schema_choices(schema) is None


def _is_scalar(schema: Mapping[str, Any]) -> bool:
    types = _types(schema) - {"null"}
    return schema_choices(schema) is not None or (
        len(types) == 1 and types <= {"string", "number", "integer", "boolean"}
    )


_WORDS = {"url": "URL", "urls": "URLs", "id": "ID", "cfg": "CFG", "fps": "FPS", "lora": "LoRA"}


def field_label(name: str, schema: Mapping[str, Any] | None = None) -> str:
    """A person's label for a schema property: its title, else its name in words."""
    if schema and isinstance(schema.get("title"), str) and schema["title"].strip():
        return schema["title"].strip()
    words = [_WORDS.get(w.lower(), w) for w in name.replace("-", "_").split("_") if w]
    if not words:
        return name
    first = words[0]
    words[0] = first if first in _WORDS.values() else first[:1].upper() + first[1:]
    return " ".join(words)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


# Krea describes few of its fields; for the common ones, the portal's own words.
USUAL_HELP = {
    "prompt": "What to make, in words.",
    "negative_prompt": "What to keep out of the result.",
    "seed": "The same seed with the same settings gives the same result.",
    "width": "In pixels.",
    "height": "In pixels.",
    "aspect_ratio": "The shape of the result, width to height.",
    "output_format": "The file format of the result.",
    "styles": "Styles (LoRAs) by their ID, each with a strength.",
}


def _help_text(schema: Mapping[str, Any], *, name: str = "", extra: str = "") -> str:
    """The schema's description (else the usual words for the field), then its limits."""
    parts = []
    description = str(schema.get("description") or "").strip() or USUAL_HELP.get(name, "")
    if description:
        parts.append(description if description.endswith(".") else description + ".")
    if extra:
        parts.append(extra)
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        parts.append(f"From {_show(low)} to {_show(high)}.")
    elif low is not None:
        parts.append(f"At least {_show(low)}.")
    elif high is not None:
        parts.append(f"At most {_show(high)}.")
    if schema.get("maxLength"):
        parts.append(f"Up to {schema['maxLength']} characters.")
    if schema.get("maxItems"):
        parts.append(f"Up to {schema['maxItems']}.")
    if "default" in schema and schema["default"] not in (None, "", [], {}):
        parts.append(f"Default: {_show(schema['default'])}.")
    return " ".join(parts)


def _json_number(value: float | int | None) -> float | int | None:
    """Whole numbers as ints (1024, not 1024.0): what a person typed, and what Krea expects."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _step(schema: Mapping[str, Any]) -> str:
    if "integer" in _types(schema):
        return "1"
    bounds = [schema.get(k) for k in ("minimum", "maximum", "default")]
    known = [b for b in bounds if isinstance(b, int | float) and not isinstance(b, bool)]
    whole = all(float(b).is_integer() for b in known)
    low, high = schema.get("minimum"), schema.get("maximum")
    if whole and low is not None and high is not None and high - low >= 100:
        return "1"
    return "any"


def _number_attrs(schema: Mapping[str, Any]) -> dict[str, str]:
    attrs = {"step": _step(schema)}
    for key, attr in (("minimum", "min"), ("maximum", "max")):
        if schema.get(key) is not None:
            attrs[attr] = _show(schema[key])
    return attrs


def _parse_number(text: str, schema: Mapping[str, Any]) -> int | float:
    """A typed number as the schema's type; ValueError when it is not one."""
    value = float(text.strip())
    if not math.isfinite(value):
        raise ValueError(text)
    if "integer" in _types(schema):
        if not value.is_integer():
            raise ValueError(text)
        return int(value)
    return _json_number(value)


# ------------------------------------------------------------------ fields


class SchemaField:
    """Mixin: a form field that knows the schema property it stands for."""

    schema: Mapping[str, Any]
    # "uri" when it takes image/video URLs (the team-asset picker attaches to it).
    accepts: str = ""

    def to_param(self, value: Any) -> Any:
        """The JSON value to send, or ``None`` to leave the property out."""
        if value in (None, "", [], {}):
            return None
        return value


class TextField(SchemaField, forms.CharField):
    def __init__(self, *, schema, textarea: bool, **kwargs):
        self.schema = schema
        attrs = {}
        if schema.get("maxLength"):
            attrs["maxlength"] = str(schema["maxLength"])
        widget = forms.Textarea(attrs={"rows": 4, **attrs}) if textarea else forms.TextInput(attrs)
        super().__init__(widget=widget, **kwargs)

    def to_param(self, value):
        return value if value else None


class URLTextField(SchemaField, forms.URLField):
    accepts = "uri"

    def __init__(self, *, schema, **kwargs):
        self.schema = schema
        super().__init__(assume_scheme="https", **kwargs)


class NumberField(SchemaField, forms.Field):
    """A number input with the schema's min/max/step; the value keeps the schema's type."""

    widget = forms.NumberInput

    def __init__(self, *, schema, **kwargs):
        self.schema = schema
        super().__init__(**kwargs)
        self.widget.attrs.update(_number_attrs(schema))

    def prepare_value(self, value):
        return _show(value) if isinstance(value, int | float) else value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _json_number(value)
        try:
            return _parse_number(str(value), self.schema)
        except ValueError:
            kind = "a whole number" if "integer" in _types(self.schema) else "a number"
            raise ValidationError(f"Enter {kind}.", code="invalid") from None


class ChoiceField(SchemaField, forms.ChoiceField):
    """A select over an enum; the chosen option becomes the enum's own value (5, not "5")."""

    def __init__(self, *, schema, values: Sequence[Any], blank: str | None, **kwargs):
        self.schema = schema
        self.values = [v for v in values if v is not None]
        choices = [(_show(v), _show(v)) for v in self.values]
        if blank is not None:
            choices.insert(0, ("", blank))
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        return "" if value is None else _show(value)

    def clean(self, value):
        text = super().clean(value)
        if text in ("", None):
            return None
        for choice in self.values:
            if _show(choice) == text:
                return choice
        raise ValidationError("Select one of the choices.", code="invalid_choice")


class CheckboxField(SchemaField, forms.BooleanField):
    def __init__(self, *, schema, **kwargs):
        self.schema = schema
        super().__init__(required=False, **kwargs)

    def to_param(self, value):
        # Unticked means "false" when the schema has a default to override, else "not sent".
        if value or "default" in self.schema:
            return bool(value)
        return None


class LinesWidget(forms.Textarea):
    """A textarea holding a list, one item per line."""

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(_show(v) for v in value)
        return super().format_value(value)


class LinesField(SchemaField, forms.Field):
    """A list of strings (image URLs, usually) or numbers: one per line."""

    def __init__(self, *, schema, **kwargs):
        self.schema = schema
        self.item_schema = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
        if self.item_schema.get("format") == "uri":
            self.accepts = "uri"
        super().__init__(widget=LinesWidget(attrs={"rows": 3}), **kwargs)

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        lines = [line.strip() for line in str(value or "").splitlines()]
        lines = [line for line in lines if line]
        if not _is_number(self.item_schema):
            if self.accepts == "uri":
                check = URLValidator()
                for number, line in enumerate(lines, start=1):
                    try:
                        check(line)
                    except ValidationError:
                        raise ValidationError(
                            f"Line {number} is not a URL: {line[:80]}", code="invalid"
                        ) from None
            return lines
        numbers = []
        for number, line in enumerate(lines, start=1):
            try:
                numbers.append(_parse_number(line, self.item_schema))
            except ValueError:
                raise ValidationError(f"Line {number} is not a number.", code="invalid") from None
        return numbers

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


@dataclass(frozen=True)
class RowPart:
    """One property of an object in a list of rows (a style's ``id``, its ``strength``)."""

    name: str
    label: str
    schema: Mapping[str, Any]

    @property
    def is_number(self) -> bool:
        return _is_number(self.schema)

    @property
    def const(self) -> Any:
        choices = schema_choices(self.schema)
        return choices[0] if choices and len(choices) == 1 else None

    @property
    def input_type(self) -> str:
        if self.is_number:
            return "number"
        return "url" if self.schema.get("format") == "uri" else "text"

    @property
    def attrs(self) -> dict[str, str]:
        return _number_attrs(self.schema) if self.is_number else {}

    @property
    def blank_value(self) -> str:
        """What a new row shows: the property's default, else a strength of 1."""
        if "default" in self.schema:
            return _show(self.schema["default"])
        if self.is_number and self.name == "strength":
            low, high = self.schema.get("minimum", 1), self.schema.get("maximum", 1)
            if low <= 1 <= high:
                return "1"
        return ""


class RowsWidget(forms.Widget):
    """Repeated inputs, one row per item: ``<name>-<i>-<part>``."""

    template_name = "generation/widgets/rows.html"

    def __init__(self, parts: list[RowPart], max_rows: int, attrs=None):
        self.parts = parts
        self.max_rows = max_rows
        super().__init__(attrs)

    def value_from_datadict(self, data, files, name):
        rows = []
        for index in range(self.max_rows):
            prefix = f"{name}-{index}-"
            if not any(key.startswith(prefix) for key in data):
                break
            rows.append({p.name: data.get(prefix + p.name, "") for p in self.parts})
        return rows

    def value_omitted_from_data(self, data, files, name):
        return not any(key.startswith(f"{name}-") for key in data)

    def format_value(self, value):
        rows = []
        for item in value or []:
            if isinstance(item, Mapping):
                rows.append({p.name: _show(item.get(p.name, "")) for p in self.parts})
        return rows

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        visible = [p for p in self.parts if p.const is None]
        texts = [p.name for p in visible if not p.is_number]
        # Rows sent back empty are dropped, so each re-render adds one blank row, not more.
        rows = [
            r for r in context["widget"]["value"] or [] if not texts or any(r[t] for t in texts)
        ]
        filled = len(rows)
        wanted = min(self.max_rows, max(filled + 1, 2))
        blank = {p.name: p.blank_value for p in visible}
        rows = list(rows) + [dict(blank) for _ in range(wanted - filled)]
        base_id = context["widget"]["attrs"].get("id") or name
        context["widget"]["describedby"] = context["widget"]["attrs"].get("aria-describedby", "")
        context["widget"]["rows"] = [
            {
                "index": index,
                "cells": [
                    {
                        "part": part,
                        "name": f"{name}-{index}-{part.name}",
                        "id": f"{base_id}-{index}-{part.name}",
                        "value": row.get(part.name, ""),
                    }
                    for part in visible
                ],
            }
            for index, row in enumerate(rows)
        ]
        return context

    def id_for_label(self, id_):
        visible = [p for p in self.parts if p.const is None]
        return f"{id_}-0-{visible[0].name}" if id_ and visible else id_


class RowsField(SchemaField, forms.Field):
    """A list of small objects (styles, image prompts, references): one row each.

    A row whose text inputs are all empty is skipped; properties the schema pins
    to one value (``type: "image"``) are filled in.
    """

    def __init__(self, *, schema, **kwargs):
        self.schema = schema
        items = schema["items"]
        parts = [
            RowPart(name=name, label=field_label(name, sub), schema=sub)
            for name, sub in items.get("properties", {}).items()
        ]
        # What the row is about (a URL, a style id) first, its strength after.
        self.parts = sorted(parts, key=lambda p: p.is_number)
        if any(p.schema.get("format") == "uri" for p in self.parts):
            self.accepts = "uri"
        max_rows = int(schema.get("maxItems") or 10)
        super().__init__(widget=RowsWidget(self.parts, max_rows=max_rows), **kwargs)

    def prepare_value(self, value):
        return value if isinstance(value, list) else []

    def to_python(self, value):
        rows = []
        problems = []
        number = 0  # counts the rows shown again (empty ones are not)
        for raw in value or []:
            if not isinstance(raw, Mapping):
                continue
            texts = [
                str(raw.get(p.name, "")).strip()
                for p in self.parts
                if p.const is None and not p.is_number
            ]
            if texts and not any(texts):
                continue  # an empty row
            number += 1
            item: dict[str, Any] = {}
            for part in self.parts:
                if part.const is not None:
                    item[part.name] = part.const
                    continue
                text = raw.get(part.name, "")
                if isinstance(text, int | float) and not isinstance(text, bool):
                    item[part.name] = text
                    continue
                text = str(text).strip()
                if not text:
                    continue
                if part.is_number:
                    try:
                        item[part.name] = _parse_number(text, part.schema)
                    except ValueError:
                        problems.append(f"Row {number}: {part.label.lower()} must be a number.")
                else:
                    item[part.name] = text
            if item and not all(p.const is not None for p in self.parts if p.name in item):
                rows.append(item)
        if problems:
            raise ValidationError(problems, code="invalid")
        return rows

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


class JSONValueField(SchemaField, forms.Field):
    """Anything the form cannot show as inputs (nested objects, unions): JSON text."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})

    def __init__(self, *, schema, **kwargs):
        self.schema = schema
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str) or value is None:
            return value
        return json.dumps(value, indent=1)

    def to_python(self, value):
        if not isinstance(value, str):
            return value
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValidationError(f"This is not valid JSON: {exc.msg}.", code="invalid") from None


def _is_prompt(name: str, schema: Mapping[str, Any]) -> bool:
    return (
        "prompt" in name or name in ("text", "description") or (schema.get("maxLength") or 0) > 300
    )


def schema_field(name: str, schema: Mapping[str, Any], *, required: bool) -> forms.Field | None:
    """The form field for one property of a request schema (None: nothing to ask)."""
    label = field_label(name, schema)
    types = _types(schema)
    nullable = "null" in types
    choices = schema_choices(schema)
    common = {"label": label, "required": required and not nullable}

    if choices is not None and len([c for c in choices if c is not None]) == 1:
        return None  # pinned to one value: nothing to ask (GenerationForm.fixed_params)
    if choices is not None:
        has_default = schema.get("default") is not None
        # Without a default, make the member choose (or leave an optional one unset).
        blank = None if has_default else ("Choose…" if common["required"] else "Not set")
        return ChoiceField(
            schema=schema,
            values=choices,
            blank=blank,
            help_text=_help_text(schema, name=name),
            **common,
        )
    if types - {"null"} == {"boolean"}:
        return CheckboxField(schema=schema, label=label, help_text=_help_text(schema, name=name))
    if types - {"null"} <= {"number", "integer"} and types - {"null"}:
        return NumberField(schema=schema, help_text=_help_text(schema, name=name), **common)
    if types - {"null"} == {"string"}:
        if schema.get("format") == "uri":
            return URLTextField(
                schema=schema,
                help_text=_help_text(schema, name=name, extra="The URL of an image or video."),
                **common,
            )
        return TextField(
            schema=schema,
            textarea=_is_prompt(name, schema),
            help_text=_help_text(schema, name=name),
            **common,
        )
    if types == {"array"} and isinstance(schema.get("items"), Mapping):
        items = schema["items"]
        if _is_scalar(items) and _types(items) & {"string", "number", "integer"}:
            what = "URL" if items.get("format") == "uri" else "value"
            return LinesField(
                schema=schema,
                help_text=_help_text(schema, name=name, extra=f"One {what} per line."),
                **common,
            )
        props = items.get("properties")
        if _types(items) == {"object"} and props and all(_is_scalar(p) for p in props.values()):
            return RowsField(schema=schema, help_text=_help_text(schema, name=name), **common)
    return JSONValueField(
        schema=schema, help_text=_help_text(schema, name=name, extra="As JSON."), **common
    )


# ------------------------------------------------------------------ the form


# Aspect presets offered beside width and height: (label, width ratio, height ratio).
ASPECTS = (("1:1", 1, 1), ("4:3", 4, 3), ("3:4", 3, 4), ("16:9", 16, 9), ("9:16", 9, 16),
           ("3:2", 3, 2), ("2:3", 2, 3))  # fmt: skip
ASPECT_ROUNDING = 32


@dataclass(frozen=True)
class AspectPreset:
    label: str
    width: int
    height: int

    @property
    def value(self) -> str:
        return f"{self.width}x{self.height}"


class GenerationForm(forms.Form):
    """Base of every generated form; ``catalogue_model`` is the model it was built for.

    (Not ``model``: that is the name of a property of some schemas, e.g. Topaz.)
    """

    catalogue_model: Model
    fixed_params: dict[str, Any]
    size_fields: tuple[str, str] | None = None

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

    def aspect_presets(self) -> list[AspectPreset]:
        """Width and height pairs for common aspect ratios, inside the schema's limits."""
        if not self.size_fields:
            return []
        width_schema = self.fields[self.size_fields[0]].schema
        height_schema = self.fields[self.size_fields[1]].schema
        base_w = width_schema.get("default") or 1024
        base_h = height_schema.get("default") or 1024
        area = float(base_w) * float(base_h)
        presets = []
        for label, rw, rh in ASPECTS:
            width = math.sqrt(area * rw / rh)
            height = width * rh / rw
            width = _fit(width, width_schema)
            height = _fit(height, height_schema)
            preset = AspectPreset(label=label, width=width, height=height)
            if preset not in presets:
                presets.append(preset)
        return presets

    def layout(self) -> list[dict[str, Any]]:
        """Fields in the schema's order; width and height as one group with presets."""
        items = []
        for bound in self:
            if self.size_fields and bound.name == self.size_fields[1]:
                continue
            if self.size_fields and bound.name == self.size_fields[0]:
                items.append(
                    {
                        "kind": "size",
                        "width": bound,
                        "height": self[self.size_fields[1]],
                        "presets": self.aspect_presets(),
                    }
                )
            else:
                items.append({"kind": "field", "field": bound})
        return items


def _fit(value: float, schema: Mapping[str, Any]) -> int:
    rounded = max(ASPECT_ROUNDING, round(value / ASPECT_ROUNDING) * ASPECT_ROUNDING)
    if schema.get("maximum") is not None:
        rounded = min(rounded, int(schema["maximum"]) // ASPECT_ROUNDING * ASPECT_ROUNDING)
    if schema.get("minimum") is not None:
        rounded = max(rounded, math.ceil(schema["minimum"] / ASPECT_ROUNDING) * ASPECT_ROUNDING)
    return int(rounded)


def generation_form_class(model: Model) -> type[GenerationForm]:
    """A form class for ``model``, built from its request schema.

    Prompts become textareas, numbers number inputs with min/max/step, enums
    selects, booleans checkboxes, lists of URLs one-per-line textareas, lists of
    small objects (styles with their strength, image prompts) repeated rows, and
    anything else a JSON textarea. Properties pinned to one value are not asked
    and are sent as that value.
    """
    schema = model.request_schema
    required = set(schema.get("required") or [])
    fields: dict[str, forms.Field] = {}
    fixed: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping):
            continue
        field = schema_field(name, prop, required=name in required)
        if field is None:
            if name in required:
                fixed[name] = schema_choices(prop)[0]
            continue
        fields[name] = field
    size = None
    if (
        model.group != "enhance"
        and isinstance(fields.get("width"), NumberField)
        and isinstance(fields.get("height"), NumberField)
    ):
        size = ("width", "height")
    attrs = {**fields, "catalogue_model": model, "fixed_params": fixed, "size_fields": size}
    class_name = re.sub(r"\W", "", model.name.title()) + "Form"
    return type(class_name, (GenerationForm,), attrs)


def initial_from_params(model: Model, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Initial form values: the schema's defaults, then ``params`` (a job being remixed)."""
    initial = model.defaults()
    known = set((model.request_schema.get("properties") or {}).keys())
    for name, value in (params or {}).items():
        name = model.aliases.get(name, name)
        if name in known:
            initial[name] = value
    return initial


# ------------------------------------------------------------------ filters


class JobFilterForm(forms.Form):
    """Filters shared by the Jobs page and the Gallery (``selectors.job_filter_q``)."""

    q = forms.CharField(
        label="Prompt contains", required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    status = forms.ChoiceField(label="State", required=False)
    model = forms.ChoiceField(label="Model", required=False)
    member = forms.TypedChoiceField(label="Member", required=False, coerce=int, empty_value=None)
    date_from = DayField(label="From", required=False)
    date_to = DayField(label="To", required=False)

    def __init__(self, *args, models: Sequence[tuple[str, str]], members: Sequence[Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any state"), *JobStatus.choices]
        self.fields["model"].choices = [("", "Any model"), *models]
        self.fields["member"].choices = [
            ("", "Anyone"),
            *[(str(m.user_id), m.user.display_name) for m in members],
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters, by name; an invalid one is ignored (and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def query_string(self, **extra: Any) -> str:
        """The filters as a query string, for links that keep them (Load more, Gallery)."""
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for name, value in self.filters().items():
            query[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        for name, value in extra.items():
            if value:
                query[name] = value
        return query.urlencode()

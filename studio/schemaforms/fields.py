"""Form fields that stand for one property of a JSON schema.

Each field shows the property as a person fills it in (a textarea, a number
input with the schema's limits, a select, a checkbox, one URL per line, rows of
small objects, JSON text) and turns what was typed back into the JSON value to
send (:meth:`SchemaField.to_param`). What the field knows about its property
comes from the catalogue's one schema reader (``read_field``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from krea_integration.catalogue import FieldSchema, FieldWords, read_field, words_from_name


def field_label(name: str, spec: FieldSchema | None = None) -> str:
    """A label for a property nobody has written words for: its title, else its name in words."""
    if spec and spec.title:
        return spec.title
    return words_from_name(name)


def show(value: Any) -> str:
    """A JSON value as an input shows it (``on``/``off``, 5 not 5.0, JSON for lists)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def help_text(spec: FieldSchema, words: FieldWords | None = None, *, extra: str = "") -> str:
    """One line: what the field does (the portal's words, else the schema's), how it is
    typed in, then its units, limits, typical range and default."""
    parts = []
    description = (words.help if words else "") or spec.description
    if description:
        parts.append(description if description.endswith(".") else description + ".")
    if extra:
        parts.append(extra)
    units = f" {words.units}" if words and words.units else ""
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None:
        parts.append(f"From {show(low)} to {show(high)}{units}.")
    elif low is not None:
        parts.append(f"At least {show(low)}{units}.")
    elif high is not None:
        parts.append(f"At most {show(high)}{units}.")
    elif units:
        parts.append(f"In{units}.")
    if words and words.typical:
        parts.append(f"Usually {words.typical}.")
    if spec.max_length:
        parts.append(f"Up to {spec.max_length} characters.")
    if spec.max_items:
        parts.append(f"Up to {spec.max_items}.")
    if spec.has_default and spec.default not in (None, "", [], {}):
        parts.append(f"Default: {show(spec.default)}.")
    return " ".join(parts)


def _json_number(value: float | int | None) -> float | int | None:
    """Whole numbers as ints (1024, not 1024.0): what a person typed, and what Krea expects."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _step(spec: FieldSchema) -> str:
    if spec.is_integer:
        return "1"
    known = [b for b in (spec.minimum, spec.maximum, spec.default) if b is not None]
    known = [b for b in known if isinstance(b, int | float) and not isinstance(b, bool)]
    whole = all(float(b).is_integer() for b in known)
    low, high = spec.minimum, spec.maximum
    if whole and low is not None and high is not None and high - low >= 100:
        return "1"
    return "any"


def number_attrs(spec: FieldSchema) -> dict[str, str]:
    """The number input's ``step``, ``min`` and ``max`` from the schema."""
    attrs = {"step": _step(spec)}
    if spec.minimum is not None:
        attrs["min"] = show(spec.minimum)
    if spec.maximum is not None:
        attrs["max"] = show(spec.maximum)
    return attrs


def parse_number(text: str, spec: FieldSchema) -> int | float:
    """A typed number as the schema's type; ValueError when it is not one."""
    value = float(text.strip())
    if not math.isfinite(value):
        raise ValueError(text)
    if spec.is_integer:
        if not value.is_integer():
            raise ValueError(text)
        return int(value)
    return _json_number(value)


class SchemaField:
    """Mixin: a form field that knows the schema property it stands for."""

    schema: Mapping[str, Any]
    spec: FieldSchema
    # "uri" when it takes image/video URLs (the team-asset picker attaches to it).
    accepts: str = ""
    # The portal's words for it; ``advanced`` puts it in the form's collapsed section.
    words: FieldWords | None = None

    @property
    def advanced(self) -> bool:
        return bool(self.words and self.words.advanced) and not self.required

    def _read(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self.spec = read_field(schema)

    def to_param(self, value: Any) -> Any:
        """The JSON value to send, or ``None`` to leave the property out."""
        if value in (None, "", [], {}):
            return None
        return value


class TextField(SchemaField, forms.CharField):
    def __init__(self, *, schema, textarea: bool, **kwargs):
        self._read(schema)
        attrs = {}
        if self.spec.max_length:
            attrs["maxlength"] = str(self.spec.max_length)
        widget = forms.Textarea(attrs={"rows": 4, **attrs}) if textarea else forms.TextInput(attrs)
        super().__init__(widget=widget, **kwargs)

    def to_param(self, value):
        return value if value else None


class URLTextField(SchemaField, forms.URLField):
    accepts = "uri"

    def __init__(self, *, schema, **kwargs):
        self._read(schema)
        super().__init__(assume_scheme="https", **kwargs)


class NumberField(SchemaField, forms.Field):
    """A number input with the schema's min/max/step; the value keeps the schema's type."""

    widget = forms.NumberInput

    def __init__(self, *, schema, **kwargs):
        self._read(schema)
        super().__init__(**kwargs)
        self.widget.attrs.update(number_attrs(self.spec))

    def prepare_value(self, value):
        return show(value) if isinstance(value, int | float) else value

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _json_number(value)
        try:
            return parse_number(str(value), self.spec)
        except ValueError:
            kind = "a whole number" if self.spec.is_integer else "a number"
            raise ValidationError(f"Enter {kind}.", code="invalid") from None


class ChoiceField(SchemaField, forms.ChoiceField):
    """A select over an enum; the chosen option becomes the enum's own value (5, not "5")."""

    def __init__(self, *, schema, values: Sequence[Any], blank: str | None, **kwargs):
        self._read(schema)
        self.values = [v for v in values if v is not None]
        choices = [(show(v), show(v)) for v in self.values]
        if blank is not None:
            choices.insert(0, ("", blank))
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        return "" if value is None else show(value)

    def clean(self, value):
        text = super().clean(value)
        if text in ("", None):
            return None
        for choice in self.values:
            if show(choice) == text:
                return choice
        raise ValidationError("Select one of the choices.", code="invalid_choice")


class CheckboxField(SchemaField, forms.BooleanField):
    def __init__(self, *, schema, **kwargs):
        self._read(schema)
        super().__init__(required=False, **kwargs)

    def to_param(self, value):
        # Unticked means "false" when the schema has a default to override, else "not sent".
        if value or self.spec.has_default:
            return bool(value)
        return None


class LinesWidget(forms.Textarea):
    """A textarea holding a list, one item per line."""

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(show(v) for v in value)
        return super().format_value(value)


class LinesField(SchemaField, forms.Field):
    """A list of strings (image URLs, usually) or numbers: one per line."""

    def __init__(self, *, schema, **kwargs):
        self._read(schema)
        self.item_spec = self.spec.items or read_field({})
        if self.item_spec.format == "uri":
            self.accepts = "uri"
        super().__init__(widget=LinesWidget(attrs={"rows": 3}), **kwargs)

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        lines = [line.strip() for line in str(value or "").splitlines()]
        lines = [line for line in lines if line]
        if not self.item_spec.is_number:
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
                numbers.append(parse_number(line, self.item_spec))
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
    spec: FieldSchema

    @property
    def is_number(self) -> bool:
        return self.spec.is_number

    @property
    def many(self) -> bool:
        """A list of strings inside the row (a Kling element's ``images``): one per line."""
        return self.spec.value_types == {"array"} and self.item_spec.is_scalar

    @property
    def item_spec(self) -> FieldSchema:
        return self.spec.items or read_field({})

    @property
    def max_items(self) -> int | None:
        return self.spec.max_items if self.many else None

    @property
    def const(self) -> Any:
        choices = self.spec.choices
        return choices[0] if choices and len(choices) == 1 else None

    @property
    def input_type(self) -> str:
        if self.many:
            return "lines"
        if self.is_number:
            return "number"
        return "url" if self.spec.format == "uri" else "text"

    @property
    def takes_uri(self) -> bool:
        return (self.item_spec if self.many else self.spec).format == "uri"

    def show(self, value: Any) -> str:
        """The value as the row's input shows it (a list one item per line)."""
        if self.many and isinstance(value, list | tuple):
            return "\n".join(show(v) for v in value)
        return show(value)

    @property
    def attrs(self) -> dict[str, str]:
        return number_attrs(self.spec) if self.is_number else {}

    @property
    def blank_value(self) -> str:
        """What a new row shows: the property's default, else a strength of 1."""
        if self.spec.has_default:
            return show(self.spec.default)
        if self.is_number and self.name == "strength":
            low = 1 if self.spec.minimum is None else self.spec.minimum
            high = 1 if self.spec.maximum is None else self.spec.maximum
            if low <= 1 <= high:
                return "1"
        return ""


class RowsWidget(forms.Widget):
    """Repeated inputs, one row per item: ``<name>-<i>-<part>``."""

    template_name = "schemaforms/widgets/rows.html"

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
        if isinstance(value, Mapping):
            value = [value]  # one object shown as a single row
        for item in value or []:
            if isinstance(item, Mapping):
                rows.append({p.name: p.show(item.get(p.name, "")) for p in self.parts})
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
    to one value (``type: "image"``) are filled in. A property holding a list of
    strings (a Kling element's ``images``) is a textarea, one item per line. With
    ``single``, the field is one object (``video_reference``), shown as one row.
    """

    def __init__(
        self,
        *,
        schema,
        single: bool = False,
        part_labels: Mapping[str, str] | None = None,
        **kwargs,
    ):
        self._read(schema)
        self.single = single
        items = self.spec if single else (self.spec.items or read_field({}))
        labels = part_labels or {}
        parts = [
            RowPart(name=name, label=labels.get(name) or field_label(name, sub), spec=sub)
            for name, sub in items.properties.items()
        ]
        # What the row is about (a URL, a style id) first, its strength after.
        self.parts = sorted(parts, key=lambda p: p.is_number)
        if any(p.takes_uri for p in self.parts):
            self.accepts = "uri"
        max_rows = 1 if single else (self.spec.max_items or 10)
        super().__init__(widget=RowsWidget(self.parts, max_rows=max_rows), **kwargs)

    def prepare_value(self, value):
        if self.single and isinstance(value, Mapping):
            return [value]
        return value if isinstance(value, list) else []

    def _cell(self, part: RowPart, text: str, number: int, problems: list[str]) -> Any:
        """One typed cell as its JSON value (None: left out)."""
        if part.many:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if not part.item_spec.is_number:
                return lines or None
            try:
                return [parse_number(line, part.item_spec) for line in lines] or None
            except ValueError:
                problems.append(f"Row {number}: {part.label.lower()} must be numbers.")
                return None
        if part.is_number:
            try:
                return parse_number(text, part.spec)
            except ValueError:
                problems.append(f"Row {number}: {part.label.lower()} must be a number.")
                return None
        return text

    def to_python(self, value):
        if self.single and isinstance(value, Mapping):
            value = [value]
        rows = []
        problems: list[str] = []
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
                if isinstance(text, int | float | list) and not isinstance(text, bool):
                    item[part.name] = text
                    continue
                text = str(text).strip()
                if not text:
                    continue
                cell = self._cell(part, text, number, problems)
                if cell is not None:
                    item[part.name] = cell
            if item and not all(p.const is not None for p in self.parts if p.name in item):
                rows.append(item)
        if problems:
            raise ValidationError(problems, code="invalid")
        return rows

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def to_param(self, value):
        if self.single:
            return value[0] if value else None
        return super().to_param(value)


class JSONValueField(SchemaField, forms.Field):
    """Anything the form cannot show as inputs (nested objects, unions): JSON text."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})

    def __init__(self, *, schema, **kwargs):
        self._read(schema)
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

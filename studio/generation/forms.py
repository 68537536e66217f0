"""Forms of the generation pages.

The generate form is not written by hand: :func:`generation_form_class` builds a
Django form from a model's JSON request schema in the catalogue with the schema
form builder (``studio.schemaforms``), so a model Krea adds later gets its form
from its schema alone. Whether the request is acceptable is decided by
``services.generation_submit`` against the same schema, and its ``ParamError``
messages are put back beside the fields (``add_param_errors``).

:class:`JobFilterForm` is the one filter form of the Jobs page and the Gallery.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms

from krea_integration import catalogue
from krea_integration.catalogue import Model
from studio.date_filters import DayField
from studio.schemaforms.fields import NumberField
from studio.schemaforms.forms import SchemaForm, schema_form_class

from .models import JobStatus

# ------------------------------------------------------------------ the generate form


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


class GenerationForm(SchemaForm):
    """Base of every generate form; ``catalogue_model`` is the model it was built for.

    (Not ``model``: that is the name of a property of some schemas, e.g. Topaz.)
    """

    catalogue_model: Model
    size_fields: tuple[str, str] | None = None

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
    """A form class for ``model``, built from its request schema (``schema_form_class``).

    Image and video models with a numeric width and height get them as one
    group with aspect presets.
    """
    form_class = schema_form_class(
        model.request_schema,
        name=model.name,
        base=GenerationForm,
        attrs={"catalogue_model": model},
        model_id=model.id,
    )
    fields = form_class.base_fields
    if (
        model.group != "enhance"
        and isinstance(fields.get("width"), NumberField)
        and isinstance(fields.get("height"), NumberField)
    ):
        form_class.size_fields = ("width", "height")
    return form_class


def initial_from_params(model: Model, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Initial form values: the model's defaults (``catalogue.form_defaults``), then
    ``params`` (a job being remixed)."""
    initial = catalogue.form_defaults(model)
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

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

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from krea_integration import catalogue
from krea_integration.catalogue import Model
from studio.date_filters import DayField
from studio.schemaforms.forms import SchemaForm, schema_form_class
from studio.schemaforms.layout import Layout, form_layout
from studio.schemaforms.size import SizeControl, show_as_presets, size_control, upscale_size
from studio.widgets import QuickSelect

from .models import JobStatus
from .services import MAX_VARIATIONS

# ------------------------------------------------------------------ the generate form


class GenerationForm(SchemaForm):
    """Base of every generate form; ``catalogue_model`` is the model it was built for.

    (Not ``model``: that is the name of a property of some schemas, e.g. Topaz.)
    ``size`` is its one size control (``schemaforms.size``), if it has a size.
    """

    catalogue_model: Model
    size: SizeControl | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        size = self.size
        if self.is_bound or size is None or not size.aspect or size.width is None:
            return
        # Width and height asked beside a preset shape (Wan, Ray): start with the
        # default shape's size rather than empty inputs under a picked shape.
        preset = next(
            (p for p in size.presets if p.choice and p.choice == self.initial.get(size.aspect)),
            None,
        )
        if preset and not self.initial.get(size.width) and not self.initial.get(size.height):
            self.initial = {**self.initial, size.width: preset.width, size.height: preset.height}

    def input_size(self) -> tuple[int, int] | None:
        """An enhancer's input image size: posted back by the control, else the size the
        form started with (a file picked with "Use as input" brings its own)."""
        if self.size is None or self.size.kind != "upscale":
            return None
        source = self.data if self.is_bound else {}
        pair = (source.get("_input_width"), source.get("_input_height"))
        if not all(pair) and not self.is_bound:
            pair = (self.initial.get("width"), self.initial.get("height"))
        try:
            width, height = (int(float(v)) for v in pair)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return (width, height) if width > 0 and height > 0 else None

    def preset_data(self, data: Any) -> Any:
        """The form's data after pressing a size preset without JS (``_aspect=<w>x<h>`` or
        ``_upscale=<factor>``), or None when no preset was pressed."""
        if self.size is None or self.size.width is None:
            return None
        values = data.copy()
        aspect = _ASPECT.fullmatch(str(data.get("_aspect", "")))
        if aspect:
            width, height = aspect.groups()
            values.update({self.size.width: width, self.size.height: height})
            preset = next((p for p in self.size.presets if p.value == aspect.group(0)), None)
            if preset and preset.choice and self.size.aspect:
                values[self.size.aspect] = preset.choice
            return values
        factor = str(data.get("_upscale", ""))
        input_size = self.input_size()
        if factor and not input_size:
            return values  # shown again: the note asks for the input image first
        if factor.isdigit() and input_size:
            fields = self.fields
            width, height = upscale_size(
                *input_size,
                int(factor),
                max_width=fields[self.size.width].spec.maximum,
                max_height=fields[self.size.height].spec.maximum,
            )
            values.update({self.size.width: str(width), self.size.height: str(height)})
            return values
        return None

    def layout(self) -> Layout:
        """Fields in the order people fill them in, one size control, the rest in Advanced."""
        extra = {"input_size": self.input_size()} if self.size else None
        return form_layout(self, size=self.size, size_extra=extra)


_ASPECT = re.compile(r"(\d{1,5})x(\d{1,5})")


def generation_form_class(model: Model) -> type[GenerationForm]:
    """A form class for ``model``, built from its request schema (``schema_form_class``).

    Its size fields become one control (width and height with presets, aspect
    presets with a resolution, or an enhancer's upscale factors).
    """
    form_class = schema_form_class(
        model.request_schema,
        name=model.name,
        base=GenerationForm,
        attrs={"catalogue_model": model},
        model_id=model.id,
    )
    fields = form_class.base_fields
    control = size_control(fields, upscale=model.group == "enhance")
    if control is not None:
        show_as_presets(fields, control)
        form_class.size = control
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


class RunOptionsForm(forms.Form):
    """How the workspace runs a filled-in generate form: how many, which seed, confirmed.

    Its fields carry the prefix ``run``, apart from the model's own parameters.
    """

    count = forms.TypedChoiceField(
        label="Variations",
        choices=[(n, f"\N{MULTIPLICATION SIGN}{n}") for n in range(1, MAX_VARIATIONS + 1)],
        coerce=int,
        empty_value=1,
        required=False,
        initial=1,
        widget=forms.RadioSelect,
    )
    seed_lock = forms.BooleanField(label="Lock the seed", required=False)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="run", **kwargs)

    def options(self) -> tuple[int, bool, bool]:
        """``(count, seed_lock, confirmed)``; an invalid count counts as 1."""
        if not self.is_bound or not self.is_valid():
            return 1, bool(self.initial.get("seed_lock")), False
        data = self.cleaned_data
        return data["count"] or 1, data["seed_lock"], data["confirmed"]


class WorkspacePreferencesForm(forms.Form):
    confirm_above_cu = forms.DecimalField(
        label="Ask me to confirm runs above (CU)",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Run again, Remix and Generate ask first when a run is estimated above this.",
    )


# ------------------------------------------------------------------ filters


class ListFilterForm(forms.Form):
    """Filters of every list of the team's work: prompt, model, member, dates
    (``selectors.job_filter_q``). The Jobs page adds the state, the Gallery its own."""

    q = forms.CharField(
        label="Prompt contains", required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    model = forms.ChoiceField(label="Model", required=False, widget=QuickSelect)
    member = forms.TypedChoiceField(
        label="Member", required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    date_from = DayField(label="From", required=False)
    date_to = DayField(label="To", required=False)

    def __init__(self, *args, models: Sequence[tuple[str, str]], members: Sequence[Any], **kwargs):
        super().__init__(*args, **kwargs)
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
        return {
            k: v for k, v in self.cleaned_data.items() if v not in (None, "") and v is not False
        }

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


class JobFilterForm(ListFilterForm):
    """The Jobs page's filters: the shared ones and the job's state."""

    status = forms.ChoiceField(label="State", required=False, widget=QuickSelect)
    field_order = ["q", "status", "model", "member", "date_from", "date_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Any state"), *JobStatus.choices]

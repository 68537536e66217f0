"""Where each field of a schema form sits: the common ones first, the rest in "Advanced".

People change the prompt, the size, the duration, the input images, the styles and
the sound; they rarely touch seeds, steps or guidance. :func:`form_layout` puts the
common fields first in that order (the size as one control), then the other fields
people choose, and the fields the catalogue's words mark as advanced in a collapsed
section (opened when one of them has an error, so that the error is seen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms

from .size import SizeControl


@dataclass
class Layout:
    main: list[dict[str, Any]] = field(default_factory=list)
    advanced: list[dict[str, Any]] = field(default_factory=list)

    @property
    def advanced_open(self) -> bool:
        """Open when a field inside has an error: a closed section hides it."""
        return any(
            (item["field"].errors if item["kind"] == "field" else item["errors"])
            for item in self.advanced
        )


def _rank(bound: forms.BoundField) -> int:
    name, field = bound.name, bound.field
    if name == "prompt":
        return 0
    if name == "duration":
        return 2
    if getattr(field, "accepts", "") == "uri" or getattr(field, "media_kind", None):
        return 3
    if name == "styles":
        return 4
    if "audio" in name:
        return 5
    return 6


def size_item(form: forms.Form, control: SizeControl) -> dict[str, Any]:
    """The size control's bound fields and what its template needs: the aspect choices
    with the width and height each fills in, and whether a required choice is still open."""
    bound: dict[str, Any] = {}
    for role in ("width", "height", "aspect", "resolution"):
        name = getattr(control, role)
        bound[role] = form[name] if name else None
    presets = {p.choice: p for p in control.presets if p.choice}
    options = []
    if bound["aspect"] is not None:
        options = [
            {"radio": radio, "preset": presets.get(str(radio.data["value"]))}
            for radio in bound["aspect"]
        ]
    open_choices = [
        form[name]
        for name in sorted(control.names)
        if form.fields[name].required
        and not form.fields[name].widget.is_hidden
        and form[name].value() in (None, "")
    ]
    errors = [e for name in control.names for e in form[name].errors]
    return {
        "kind": "size",
        "control": control,
        "errors": errors,
        "aspect_options": options,
        "needs_choice": bool(open_choices),
        **bound,
    }


def form_layout(
    form: forms.Form, *, size: SizeControl | None = None, size_extra: dict | None = None
) -> Layout:
    """The form's fields in the order people fill them in, the rarely changed ones apart."""
    layout = Layout()
    ranked: list[tuple[float, int, dict[str, Any]]] = []
    for index, bound in enumerate(form):
        if size and bound.name in size.names:
            if bound.name == min(size.names, key=lambda n: list(form.fields).index(n)):
                # An enhancer's size is worked out from its input image: after it.
                rank = 3.5 if size.kind == "upscale" else 1
                item = {**size_item(form, size), **(size_extra or {})}
                ranked.append((rank, index, item))
            continue
        item = {"kind": "field", "field": bound}
        if getattr(bound.field, "advanced", False):
            layout.advanced.append(item)
        else:
            ranked.append((_rank(bound), index, item))
    layout.main = [item for _, _, item in sorted(ranked, key=lambda r: (r[0], r[1]))]
    return layout

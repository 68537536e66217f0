"""The training form: Krea's training schema for the chosen base model, images from assets.

The body's two shapes (``oneOf``) become one form: the base model select lists
every training model, and the other fields are those of the shape that accepts
the chosen one (learning rate and batch size only where the model takes them),
built by ``studio.schemaforms`` from the catalogue. The images are the team's
image assets (their Krea URLs are what Krea trains on).
"""

from __future__ import annotations

from typing import Any

from django import forms

from krea_integration import catalogue
from studio.assets.models import Asset, AssetKind
from studio.schemaforms.forms import SchemaForm, schema_form_class
from studio.teams.models import Team

from . import selectors

# The training fields' own words (field_words.json, under models): Krea's schema gives
# them no description.
TRAINING_WORDS = "styles/train"

IMAGE_ADVICE = (
    "Pick 10 to 30 images that share what the style should learn: the same look, "
    "object or character, in varied poses, settings and framings. At least 2; "
    "sharp, well-lit images of 1024 px or more work best, and near-duplicates teach little."
)


class AssetImagesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Asset) -> str:
        return obj.label


class TrainingFormBase(SchemaForm):
    """Fields every training form has beside the schema's: the base model and the images."""

    base_model: str = "flux_dev"
    team: Team

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["images"].queryset = Asset.objects.filter(
            team=team, kind=AssetKind.IMAGE
        ).order_by("-created_at", "-id")

    def params(self) -> dict[str, Any]:
        """Krea's training body from the form: the schema's fields and the images' URLs."""
        body = super().params()
        body["model"] = self.base_model
        images = (self.cleaned_data.get("images") if hasattr(self, "cleaned_data") else None) or []
        body["urls"] = [asset.krea_url for asset in images]
        return body

    def chosen_images(self) -> set[str]:
        """The picked assets' ids, to show them checked again."""
        value = self["images"].value() or []
        return {str(v) for v in value}


def training_form_class(base_model: str) -> type[TrainingFormBase]:
    """The form for training on ``base_model`` (``UnknownModel`` for one Krea does not train)."""
    training = catalogue.load().training
    if training is None:
        raise catalogue.UnknownModel(base_model)
    shape = dict(training.schema_for(base_model))
    properties = {
        k: v for k, v in (shape.get("properties") or {}).items() if k not in ("model", "urls")
    }
    steps = dict(properties.get("max_train_steps") or {})
    if steps:
        steps["description"] = (
            f"How long to train. The portal sends {selectors.default_steps(base_model)} "
            f"for {base_model} unless you choose; the cost is per step."
        )
        properties["max_train_steps"] = steps
    required = [r for r in shape.get("required") or [] if r not in ("model", "urls")]
    form_class = schema_form_class(
        {**shape, "properties": properties, "required": required},
        name=f"{base_model} training",
        model_id=TRAINING_WORDS,
        base=TrainingFormBase,
        attrs={
            "base_model": base_model,
            "images": AssetImagesField(
                queryset=Asset.objects.none(),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label="Training images",
                help_text=IMAGE_ADVICE,
            ),
        },
    )
    form_class.base_fields["name"].help_text = "How the style is listed in the portal and at Krea."
    return form_class


def training_initial(base_model: str) -> dict[str, Any]:
    return {"max_train_steps": selectors.default_steps(base_model)}

from __future__ import annotations

from collections.abc import Sequence

from django import forms

from studio.generation.forms import ListFilterForm


class GalleryFilterForm(ListFilterForm):
    """The gallery's filters: what an output is and where it sits, not how its job ran."""

    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Images and videos"), ("image", "Images"), ("video", "Videos")],
    )
    collection = forms.ChoiceField(label="Collection", required=False)
    favourites = forms.BooleanField(label="My favourites only", required=False)
    field_order = ["q", "model", "kind", "member", "collection", "date_from", "date_to"]

    def __init__(self, *args, collections: Sequence[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = [("", "Any collection"), *collections]


class CollectionForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        strip=True,
        error_messages={"required": "Give the collection a name."},
    )
    shared = forms.BooleanField(
        label="Shared with the team",
        required=False,
        help_text="Every member sees a shared collection and may add to it.",
    )

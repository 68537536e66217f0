"""Forms of the asset pages: the library's filters and an asset's description."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import QueryDict

from .models import AssetKind


class AssetFilterForm(forms.Form):
    """Filters of the asset library (``selectors.team_assets``)."""

    q = forms.CharField(
        label="Description or file name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(label="Kind", required=False)
    uploader = forms.TypedChoiceField(
        label="Uploaded by", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, members: Sequence[Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *AssetKind.choices]
        self.fields["uploader"].choices = [
            ("", "Anyone"),
            *[(str(m.user_id), m.user.display_name) for m in members],
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters, by name; an invalid one is ignored (and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def query_string(self, **extra: Any) -> str:
        """The filters as a query string, for the "Load more" link that keeps them."""
        query = QueryDict(mutable=True)
        for name, value in {**self.filters(), **extra}.items():
            if value not in (None, ""):
                query[name] = str(value)
        return query.urlencode()


class AssetDescriptionForm(forms.Form):
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What it shows, so the team can find it; searchable in the library.",
    )

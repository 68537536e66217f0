"""The model browser's filters."""

from django import forms

from krea_integration import catalogue

from .selectors import KINDS, PRICE_BANDS


class ModelFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    tag = forms.ChoiceField(
        label="Does", required=False, choices=[("", "Anything"), *catalogue.TAGS]
    )
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any kind"), *KINDS])
    price = forms.ChoiceField(
        label="Price",
        required=False,
        choices=[("", "Any price"), *[(key, label) for key, label, _, _ in PRICE_BANDS]],
    )

    def filters(self) -> dict[str, str]:
        """The valid filters by name; an invalid one is ignored (and shown as an error)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}

from django import forms

from .models import AuditEntry


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="What happened",
        choices=[("", "Anything"), *AuditEntry.Action.choices],
        required=False,
    )
    person = forms.CharField(label="Person (email contains)", max_length=254, required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", "“Until” must be on or after “From”.")
        return cleaned

from django import forms

from studio.date_filters import DayField

from .models import AuditEntry


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="What happened",
        choices=[("", "Anything"), *AuditEntry.Action.choices],
        required=False,
    )
    person = forms.CharField(label="Person (email contains)", max_length=254, required=False)
    since = DayField(label="From", required=False)
    until = DayField(label="Until", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", "“Until” must be on or after “From”.")
        return cleaned

"""Forms of the usage pages: they validate; the services decide."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django import forms

from studio.date_filters import DayField

from .models import Period

MAX_RANGE_DAYS = 366


class RangeForm(forms.Form):
    """The days a team usage page or export covers (the team's calendar days)."""

    start = DayField(label="From")
    end = DayField(label="Until")

    def __init__(self, data=None, *, today: date, **kwargs) -> None:
        self.default = {"start": today - timedelta(days=29), "end": today}
        super().__init__(data, initial=self.default, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "“Until” must be on or after “From”.")
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                self.add_error("start", f"Choose at most {MAX_RANGE_DAYS} days.")
        return cleaned

    def days(self) -> tuple[date, date]:
        """The chosen range, or the last 30 days while the form is not valid."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default["start"], self.default["end"]


class QuotaForm(forms.Form):
    limit_cu = forms.DecimalField(
        label="Limit (CU)",
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        help_text="0 allows nothing.",
    )
    period = forms.ChoiceField(label="Per", choices=Period.choices, initial=Period.MONTH)

    def __init__(self, *args, label_suffix_for: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if label_suffix_for:
            # Several quota forms share a page: each label names whose quota it is.
            self.fields["limit_cu"].label = f"Limit for {label_suffix_for} (CU)"
            self.fields["period"].label = f"Period for {label_suffix_for}"

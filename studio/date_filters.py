"""The days a page's date filter accepts: one rule for the Jobs, Gallery, usage and audit pages."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

# Near datetime's limits (years 1 and 9999) a day's midnight, the next one, or either
# moved to UTC cannot be computed: the page would fail. No job or entry is that old or new.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class DayField(forms.DateField):
    """A calendar day between ``FIRST_DAY`` and ``LAST_DAY``; the date picker says so too."""

    widget = forms.DateInput(attrs={"type": "date"})

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationError(
                f"Enter a date between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}.",
                code="out_of_range",
            )

    def widget_attrs(self, widget) -> dict[str, str]:
        return {
            **super().widget_attrs(widget),
            "min": FIRST_DAY.isoformat(),
            "max": LAST_DAY.isoformat(),
        }

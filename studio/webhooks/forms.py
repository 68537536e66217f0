from __future__ import annotations

from django import forms

from .events import EventType


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/webhooks/krea-studio"}),
        help_text="Where the portal POSTs each event, signed. An https:// address on the public "
        "internet; the portal does not follow redirects.",
    )
    description = forms.CharField(
        label="Description",
        max_length=200,
        required=False,
        help_text="What receives these events, so the team recognises it (e.g. “Render farm”).",
    )
    events = forms.MultipleChoiceField(
        label="Events",
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
        help_text="Only these events are sent to this endpoint.",
    )

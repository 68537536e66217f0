"""Forms validate what people type; the services decide what is allowed."""

import zoneinfo

from django import forms

from .models import Role, Team


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class TeamForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(
        label="Time zone",
        choices=_time_zone_choices,
        initial="UTC",
        help_text="Daily quotas reset at midnight in this time zone.",
    )

    class Meta:
        model = Team
        fields = ["name", "time_zone"]
        labels = {"name": "Team name"}


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        initial=Role.MEMBER,
        help_text="Members generate and browse; admins also manage members and the Krea "
        "token; owners can do everything, including transferring ownership.",
    )

    def __init__(self, *args, can_invite_owners: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_invite_owners:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.OWNER]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class TokenForm(forms.Form):
    # render_value=False: a bad submission never sends the token back to the browser.
    token = forms.CharField(
        label="Krea API token",
        strip=True,
        min_length=8,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Create one in Krea under Settings → API tokens. It is stored encrypted "
        "and never shown again; only its last four characters are.",
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if any(c.isspace() for c in token):
            raise forms.ValidationError("A Krea token has no spaces or line breaks.")
        return token

"""Forms of the signed-in user's own pages: login, profile and language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from guanxi.users.models import User

# Asia/Shanghai first: the company default for most installs. Then the zones customers of a
# Chinese company most often work in, then the rest of the world's business hubs.
COMMON_TIME_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Macau",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Jakarta",
    "Asia/Manila",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Asia/Urumqi",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "UTC",
]


def _apply_css(form: forms.BaseForm) -> None:
    """Give every widget the design system's class (``.input``, ``.select``, ``.textarea``)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            css = "select"
        elif isinstance(widget, forms.Textarea):
            css = "textarea"
        elif isinstance(widget, forms.CheckboxInput):
            continue
        else:
            css = "input"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LoginForm(AuthenticationForm):
    """Django's login form with our widget classes and autofocus on the user name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _apply_css(self)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class StyledPasswordChangeForm(PasswordChangeForm):
    """Django's password change form with our widget classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _apply_css(self)


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves: name, email, phone, language, time zone.

    Department, manager, title and permissions are the administrator's to change.
    """

    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    class Meta:
        model = User
        fields = ["name", "email", "phone", "language", "time_zone"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = settings.TIME_ZONE
        choices: list[tuple[str, str]] = [("", _("Company default"))]
        zones = list(COMMON_TIME_ZONES)
        current = self.instance.time_zone
        if current and current not in zones:  # keep a zone an administrator set elsewhere
            zones.insert(0, current)
        choices += [(z, z.replace("_", " ")) for z in zones]
        self.fields["time_zone"].choices = choices
        help_text = _("Dates and times are shown in this zone. Company default: %(zone)s.")
        self.fields["time_zone"].help_text = help_text % {"zone": default}
        self.fields["language"].choices = [("", _("Follow the browser")), *settings.LANGUAGES]
        self.fields["language"].help_text = _("Also changes when you pick a language from the menu.")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        _apply_css(self)

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another user already has this email address."))
        return email

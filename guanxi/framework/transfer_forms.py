"""The form behind every transfer page (one record, selected rows, all of a leaving user's)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.framework.forms import add_validation_errors, style_widgets
from guanxi.framework.transfer import validate_transfer


class TransferForm(forms.Form):
    """New owner and reason; the service's rules (active, not yourself…) become field messages."""

    to_user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("New owner"), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, help_text=_("For example 离职交接 or 区域调整.")
    )

    def __init__(self, *args: Any, actor: Any, from_user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor, self.from_user = actor, from_user
        # A directory of colleagues, like the owner picker; inactive ones are listed so that choosing
        # one gets a clear message instead of a silently missing option (people look for them).
        users = get_user_model().objects.order_by("-is_active", "name", "username")
        cast(forms.ModelChoiceField, self.fields["to_user"]).queryset = users
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "to_user" in self.errors:
            return cleaned
        try:
            validate_transfer(
                actor=self.actor,
                to_user=cleaned.get("to_user"),
                reason=cleaned.get("reason") or "",
                from_user=self.from_user,
            )
        except ValidationError as error:
            add_validation_errors(self, error)
        return cleaned

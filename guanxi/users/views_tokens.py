"""Settings → API tokens: list your tokens, create one (its key shown once), revoke one.

Every query is limited to ``request.user``'s own tokens: someone else's token id is a 404.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from guanxi.framework.forms import add_validation_errors
from guanxi.framework.http import AuthedRequest
from guanxi.users.models import APIToken
from guanxi.users.services.tokens import create_token, revoke_token

EXPIRY_CHOICES = [
    ("30", gettext_lazy("30 days")),
    ("90", gettext_lazy("90 days")),
    ("365", gettext_lazy("1 year")),
    ("never", gettext_lazy("Never")),
]
SCOPE_CHOICES = [
    ("read", gettext_lazy("Read: look records up")),
    ("write", gettext_lazy("Write: create, change and delete records")),
]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What will use it, e.g. “ERP sync”."),
        widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox"}),
        initial=["read"],
    )
    expiry = forms.ChoiceField(
        label=gettext_lazy("Expires after"),
        choices=EXPIRY_CHOICES,
        initial="90",
        widget=forms.Select(attrs={"class": "select"}),
    )

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data["expiry"]
        return None if days == "never" else timezone.now() + datetime.timedelta(days=int(days))


def _list_context(request: AuthedRequest, form: TokenCreateForm) -> dict:
    return {
        "tokens": APIToken.objects.filter(user=request.user).order_by("-created_at"),
        "form": form,
        "now": timezone.now(),
    }


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "users/tokens.html", _list_context(request, TokenCreateForm()))


@login_required
@require_http_methods(["POST"])
def token_create(request: AuthedRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, key = create_token(
                request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
                actor=request.user,
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            # Rendered, not redirected: the key exists only in this response and is never stored.
            response = render(request, "users/tokens_created.html", {"token": token, "key": key})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "users/tokens.html", _list_context(request, form), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(APIToken, pk=pk, user=request.user)
    if request.method == "POST":
        name = token.name
        revoke_token(token, actor=request.user)
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": name})
        return redirect("token_list")
    return render(request, "users/tokens_revoke.html", {"token": token})

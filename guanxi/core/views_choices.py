"""Settings → Choice lists: administrators edit the configurable lists (levels, stages…).

One page per list: add an option (code + Chinese and English labels), rename, move up/down,
deactivate/reactivate, delete (refused while used, with how many records use it and a
"Deactivate" button). Every change goes through ``guanxi.core.choice_services``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core import choice_services as services
from guanxi.core.choices import REGISTRY
from guanxi.core.models import ChoiceOption
from guanxi.framework.access import can
from guanxi.framework.forms import add_validation_errors, style_widgets
from guanxi.framework.http import AuthedRequest


class OptionForm(forms.Form):
    """A new option: its code (fixed once saved) and labels."""

    value = forms.CharField(label=gettext_lazy("Code"), max_length=20)
    label_zh = forms.CharField(label=gettext_lazy("Chinese label"), max_length=60)
    label_en = forms.CharField(label=gettext_lazy("English label"), max_length=60, required=False)


def _require_admin(user: Any) -> None:
    if not can(user, "change", ChoiceOption):
        raise PermissionDenied(_("Only administrators may change the choice lists."))


@login_required
def choice_lists(request: AuthedRequest) -> HttpResponse:
    """The lists there are, each with its number of options."""
    _require_admin(request.user)
    counts: dict[str, int] = {}
    for name in ChoiceOption.objects.values_list("list_name", flat=True):
        counts[name] = counts.get(name, 0) + 1
    lists = [(c, counts.get(c.name, 0)) for c in sorted(REGISTRY.values(), key=lambda c: c.name)]
    return render(request, "core/choice_lists.html", {"lists": lists})


def _apply(request: AuthedRequest, name: str) -> tuple[Any, OptionForm | None]:
    """Run the POSTed action; returns (a refused delete's option and message, an invalid add form)."""
    action = request.POST.get("action", "")
    if action == "add":
        form = OptionForm(request.POST)
        if not form.is_valid():
            return None, form
        services.add_choice_option(actor=request.user, list_name=name, **form.cleaned_data)
        messages.success(request, _("Option added."))
        return None, None
    option = get_object_or_404(ChoiceOption, pk=request.POST.get("option") or 0, list_name=name)
    if action == "rename":
        services.update_choice_option(
            option,
            actor=request.user,
            label_zh=request.POST.get("label_zh", ""),
            label_en=request.POST.get("label_en", ""),
        )
        messages.success(request, _("Option renamed."))
    elif action in ("up", "down"):
        services.move_choice_option(option, actor=request.user, offset=-1 if action == "up" else 1)
    elif action in ("deactivate", "activate"):
        services.set_choice_option_active(option, actor=request.user, active=action == "activate")
        messages.success(
            request, _("Option deactivated.") if action == "deactivate" else _("Option reactivated.")
        )
    elif action == "delete":
        refusal = services.usage_message(option)
        if refusal:
            return (option, refusal), None
        services.delete_choice_option(option, actor=request.user)
        messages.success(request, _("Option deleted."))
    else:
        raise Http404
    return None, None


@login_required
def choice_list(request: AuthedRequest, name: str) -> HttpResponse:
    """One list's options, in order, with their actions; POST runs one action and comes back."""
    _require_admin(request.user)
    if name not in REGISTRY:
        raise Http404
    form: OptionForm | None = None
    refused, errors, status = None, [], 200
    if request.method == "POST":
        try:
            refused, form = _apply(request, name)
        except ValidationError as error:
            errors = error.messages
            if hasattr(error, "error_dict") and request.POST.get("action") == "add":
                form = OptionForm(request.POST)
                form.is_valid()
                add_validation_errors(form, error)
                errors = []
        if refused:
            status = 409
        elif form is not None or errors:
            status = 400
        else:
            return HttpResponseRedirect(request.path)
    form = form or OptionForm()
    style_widgets(form)
    context = {
        "choice_list": REGISTRY[name],
        "options": list(ChoiceOption.objects.filter(list_name=name).order_by("order", "pk")),
        "form": form,
        "refused": refused,
        "errors": errors,
    }
    return render(request, "core/choice_list.html", context, status=status)

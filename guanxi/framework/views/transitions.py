"""State transitions on a record's page: the buttons (a ``detail.actions`` card) and the POST view.

Every model with a state machine gets ``<prefix>/<pk>/transition/`` (``<model>_transition``) from
``EntityViews.urls()``; the card offers the transitions the user may take now (verb and guards
checked by ``allowed_transitions``): a button that posts a transition without inputs at once, and
one that opens a dialog for a transition that asks for values (the reason of a disqualification)
or is ``confirm`` (a receipt's reversal). Each value gets the control its field calls for: the
options of a field with choices (a deal's win/loss reason: the configured reasons), a date or
date-and-time picker, a text box as long as the field allows. Refusals come back as messages on the
record's page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from guanxi.framework.cards import register_card
from guanxi.framework.http import AuthedRequest
from guanxi.framework.statemachine import (
    Input,
    describe,
    get_transition,
    machines_for,
    transition,
    transition_outlook,
)
from guanxi.framework.views.base import EntityViewMixin


class ObjectTransitionView(EntityViewMixin):
    """POST ``transition`` (its name) and the transition's inputs; back to the record's page."""

    action = "view"  # the transition's own verb is checked by transition()

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.restricted("view"), pk=pk)
        back = HttpResponseRedirect(obj.get_absolute_url())
        try:
            machine, declared = get_transition(obj, request.POST.get("transition"))
            if not declared.direct:
                raise ValidationError(
                    _("“%(transition)s” has its own page.") % {"transition": declared.label}
                )
            inputs: dict[str, Any] = {name: request.POST.get(name, "") for name in declared.inputs}
            state = getattr(obj, machine.field)
            row = transition(
                obj,
                declared.name,
                actor=request.user,
                expected_version=request.POST.get("_version") or None,
                **inputs,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return back
        if declared.needs_approval and getattr(row, machine.field) == state:
            # filed with the approval engine: the state moves once the request is approved
            messages.success(
                request, _("%(transition)s: sent for approval.") % {"transition": declared.label}
            )
            return back
        messages.success(request, _("%(transition)s: done.") % {"transition": declared.label})
        return back


def _outlook(request: Any, obj: Any) -> tuple[list[Any], list[str]]:
    """``transition_outlook`` for the page's reader, worked out once per page: the buttons and the
    note beside them read the same guards (some of which query)."""
    memo = obj.__dict__.setdefault("_page_transition_outlook", {})
    key = getattr(request.user, "pk", None)
    if key not in memo:
        memo[key] = transition_outlook(obj, request.user, direct_only=True)
    return memo[key]


def _transition_url(obj: Any) -> str | None:
    meta = obj._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}_transition", args=[obj.pk])
    except NoReverseMatch:
        return None


@register_card("detail.actions", "generic/transition_actions.html", weight=5)
def transition_actions_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """A button per transition the reader may take from the record's state."""
    if obj is None or request is None or not machines_for(obj):
        return None
    url = _transition_url(obj)
    if url is None:
        return None
    offered = _outlook(request, obj)[0]
    if not offered:
        return None
    transitions = []
    for t in offered:
        described = describe(t)
        for entry in described["inputs"]:
            spec = t.inputs[entry["name"]]
            entry["choices"] = input_choices(type(obj), spec)
            entry["control"], entry["max_length"] = input_control(type(obj), spec)
        transitions.append({**described, "confirm": t.confirm})
    return {"transition_url": url, "transitions": transitions}


@register_card("detail.notices", "generic/transition_holds.html", weight=5)
def transition_holds_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """Why actions the reader could otherwise take are not offered (the guards' messages: a won
    deal held by its contract, a quote without lines), under the page's header."""
    if obj is None or request is None or not machines_for(obj) or _transition_url(obj) is None:
        return None
    held = _outlook(request, obj)[1]
    return {"held": held} if held else None


#: Text inputs without a field of their own (an approval's comment) take this many characters.
FREE_TEXT_LENGTH = 500


def input_control(model: type[models.Model], spec: Input) -> tuple[str, int | None]:
    """The control a transition's input is asked with and its length limit: ``date`` or
    ``datetime-local`` for a date field (a task's "done at" was a text box wanting ISO), a one-line
    ``text`` box for a short text field, a ``textarea`` for long or field-less text — unless the
    input names its own (``checkbox``)."""
    if spec.control:
        return spec.control, None
    try:
        field = model._meta.get_field(spec.field) if spec.field else None
    except FieldDoesNotExist:
        field = None
    if isinstance(field, models.DateTimeField):
        return "datetime-local", None
    if isinstance(field, models.DateField):
        return "date", None
    length = getattr(field, "max_length", None)
    if isinstance(field, models.CharField) and length and length <= 200:
        return "text", length
    return "textarea", length or FREE_TEXT_LENGTH


def input_choices(model: type[models.Model], spec: Input) -> list[tuple[Any, Any]] | None:
    """The options a transition's input offers when it writes a field with choices (what the
    field's own form field offers: a configurable list's active options) or the input's own
    ``choices``, else None."""
    if spec.choices is not None:
        return list(spec.choices())
    if not spec.field:
        return None
    try:
        field = model._meta.get_field(spec.field)
    except FieldDoesNotExist:
        return None
    if not getattr(field, "choices", None):
        return None
    form_field = field.formfield()  # type: ignore[union-attr]
    return [(value, label) for value, label in getattr(form_field, "choices", ()) if value != ""]

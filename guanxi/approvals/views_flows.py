"""Settings → Approval flows: the list of flows and the editor (name, document and action,
condition rows, ordered steps, deadline). Administrators only (the grants on ``ApprovalFlow``).

Saving goes through the write path (``save_object``): the change log and events record every
edit, and the flow's own ``clean()`` decides what is valid — the page only shows its messages at
the rows they concern.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.approvals.forms import (
    ApprovalFlowForm,
    ConditionFormSet,
    StepFormSet,
    condition_initial,
    is_flat,
    steps_initial,
)
from guanxi.approvals.models import ApprovalFlow
from guanxi.framework.access import can
from guanxi.framework.http import AuthedRequest
from guanxi.framework.write import save_object


def _require(user: Any, action: str) -> None:
    if not can(user, action, ApprovalFlow):
        raise PermissionDenied


@login_required
def flow_list(request: AuthedRequest) -> HttpResponse:
    _require(request.user, "view")
    flows = list(
        ApprovalFlow.objects.restrict(request.user, "view")
        .select_related("content_type")
        .order_by("content_type_id", "transition", "priority", "pk")
    )
    context = {
        "flows": flows,
        "can_add": can(request.user, "add", ApprovalFlow),
        "can_change": can(request.user, "change", ApprovalFlow),
    }
    return render(request, "approvals/flow_list.html", context)


def _field_choices(model: Any, user: Any) -> list[tuple[str, str]]:
    if model is None:
        return []
    from guanxi.framework.conditions.catalogue import catalogue_for

    return [(name, str(entry.label)) for name, entry in catalogue_for(model, user).items()]


@login_required
def flow_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    flow = (
        get_object_or_404(ApprovalFlow.objects.restrict(request.user, "view"), pk=pk)
        if pk
        else ApprovalFlow()
    )
    _require(request.user, "change" if pk else "add")
    data = request.POST if request.method == "POST" else None
    form = ApprovalFlowForm(data, instance=flow, document=request.GET.get("document", ""))
    field_choices = _field_choices(form.document_model() or flow.document_model, request.user)
    steps = StepFormSet(
        data,
        prefix="step",
        initial=None if data else steps_initial(flow),
        form_kwargs={"actor": request.user},
    )
    rows = ConditionFormSet(
        data,
        prefix="cond",
        initial=None if data else condition_initial(flow),
        form_kwargs={"field_choices": field_choices},
    )
    advanced = not is_flat(flow.condition)
    if data is not None and form.is_valid() and steps.is_valid() and (advanced or rows.is_valid()):
        flow = form.save(commit=False)
        ct_id, _sep, transition = form.cleaned_data["document"].partition(":")
        flow.content_type = ContentType.objects.get_for_id(int(ct_id))
        flow.transition = transition
        flow.steps = [step for f in steps.forms if not _deleted(f) for step in [f.as_step()] if step]
        if not advanced:
            leaves = [leaf for f in rows.forms if not _deleted(f) for leaf in [f.as_leaf()] if leaf]
            flow.condition = {"version": 1, form.cleaned_data["match"]: leaves}
        try:
            flow.full_clean()
            save_object(flow, actor=request.user)
        except ValidationError as exc:
            _show_errors(exc, form, steps, rows)
        else:
            messages.success(request, _("Saved the approval flow “%(name)s”.") % {"name": flow})
            return HttpResponseRedirect(reverse("approvals:flow_list"))
    status = 422 if data is not None else 200
    context = {
        "flow": flow,
        "form": form,
        "steps": steps,
        "rows": rows,
        "advanced": advanced,
        "condition_json": flow.condition,
        # which document the condition rows were drawn for (the page re-draws them on a change)
        "document_value": (form.data.get("document") if form.is_bound else form.initial.get("document"))
        or "",
    }
    return render(request, "approvals/flow_form.html", context, status=status)


def _deleted(form: Any) -> bool:
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


def _show_errors(exc: ValidationError, form: Any, steps: Any, rows: Any) -> None:
    """The model's messages where people look for them: steps above the steps, the condition
    above its rows, the rest at the flow's fields."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, texts in errors.items():
        for text in texts:
            if field == "steps":
                steps._non_form_errors = steps.error_class([*steps.non_form_errors(), text])
            elif field == "condition":
                rows._non_form_errors = rows.error_class([*rows.non_form_errors(), text])
            elif field == "transition" or field == "content_type":
                form.add_error("document", text)
            elif field in form.fields:
                form.add_error(field, text)
            else:
                form.add_error(None, text)

"""Pages of follow-ups and tasks (EntityViews), the "Mark done" bulk action, and the 360° page's
HTMX endpoints: log a follow-up, add a task, tick a task done."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from guanxi.activities import services
from guanxi.activities.filtersets import FollowUpFilterSet, TaskFilterSet
from guanxi.activities.forms import FollowUpForm, QuickFollowUpForm, QuickTaskForm, TaskForm
from guanxi.activities.models import FollowUp, Task
from guanxi.activities.panel import panel_context
from guanxi.activities.registry import followable
from guanxi.activities.tables import FollowUpTable, TaskTable
from guanxi.framework.access import can
from guanxi.framework.http import AuthedRequest
from guanxi.framework.querysets import visible_object
from guanxi.framework.views import EntityViews


class FollowUpViews(EntityViews):
    model = FollowUp
    queryset = FollowUp.objects.select_related("customer")
    filterset = FollowUpFilterSet
    form = FollowUpForm
    table = FollowUpTable
    url_prefix = "follow-ups"
    detail_fields = (
        "kind",
        "occurred_at",
        "content",
        "outcome",
        "next_step",
        "next_follow_up_at",
        "place",
        "customer",
    )
    bulk_edit_fields = ("outcome",)


class TaskViews(EntityViews):
    model = Task
    queryset = Task.objects.select_related("customer")
    filterset = TaskFilterSet
    form = TaskForm
    table = TaskTable
    detail_fields = (
        "title",
        "status",
        "due_at",
        "priority",
        "description",
        "remind_at",
        "done_at",
        "customer",
    )
    bulk_edit_fields = ("priority",)


# -- the 360° page ------------------------------------------------------------------------------


def _target(request: AuthedRequest, type_id: int, pk: int) -> Any:
    """The followable record of the URL, if the user may view it (404 otherwise)."""
    try:
        model = ContentType.objects.get_for_id(type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model is None or followable(model) is None:
        raise Http404
    return visible_object(request.user, model, pk)


def _panel(request: AuthedRequest, target: Any, status: int = 200, **forms: Any) -> HttpResponse:
    context = {"object": target, **panel_context(request, target, **forms)}
    return render(request, "activities/panel.html#panel", context, status=status)


@login_required
def panel(request: AuthedRequest, type_id: int, pk: int) -> HttpResponse:
    """The "Follow-ups and tasks" card of a record (refreshed in place after a change)."""
    return _panel(request, _target(request, type_id, pk))


@login_required
@require_POST
def quick_log(request: AuthedRequest, type_id: int, pk: int) -> HttpResponse:
    """Log a follow-up from the record's page; the card comes back, ``followup:logged`` fires so
    the timeline reloads. Invalid input returns the card with the messages on the inputs."""
    target = _target(request, type_id, pk)
    if not can(request.user, "add", FollowUp):
        raise PermissionDenied(_("You do not have permission to do this."))
    form = QuickFollowUpForm(request.POST, target=target, user=request.user)
    follow_up = form.save() if form.is_valid() else None
    if follow_up is None:
        return _panel(request, target, status=200 if request.htmx else 422, log_form=form)
    if not request.htmx:
        messages.success(request, _("Follow-up logged."))
        return HttpResponseRedirect(target.get_absolute_url())
    response = _panel(request, target, logged=follow_up)
    response["HX-Trigger"] = "followup:logged"
    return response


@login_required
@require_POST
def quick_task(request: AuthedRequest, type_id: int, pk: int) -> HttpResponse:
    """Add a task about the record from its page (``task:changed`` reloads the timeline)."""
    target = _target(request, type_id, pk)
    if not can(request.user, "add", Task):
        raise PermissionDenied(_("You do not have permission to do this."))
    form = QuickTaskForm(request.POST, target=target, user=request.user)
    task = form.save() if form.is_valid() else None
    if task is None:
        return _panel(
            request, target, status=200 if request.htmx else 422, task_form=form, show_task_form=True
        )
    if not request.htmx:
        messages.success(request, _("Task added."))
        return HttpResponseRedirect(target.get_absolute_url())
    response = _panel(request, target)
    response["HX-Trigger"] = "task:changed"
    return response


@login_required
@require_POST
def toggle_task(request: AuthedRequest, pk: int) -> HttpResponse:
    """Tick a task done (or open again with ``done=0``) from a card or My day."""
    task = get_object_or_404(Task.objects.restrict(request.user, "change"), pk=pk)
    if request.POST.get("done", "1") == "0":
        task = services.reopen_task(actor=request.user, task=task)
    else:
        task = services.complete_task(actor=request.user, task=task)
    if not request.htmx:
        return HttpResponseRedirect(request.POST.get("next") or task.get_absolute_url())
    task.can_tick = True  # type: ignore[attr-defined]  # it was just changed through the change scope
    response = render(request, "activities/task_row.html", {"task": task, "now": timezone.now()})
    response["HX-Trigger"] = "task:changed"
    return response


@login_required
@require_POST
def bulk_done(request: AuthedRequest) -> HttpResponse:
    """The task list's "Mark done" bulk action: every selected task or none."""
    if not can(request.user, "change", Task):
        raise PermissionDenied(_("You do not have permission to do this."))
    list_url = reverse("activities:task_list")
    ids = request.POST.getlist("pk")
    tasks = list(Task.objects.restrict(request.user, "change").filter(pk__in=ids))
    if not tasks:
        messages.warning(request, _("Select at least one task you may change."))
        return HttpResponseRedirect(list_url)
    try:
        done = services.complete_tasks(actor=request.user, tasks=tasks)
    except PermissionDenied:
        messages.error(request, _("Some selected tasks are not yours to change; nothing was saved."))
        return HttpResponseRedirect(list_url)
    messages.success(
        request,
        ngettext("Marked %(count)d task done.", "Marked %(count)d tasks done.", done) % {"count": done},
    )
    return HttpResponseRedirect(list_url)

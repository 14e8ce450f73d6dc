"""My jobs with live progress, and the notifications page and bell menu.

Access rule: jobs and notifications belong to one user. Every query is filtered by the signed-in
user (a superuser also sees everyone's jobs, never anyone's notifications), and a row outside
that filter is a 404 — indistinguishable from a row that does not exist.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from guanxi.core.models import Job, Notification
from guanxi.framework.notify import mark_read
from guanxi.users.models import User


class AuthedRequest(HttpRequest):
    """The request these views see: signed in (login_required) and annotated by django-htmx."""

    user: User
    htmx: HtmxDetails


JOBS_PER_PAGE = 25
NOTIFICATIONS_PER_PAGE = 25
MENU_SIZE = 8

JOB_BADGES = {
    Job.Status.PENDING: "slate",
    Job.Status.RUNNING: "blue",
    Job.Status.COMPLETED: "green",
    Job.Status.FAILED: "red",
}
LEVEL_BADGES = {
    Notification.Level.INFO: "blue",
    Notification.Level.SUCCESS: "green",
    Notification.Level.WARNING: "amber",
    Notification.Level.ERROR: "red",
}


def visible_jobs(user: Any) -> QuerySet[Job]:
    jobs = Job.objects.select_related("user")
    return jobs if user.is_superuser else jobs.filter(user=user)


def _decorate_jobs(jobs: Any) -> Any:
    for job in jobs:
        job.badge_colour = JOB_BADGES.get(job.status, "slate")
    return jobs


def _summary(value: Any) -> list[tuple[str, str]]:
    """A job's result or parameters as label/value pairs for a ``<dl class="kv">``."""
    if not isinstance(value, dict):
        return (
            []
            if value in (None, "", [])
            else [("", json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))]
        )
    return [
        (
            str(key),
            item if isinstance(item, str) else json.dumps(item, ensure_ascii=False, cls=DjangoJSONEncoder),
        )
        for key, item in value.items()
    ]


def _job_context(job: Job) -> dict[str, Any]:
    _decorate_jobs([job])
    from django.conf import settings

    return {
        "job": job,
        "result_items": _summary(job.result),
        "param_items": _summary(job.params),
        "export_retention_days": settings.EXPORT_RETENTION_DAYS,
    }


@require_GET
@login_required
def job_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(visible_jobs(request.user), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    _decorate_jobs(page.object_list)
    return render(request, "core/jobs/list.html", {"page": page, "show_user": request.user.is_superuser})


@require_GET
@login_required
def job_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    return render(request, "core/jobs/detail.html", _job_context(job))


@require_GET
@login_required
def job_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress partial the detail page polls every second until the job finishes."""
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    response = render(request, "core/jobs/detail.html#progress", _job_context(job))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def job_download(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    """The file an export job wrote, for the user who started the job only (anyone else: 404)."""
    from django.core.files.storage import default_storage
    from django.http import FileResponse, Http404

    from guanxi.framework.exporting import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, content_disposition

    job = get_object_or_404(Job, pk=pk, user=request.user, status=Job.Status.COMPLETED)
    result = job.result if isinstance(job.result, dict) else {}
    path = result.get("file")
    if not result.get("export") or not path or result.get("expired") or not default_storage.exists(path):
        raise Http404(_("This export file is no longer available."))
    content_type = XLSX_CONTENT_TYPE if result.get("format") == "xlsx" else CSV_CONTENT_TYPE
    response = FileResponse(default_storage.open(path, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(
        str(result.get("filename") or path.rsplit("/", 1)[-1])
    )
    return response


def _my_notifications(request: AuthedRequest) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=request.user).select_related("actor")


def _decorate_notifications(notifications: Any) -> Any:
    for n in notifications:
        n.badge_colour = LEVEL_BADGES.get(n.level, "slate")
    return notifications


@require_GET
@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = _my_notifications(request)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    _decorate_notifications(page.object_list)
    return render(request, "core/notifications/list.html", {"page": page, "unread_only": unread_only})


@require_GET
@login_required
def notification_menu(request: AuthedRequest) -> HttpResponse:
    """The bell dropdown's content: the latest few notifications (an HTMX partial)."""
    latest = _decorate_notifications(list(_my_notifications(request)[:MENU_SIZE]))
    response = render(request, "core/notifications/menu.html", {"notifications": latest})
    response["Cache-Control"] = "no-store"
    return response


def _next_url(request: AuthedRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
@login_required
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one notification read, then go to ``next`` (its link, when opened from the bell)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(request.user, notification.pk)
    if request.htmx and not request.POST.get("next"):
        notification.refresh_from_db(fields=["read_at"])
        _decorate_notifications([notification])
        return render(request, "core/notifications/list.html#row", {"n": notification})
    return HttpResponseRedirect(_next_url(request, reverse("notification_list")))


@require_POST
@login_required
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    mark_read(request.user)
    return HttpResponseRedirect(_next_url(request, reverse("notification_list")))

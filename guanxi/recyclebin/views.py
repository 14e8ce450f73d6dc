"""The recycle bin page (Settings → Recycle bin): entries by type and deleter, restore, purge.

Every read goes through ``access.restorable_entries(user)``: an entry outside it answers 404, like
a row that does not exist. Restore and purge are POSTs answering with a message on the bin page;
a refusal changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from guanxi.framework.http import AuthedRequest
from guanxi.recyclebin import services
from guanxi.recyclebin.access import binned_models, is_administrator, label_entries, restorable_entries

PER_PAGE = 25


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@login_required
def bin_list(request: AuthedRequest) -> HttpResponse:
    entries = restorable_entries(request.user)
    types = [
        (ContentType.objects.get_for_model(model), model._meta.verbose_name_plural)
        for model in binned_models()
    ]
    chosen_type = _int(request.GET.get("type"))
    if chosen_type is not None:
        entries = entries.filter(content_type_id=chosen_type)
    deleted_by = _int(request.GET.get("deleted_by"))
    if deleted_by is not None:
        entries = entries.filter(deleted_by_id=deleted_by)
    deleters = (
        restorable_entries(request.user)
        .exclude(deleted_by=None)
        .order_by("deleted_by_name")
        .values_list("deleted_by_id", "deleted_by_name")
        .distinct()
    )
    page = Paginator(
        entries.select_related("content_type", "deleted_by").defer("rows", "unlinked"), PER_PAGE
    ).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    label_entries(request.user, page.object_list)
    for entry in page.object_list:
        model = entry.content_type.model_class()
        label = model._meta.verbose_name if model is not None else entry.content_type.model
        entry.type_label = label  # type: ignore[attr-defined]
    return render(
        request,
        "recyclebin/list.html",
        {
            "page": page,
            "types": types,
            "chosen_type": chosen_type,
            "deleters": list(deleters[:200]),
            "chosen_deleter": deleted_by,
            "is_admin": is_administrator(request.user),
            "retention_days": settings.RECYCLE_BIN_DAYS,
        },
    )


def _back(request: AuthedRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("recyclebin:list")
    return HttpResponseRedirect(target or reverse("recyclebin:list"))


@login_required
@require_POST
def restore(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(restorable_entries(request.user).defer("rows", "unlinked"), pk=pk)
    label = label_entries(request.user, [entry])[0]
    try:
        restored = services.restore_entry(entry, actor=request.user)
    except PermissionDenied as refused:
        messages.error(request, str(refused))
        return _back(request)
    except ValidationError as refused:
        for text in refused.messages:
            messages.error(request, text)
        return _back(request)
    messages.success(
        request,
        _("Restored %(type)s “%(name)s”.") % {"type": restored.record._meta.verbose_name, "name": label},
    )
    if restored.left_out:
        messages.warning(
            request,
            ngettext(
                "%(count)d related record could not come back: what it referred to no longer exists.",
                "%(count)d related records could not come back: what they referred to no longer exists.",
                restored.left_out,
            )
            % {"count": restored.left_out},
        )
    return _back(request)


@login_required
@require_POST
def purge(request: AuthedRequest, pk: int) -> HttpResponse:
    if not is_administrator(request.user):
        raise PermissionDenied(_("Only administrators may purge the recycle bin."))
    entry = get_object_or_404(restorable_entries(request.user).defer("rows", "unlinked"), pk=pk)
    label = label_entries(request.user, [entry])[0]
    services.purge_entry(entry, actor=request.user)
    messages.success(request, _("“%(name)s” was removed for good.") % {"name": label})
    return _back(request)

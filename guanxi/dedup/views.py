"""The duplicates queue (Settings → Duplicates): candidates by type, reason and score, bulk
dismissal as "not a duplicate", and "scan now".

Only pairs whose both records the viewer may see are listed (``services.queue``); reasons show
values masked as the viewer reads them. A refused dismissal changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from guanxi.dedup.services import queue
from guanxi.dedup.services.entry import may_check, normalized_values, possible_duplicates
from guanxi.dedup.services.rules import entity_labels, model_for, rules_in_force, save_rules, spec_for
from guanxi.framework import fieldaccess
from guanxi.framework.duplicates import DuplicateRule
from guanxi.framework.http import AuthedRequest
from guanxi.framework.i18n import deferred
from guanxi.framework.jobs import start_job
from guanxi.recyclebin.access import is_administrator

PER_PAGE = 25


def _entity(request: AuthedRequest, source: Any) -> tuple[str, type[Model]]:
    reviewable = [label for label in entity_labels() if queue.may_review(request.user, model_for(label))]
    if not reviewable:
        raise PermissionDenied(_("You may not review duplicates."))
    label = source.get("entity") or reviewable[0]
    if label not in reviewable:
        raise Http404(_("Duplicates are not looked for in this type."))
    return label, model_for(label)


def _score(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if 0 <= number <= 1 else None


@login_required
def queue_page(request: AuthedRequest) -> HttpResponse:
    label, model = _entity(request, request.GET)
    reason = request.GET.get("reason", "")
    rules = rules_in_force(label)
    if reason not in {r.field for r in rules}:
        reason = ""
    min_score = _score(request.GET.get("min_score"))
    rows = queue.filter_candidates(
        queue.visible_candidates(request.user, model),
        reason=reason,
        min_score=min_score,
        user=request.user,
        model=model,
    )
    page = Paginator(rows.order_by("-score", "left_id", "right_id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    entities = [
        (entity, model_for(entity)._meta.verbose_name_plural)
        for entity in entity_labels()
        if queue.may_review(request.user, model_for(entity))
    ]
    return render(
        request,
        "dedup/queue.html",
        {
            "page": page,
            "rows": queue.rows_for(request.user, model, page.object_list),
            "entity": label,
            "entities": entities,
            # no reason on a field hidden from the viewer to choose (one chosen anyway selects nothing)
            "reasons": [
                (r.field, queue.field_label(model, r.field))
                for r in rules
                if r.field not in queue.hidden_reasons(request.user, model)
            ],
            "reason": reason,
            "min_score": request.GET.get("min_score", "") if min_score is not None else "",
            "model": model,
            "is_admin": is_administrator(request.user),
        },
    )


def _back(request: AuthedRequest, label: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return HttpResponseRedirect(target or f"{reverse('dedup:queue')}?entity={label}")


@login_required
@require_POST
def dismiss(request: AuthedRequest) -> HttpResponse:
    label, model = _entity(request, request.POST)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit() and len(value) < 19]
    try:
        count = queue.dismiss_candidates(model, ids, actor=request.user)
    except ValidationError as refused:
        for text in refused.messages:
            messages.error(request, text)
        return _back(request, label)
    messages.success(
        request,
        ngettext(
            "%(count)d pair marked as not a duplicate.", "%(count)d pairs marked as not duplicates.", count
        )
        % {"count": count},
    )
    return _back(request, label)


SCAN_NAME = gettext_lazy("Duplicate scan: %(type)s")


@login_required
@require_POST
def scan(request: AuthedRequest) -> HttpResponse:
    from guanxi.dedup.tasks import run_scan

    label, model = _entity(request, request.POST)
    job = start_job(
        deferred(SCAN_NAME, type=deferred(model._meta.verbose_name_plural)),
        run_scan,
        user=request.user,
        params={"entity": label},
    )
    messages.success(request, _("The duplicate scan has started; the queue fills when it is done."))
    return HttpResponseRedirect(f"{reverse('dedup:queue')}?entity={label}&job={job.pk}")


@login_required
def rules_page(request: AuthedRequest) -> HttpResponse:
    """Settings → Duplicates → Rules: an administrator switches rules on or off and sets the
    similar-name threshold, per entity type. A refused save changes nothing (400, messages)."""
    if not is_administrator(request.user):
        raise PermissionDenied(_("You may not change the duplicate rules."))
    source = request.POST if request.method == "POST" else request.GET
    label = source.get("entity") or entity_labels()[0]
    if label not in entity_labels():
        raise Http404(_("Duplicates are not looked for in this type."))
    model = model_for(label)
    rules = rules_in_force(label)
    errors: list[str] = []
    if request.method == "POST":
        values: dict[str, tuple[bool, int]] = {}
        for rule in rules:
            raw = request.POST.get(f"threshold_{rule.field}", str(rule.threshold))
            threshold = int(raw) if raw.isdigit() and len(raw) < 4 else -1
            values[rule.field] = (f"enabled_{rule.field}" in request.POST, threshold)
        try:
            save_rules(label, values, actor=request.user)
        except ValidationError as refused:
            errors = list(refused.messages)
        else:
            messages.success(request, _("The duplicate rules were saved; they apply from the next scan."))
            return HttpResponseRedirect(f"{reverse('dedup:rules')}?entity={label}")
        # the form again as it was sent, with the messages
        rules = [
            DuplicateRule(r.field, r.kind, enabled=values[r.field][0], threshold=values[r.field][1])
            for r in rules
        ]
    return render(
        request,
        "dedup/rules.html",
        {
            "entity": label,
            "entities": [(e, model_for(e)._meta.verbose_name_plural) for e in entity_labels()],
            "rules": [(rule, queue.field_label(model, rule.field)) for rule in rules],
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def entry_check(request: AuthedRequest) -> HttpResponse:
    """The form's "possible duplicates" panel (``?type=customers.customer&exclude=<pk>``; the form's
    fields posted): the records the rules match, as an HTML fragment. 403 for a user who may
    neither enter, edit nor review records of the type."""
    label = request.GET.get("type", "")
    if label not in entity_labels():
        raise Http404(_("Duplicates are not looked for in this type."))
    model = model_for(label)
    if not may_check(request.user, model):
        raise PermissionDenied(_("You may not check for duplicates of this type."))
    raw = request.GET.get("exclude", "")
    exclude = int(raw) if raw.isdigit() and len(raw) < 19 else None
    values = normalized_values(label, {r.field: request.POST.get(r.field, "") for r in spec_for(label).rules})
    hits = [
        {
            "obj": hit.obj,
            "label": fieldaccess.label(request.user, hit.obj),
            "score": hit.score,
            "reasons": queue.reason_texts(request.user, model, hit.reasons, hit.obj),
        }
        for hit in possible_duplicates(label, values, user=request.user, exclude_pk=exclude)
    ]
    if not hits:  # an empty panel (CSS hides it: no gap in the form's grid)
        return HttpResponse("")
    return render(request, "dedup/_possible_duplicates.html", {"hits": hits})

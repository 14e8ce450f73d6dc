"""Public pool pages: the pool (公海) with Claim buttons, the dry-run of the rules, and the thin
POST views behind Claim, Put back, Assign and the list's "Move to pool" bulk action.

Every view reads through ``restrict()`` and calls a service in ``guanxi.customers.pools.services.pools``;
a refusal comes back as a message naming the rule, never as an error page.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from guanxi.customers.models import Customer, Pool
from guanxi.customers.pools.access import administers, pool_ids, sees_pool_plan, visible_pools
from guanxi.customers.pools.forms import MoveToPoolForm, PoolAssignForm, PoolFilterForm, ReleaseForm
from guanxi.customers.pools.services import pools as pool_services
from guanxi.customers.pools.services.rules import RETURN, visible_plan, won_deal_inactive_reason
from guanxi.customers.pools.tables import PoolCustomerTable
from guanxi.customers.services.conflicts import OwnershipConflict
from guanxi.framework.access import can

PER_PAGE = 50


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _next_url(request: Any, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class PoolIndexView(LoginRequiredMixin, View):
    """``/customers/pools/``: the first pool the user may open (default pool first)."""

    def get(self, request: Any) -> HttpResponse:
        if not can(request.user, "view", Customer):
            raise PermissionDenied
        first = visible_pools(request.user).first()
        if first is None:
            return render(request, "customers/pools/pool.html", {"pools": [], "pool": None})
        return HttpResponseRedirect(reverse("customers:pool_customers", args=[first.pk]))


class PoolCustomersView(LoginRequiredMixin, View):
    """``/customers/pools/<id>/``: the customers waiting in one pool, its rules and my counters."""

    def get(self, request: Any, pk: int) -> HttpResponse:
        user = request.user
        if not can(user, "view", Customer):
            raise PermissionDenied
        if pk not in pool_ids(user).visible:
            raise Http404
        pool = get_object_or_404(Pool.objects.prefetch_related("rules"), pk=pk)
        filters = PoolFilterForm(request.GET or None)
        rows = filters.apply(
            Customer.objects.restrict(user, "view")
            .filter(pool=pool, owner__isnull=True)
            .select_related("previous_owner")
            .order_by("-pool_entered_at", "pk")
        )
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
        now = timezone.now()
        is_admin = administers(user, pool)
        may_claim = can(user, "change", Customer)
        table = PoolCustomerTable(list(page.object_list), user=user, selectable=is_admin, can_claim=may_claim)
        context = {
            "table": table,
            "pools": list(visible_pools(user)),
            "pool": pool,
            "rules": [r for r in pool.rules.all() if r.active],
            "won_deal_inactive": won_deal_inactive_reason(),
            "page": page,
            "filters": filters,
            "can_claim": may_claim,
            "is_admin": is_admin,
            "owned": pool_services.owned_count(user),
            "claimed_today": pool_services.claims_today(user, pool, now),
            "assign_form": PoolAssignForm(actor=user) if is_admin else None,
            "query": request.GET.urlencode(),
        }
        return render(request, "customers/pools/pool.html", context)


class ClaimView(LoginRequiredMixin, View):
    """POST ``/customers/<id>/claim/``: claim it, or say which rule refused."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        customer = get_object_or_404(
            Customer.objects.restrict(request.user, "view").select_related("pool"), pk=pk
        )
        fallback = reverse("customers:pool_customers", args=[customer.pool_id]) if customer.pool_id else "/"
        try:
            pool_services.claim_customer(customer, actor=request.user)
        except OwnershipConflict as conflict:
            # 撞单: say whose customer it already is, and offer the way forward (open it, ask to
            # join its team) instead of a dead end.
            from guanxi.customers.services.team_requests import conflict_ways

            context = {
                "customer": customer,
                "message": conflict.messages[0],
                "conflict_ways": conflict_ways(conflict.matches, request.user),
                "back_url": fallback,
            }
            return render(request, "customers/pools/claim_conflict.html", context, status=409)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return HttpResponseRedirect(_next_url(request, fallback))
        messages.success(request, _("You now own “%(name)s”.") % {"name": customer.name})
        return HttpResponseRedirect(_next_url(request, customer.get_absolute_url()))


class ReleaseView(LoginRequiredMixin, View):
    """POST ``/customers/<id>/release/``: the owner puts it back (managers: moves it) with a reason."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        customer = get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=pk)
        form = ReleaseForm(request.POST, user=request.user)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return HttpResponseRedirect(customer.get_absolute_url())
        pool, reason = form.cleaned_data["pool"], form.cleaned_data["reason"]
        try:
            if customer.owner_id == request.user.pk:
                pool_services.release_to_pool(customer, actor=request.user, pool=pool, reason=reason)
            else:
                pool_services.move_to_pool([customer], actor=request.user, pool=pool, reason=reason)
        except (ValidationError, PermissionDenied) as exc:
            text = _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
            return HttpResponseRedirect(customer.get_absolute_url())
        messages.success(
            request, _("“%(name)s” is back in %(pool)s.") % {"name": customer.name, "pool": pool}
        )
        if Customer.objects.restrict(request.user, "view").filter(pk=pk).exists():
            return HttpResponseRedirect(customer.get_absolute_url())
        return HttpResponseRedirect(reverse("customers:customer_list"))


class AssignView(LoginRequiredMixin, View):
    """POST ``/customers/pools/<id>/assign/``: a pool administrator hands out selected customers."""

    def post(self, request: Any, pk: int) -> HttpResponse:
        pool = get_object_or_404(Pool, pk=pk)
        back = reverse("customers:pool_customers", args=[pool.pk])
        if not administers(request.user, pool):
            raise PermissionDenied
        form = PoolAssignForm(request.POST, actor=request.user)
        ids = [int(v) for v in request.POST.getlist("pk") if v.isdigit()]
        if not ids or not form.is_valid():
            errors = [str(e) for e in form.errors.get("to_user", [])] if ids else []
            fallback = _("Select customers and the colleague who gets them.")
            messages.error(request, " ".join(errors) or fallback)
            return HttpResponseRedirect(back)
        to_user = form.cleaned_data["to_user"]
        try:
            count = pool_services.assign_from_pool(ids, actor=request.user, to_user=to_user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
            return HttpResponseRedirect(back)
        messages.success(
            request, _("%(count)d customers assigned to %(user)s.") % {"count": count, "user": to_user}
        )
        return HttpResponseRedirect(back)


class BulkMoveToPoolView(LoginRequiredMixin, View):
    """The customer list's "Move to pool": choose a pool and a reason, then all move or none."""

    def post(self, request: Any) -> HttpResponse:
        if not can(request.user, "assign", Customer):
            raise PermissionDenied
        list_url = reverse("customers:customer_list")
        if "_apply" not in request.POST:
            rows = Customer.objects.restrict(request.user, "assign").filter(
                pk__in=[v for v in request.POST.getlist("pk") if v.isdigit()], owner__isnull=False
            )
            if not rows:
                messages.warning(request, _("Select at least one owned customer you may reassign."))
                return HttpResponseRedirect(list_url)
            form = MoveToPoolForm(initial={"pk": [r.pk for r in rows]}, user=request.user)
            return render(request, "customers/pools/bulk_move.html", {"form": form, "rows": rows})
        form = MoveToPoolForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                count = pool_services.move_to_pool(
                    list(form.cleaned_data["pk"]),
                    actor=request.user,
                    pool=form.cleaned_data["pool"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(
                    request,
                    _("%(count)d customers moved to %(pool)s.")
                    % {"count": count, "pool": form.cleaned_data["pool"]},
                )
                return HttpResponseRedirect(list_url)
        chosen = form.cleaned_data.get("pk") or []
        return render(request, "customers/pools/bulk_move.html", {"form": form, "rows": chosen}, status=422)


class DryRunView(LoginRequiredMixin, View):
    """``/customers/pools/dry-run/``: what the next run would return or warn, grouped by pool."""

    def get(self, request: Any) -> HttpResponse:
        user = request.user
        if not sees_pool_plan(user):
            raise PermissionDenied
        now = timezone.now()
        upcoming = request.GET.get("upcoming") == "1"  # with those already warned (the team home's number)
        plan = visible_plan(user, now, upcoming=upcoming)
        groups: OrderedDict[int, dict[str, Any]] = OrderedDict()
        for planned in plan:
            group = groups.setdefault(planned.pool.pk, {"pool": planned.pool, "returns": [], "warnings": []})
            entry = {"planned": planned, "reason": planned.preview(now)}
            group["returns" if planned.kind == RETURN else "warnings"].append(entry)
        context = {
            "groups": list(groups.values()),
            "returns": sum(1 for p in plan if p.kind == RETURN),
            "warnings": sum(1 for p in plan if p.kind != RETURN),
            "now": now,
            "won_deal_inactive": won_deal_inactive_reason(),
            "upcoming": upcoming,
        }
        return render(request, "customers/pools/dry_run.html", context)

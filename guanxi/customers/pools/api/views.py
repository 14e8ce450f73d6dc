"""Pool endpoints: ``pools/`` (read for everyone who sees a pool, write for administrators),
``pool-rules/``, ``pools/dry-run/`` and ``customers/{id}/claim/`` / ``release/``.

Refusals by a pool rule (caps, cool-off, 撞单, a claim lost to a colleague) answer 409 with the
rule's message and its code (``rule``); a missing reason is a 400 field error.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from guanxi.customers.models import Customer, Pool, PoolRule
from guanxi.customers.pools.access import pool_ids
from guanxi.customers.pools.api.serializers import PoolRuleSerializer, PoolSerializer, ReleaseSerializer
from guanxi.customers.pools.services import pools as pool_services
from guanxi.customers.pools.services.rules import plan_returns
from guanxi.customers.pools.views_admin import PoolFilterSet, PoolRuleFilterSet
from guanxi.customers.services.conflicts import OwnershipConflict
from guanxi.framework.access import can
from guanxi.framework.api.permissions import ModelActionPermission, TokenScopePermission
from guanxi.framework.api.routers import EntityRouter
from guanxi.framework.api.viewsets import EntityViewSet, EntityViewSetMixin


class PoolReadPermission(TokenScopePermission):
    """Reading pools needs ``view`` on customers (the pool page's rule); writing needs pool grants."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return can(request.user, "view", Customer) or can(request.user, "view", Pool)
        return ModelActionPermission().has_permission(request, view)


class PoolViewSet(EntityViewSet):
    queryset = Pool.objects.prefetch_related("departments", "admins")
    serializer_class = PoolSerializer
    filterset_class = PoolFilterSet
    permission_classes = [PoolReadPermission]

    def restrict_queryset(self, queryset: Any) -> Any:
        user = self.request.user
        if self.request.method in ("GET", "HEAD", "OPTIONS") and not can(user, "view", Pool):
            return queryset.filter(pk__in=pool_ids(user).visible)  # a rep sees the pools open to them
        return super().restrict_queryset(queryset)

    @action(detail=False, methods=["get"], url_path="dry-run")
    def dry_run(self, request: Any) -> Response:
        """What the next rule run would return or warn (customers the caller may view)."""
        user = request.user
        if not (can(user, "assign", Customer) or pool_ids(user).administered):
            return Response({"detail": str(_no_permission()), "errors": {}}, status=status.HTTP_403_FORBIDDEN)
        now = timezone.now()
        plan = plan_returns(now, within=Customer.objects.restrict(user, "view"))
        return Response(
            [
                {
                    "customer": {"id": p.customer.pk, "display": p.customer.name},
                    "owner": {"id": p.customer.owner_id, "display": str(p.customer.owner)},
                    "pool": {"id": p.pool.pk, "display": p.pool.name},
                    "rule": {"id": p.rule.pk, "display": p.rule.name},
                    "action": p.kind,
                    "days": p.days,
                    "due": p.due.isoformat(),
                    "reason": p.preview(now),
                }
                for p in plan
            ]
        )


def _no_permission() -> Any:
    from django.utils.translation import gettext as _

    return _("You do not have permission to do this.")


class PoolRuleViewSet(EntityViewSet):
    queryset = PoolRule.objects.select_related("pool").prefetch_related("departments")
    serializer_class = PoolRuleSerializer
    filterset_class = PoolRuleFilterSet


class CustomerPoolActions(EntityViewSetMixin, viewsets.GenericViewSet):
    """``POST customers/{id}/claim/`` and ``customers/{id}/release/`` (no list or detail routes)."""

    queryset = Customer.objects.select_related("pool")
    permission_classes = [TokenScopePermission]
    serializer_class = ReleaseSerializer

    def _customer(self, pk: Any) -> Customer:
        return get_object_or_404(
            Customer.objects.restrict(self.request.user, "view").select_related("pool"), pk=pk
        )

    @staticmethod
    def _refused(exc: ValidationError) -> Response:
        rule = getattr(exc, "rule", "ownership_conflict" if isinstance(exc, OwnershipConflict) else "")
        return Response(
            {"detail": " ".join(exc.messages), "rule": rule, "errors": {}}, status=status.HTTP_409_CONFLICT
        )

    @action(detail=True, methods=["post"])
    def claim(self, request: Any, pk: Any = None) -> Response:
        """Claim a pooled customer; 409 names the rule that refused."""
        customer = self._customer(pk)
        try:
            customer = pool_services.claim_customer(customer, actor=request.user)
        except (pool_services.PoolRuleRefusal, OwnershipConflict) as exc:
            return self._refused(exc)
        return Response({"id": customer.pk, "owner": request.user.pk, "pool": None})

    @action(detail=True, methods=["post"])
    def release(self, request: Any, pk: Any = None) -> Response:
        """Put a customer back (``pool`` id optional: the default pool; ``reason`` required)."""
        customer = self._customer(pk)
        data = ReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pool_id = data.validated_data.get("pool")
        pool = get_object_or_404(Pool, pk=pool_id) if pool_id else None
        reason = data.validated_data.get("reason", "")
        if customer.owner_id == request.user.pk or pool is None:
            customer = pool_services.release_to_pool(customer, actor=request.user, pool=pool, reason=reason)
        else:
            pool_services.move_to_pool([customer], actor=request.user, pool=pool, reason=reason)
            customer.refresh_from_db()
        return Response({"id": customer.pk, "owner": None, "pool": customer.pool_id})


def register_pool_routes(router: EntityRouter) -> None:
    """Called once from ``customers/api/urls.py`` (pools and pool rules come from the registry)."""
    router.register("customers", CustomerPoolActions, basename="customers-customer-pool")

"""Set-up helpers of the activities tests: rows written the way the demo and fixtures need."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from guanxi.activities.models import FollowUp


def follow_up_on(
    target: Any, *, content: str = "电话沟通", customer: Any = "same", **fields: Any
) -> FollowUp:
    """A follow-up row on ``target`` (no service: for set-up only), inside the caller's context."""
    from guanxi.framework.testing.fixtures import as_system

    if customer == "same":
        customer = target if target.__class__.__name__ == "Customer" else None
    with as_system():
        return FollowUp.objects.create(
            target_type=ContentType.objects.get_for_model(type(target)),
            target_id=target.pk,
            customer=customer,
            content=content,
            occurred_at=fields.pop("occurred_at", timezone.now()),
            **fields,
        )

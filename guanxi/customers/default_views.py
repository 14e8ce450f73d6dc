"""Shared saved views every customer list starts with: 我的客户, A 级客户, 30 天未联系, 本月生日.

Saved views need an owner (whoever shared them); ``ensure_default_views`` creates the missing ones
owned by ``owner`` (an administrator) and shared with everyone. The demo calls it; an installation
can call it from ``manage.py shell`` or a later settings page. Names are stored in Chinese, the
product's default language (a saved view's name is data, like a tag's).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

NOT_CONTACTED_30 = {
    "any": [
        {"field": "last_contacted_at", "op": "is_empty"},
        {"field": "last_contacted_at", "op": "older_than", "value": {"amount": 30, "unit": "day"}},
    ]
}
# (name, condition tree — docs/conditions.md, order)
DEFAULT_VIEWS: list[tuple[str, dict[str, Any], int]] = [
    ("我的客户", {"version": 1, "all": [{"field": "owner", "op": "eq", "value": "$me"}]}, 10),
    ("A 级客户", {"version": 1, "all": [{"field": "level", "op": "in", "value": ["A"]}]}, 20),
    (
        "30 天未联系",
        {"version": 1, "all": [NOT_CONTACTED_30, {"field": "status", "op": "in", "value": ["active"]}]},
        30,
    ),
    (
        "本月生日",
        {
            "version": 1,
            "all": [
                {"field": "birthday", "op": "this_month_any_year"},
                {"field": "kind", "op": "in", "value": ["individual"]},
            ],
        },
        40,
    ),
]


def ensure_default_views(*, owner: Any) -> int:
    """Create the shared default customer views that do not exist yet; returns how many."""
    from guanxi.core.choices import active_values
    from guanxi.core.models import SavedView
    from guanxi.customers.choices import LEVEL_LIST
    from guanxi.customers.models import Customer

    ct = ContentType.objects.get_for_model(Customer)
    created = 0
    levels = active_values(LEVEL_LIST)  # "A 级客户" only while level A is configured and active
    with transaction.atomic():
        for name, condition, weight in DEFAULT_VIEWS:
            wanted = {v for node in condition["all"] if node.get("field") == "level" for v in node["value"]}
            if not wanted <= levels:
                continue
            if not SavedView.objects.filter(content_type=ct, name=name, shared=True).exists():
                SavedView.objects.create(
                    content_type=ct, name=name, owner=owner, shared=True, condition=condition, weight=weight
                )
                created += 1
    return created

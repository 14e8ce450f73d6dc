"""Template helpers of the organisation pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def role_grant_rows(role: Any) -> list[dict[str, Any]]:
    """A role's grants as (entity type, translated action labels, scope label), for its profile."""
    from guanxi.users.services.access import model_actions

    rows = []
    for grant in role.grants.select_related("content_type"):
        model = grant.content_type.model_class()
        if model is None:
            continue
        labels = dict(model_actions(model))
        rows.append(
            {
                "type": str(model._meta.verbose_name_plural).capitalize(),
                "actions": [labels.get(a, a) for a in grant.actions],
                "scope": grant.get_scope_display(),
            }
        )
    return sorted(rows, key=lambda r: r["type"])

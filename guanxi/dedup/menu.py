"""The duplicates queue in the Settings menu, for those who may review duplicates of some type."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items


def _reviewer(user: Any) -> bool:
    from guanxi.dedup.services.queue import may_review
    from guanxi.dedup.services.rules import entity_labels, model_for

    return any(may_review(user, model_for(label)) for label in entity_labels())


add_menu_items(
    "settings",
    [MenuItem(_("Duplicates"), "dedup:queue", icon="copy", weight=85, visible=_reviewer)],
)

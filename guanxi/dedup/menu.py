"""The duplicates queue in the Settings menu, for superusers and holders of the ``dedup`` action.

Read from the cached access snapshot only: the menu is drawn on every page, and an "is this an
administrator?" role query there would cost every page a query. Members of the administrator
role without the action reach the queue from the data-quality page or Settings → Duplicates'
address; the pages themselves admit them (``services.queue.may_review``)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items


def _reviewer(user: Any) -> bool:
    from guanxi.dedup.services.queue import reviews_by_grant
    from guanxi.dedup.services.rules import entity_labels, model_for

    return any(reviews_by_grant(user, model_for(label)) for label in entity_labels())


add_menu_items(
    "settings",
    [MenuItem(_("Duplicates"), "dedup:queue", icon="copy", weight=85, visible=_reviewer)],
)

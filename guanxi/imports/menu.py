"""Navigation of the imports app: the import page (choose what to import) in the workspace group,
for whoever may import some record type."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items


def may_import_something(user: Any) -> bool:
    from guanxi.framework.access import can
    from guanxi.framework.entities import entity_types

    return any(can(user, "import", entity.model) for entity in entity_types())


add_menu_items(
    "workspace",
    [
        MenuItem(
            label=_("Import data"),
            url_name="imports:start",
            icon="upload",
            weight=40,
            visible=may_import_something,
        )
    ],
)

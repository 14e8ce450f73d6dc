"""Navigation of the imports app: the import page (choose what to import) in the workspace group,
for whoever may import some record type."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items


def may_import_something(user: Any) -> bool:
    """Whether the user holds the import verb on any record type (the menu asks on every page)."""
    from django.contrib.contenttypes.models import ContentType

    from guanxi.framework.access import can
    from guanxi.framework.entities import entity_types

    models = [entity.model for entity in entity_types()]
    # one query for the content types the checks below need, not one per type on a cold cache
    ContentType.objects.get_for_models(*models)
    return any(can(user, "import", model) for model in models)


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

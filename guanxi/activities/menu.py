"""Navigation of the activities app (follow-ups and tasks join the group from entities.py)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group

register_menu_group("activities", _("Activities"), weight=150)
add_menu_items(
    "activities",
    [
        MenuItem(
            _("My tasks"),
            "activities:my_tasks",
            icon="list-check",
            permission="activities.view_task",
            weight=20,
        )
    ],
)

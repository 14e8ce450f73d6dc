"""Navigation of the platform pages: the Settings group (entity lists join it from entities.py)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items, register_menu_group

register_menu_group("settings", _("Settings"), weight=900)
add_menu_items(
    "settings",
    [
        MenuItem(
            _("Choice lists"),
            "core:choice_lists",
            icon="list-details",
            permission="core.change_choiceoption",
            weight=40,
        )
    ],
)


def _sees_data_quality(user: object) -> bool:
    from guanxi.framework.dataquality import may_see_report

    return may_see_report(user)


add_menu_items(
    "settings",
    [MenuItem(_("Data quality"), "data_quality", icon="chart-bar", weight=80, visible=_sees_data_quality)],
)

"""The recycle bin's page in the Settings menu (every signed-in user: it lists what they may restore)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import MenuItem, add_menu_items

add_menu_items(
    "settings",
    [MenuItem(_("Recycle bin"), "recyclebin:list", icon="trash", weight=90)],
)

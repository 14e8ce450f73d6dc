"""The "Sales" menu group (also declared by the sales app; re-declaring keeps the items)."""

from django.utils.translation import gettext_lazy as _

from guanxi.framework.navigation import register_menu_group

register_menu_group("sales", _("Sales"), weight=140)

"""The application's navigation menu, assembled from what each app registers.

Apps call ``register_menu(MenuGroup(...))`` in ``AppConfig.ready``; the shell shows each item
the current user may view (``permission`` is ``app_label.view_model``, checked through the
access policy, so role grants count) — a menu never offers a
page that would answer 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


@dataclass
class MenuItem:
    label: Any
    url_name: str
    icon: str = "circle"
    permission: str | None = None
    url_args: tuple = ()

    def url(self) -> str:
        return reverse(self.url_name, args=self.url_args)


@dataclass
class MenuGroup:
    label: Any
    items: list[MenuItem] = field(default_factory=list)
    weight: int = 100
    staff_only: bool = False


_MENU: list[MenuGroup] = []


def register_menu(group: MenuGroup) -> None:
    _MENU.append(group)
    _MENU.sort(key=lambda g: g.weight)


def add_menu_items(group_weight: int, items: list[MenuItem]) -> None:
    """Append ``items`` to the registered group of that weight (a module's page under Settings,
    weight 900), so two apps never show the same heading twice."""
    group = next((g for g in _MENU if g.weight == group_weight), None)
    if group is None:
        raise LookupError(f"No menu group with weight {group_weight} is registered.")
    for item in items:
        if all(i.url_name != item.url_name for i in group.items):
            group.items.append(item)


def _allowed(user: Any, permission: str) -> bool:
    """``app_label.<action>_<model>`` through the access policy (roles), like every other check."""
    from django.apps import apps

    from guanxi.framework.access import can

    app_label, _sep, codename = permission.partition(".")
    action, _sep, model_name = codename.partition("_")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return user.has_perm(permission)
    return can(user, action, model)


def navigation_for(request: Any) -> list[dict[str, Any]]:
    user = request.user
    out = []
    for group in _MENU:
        if group.staff_only and not (user.is_staff or user.is_superuser):
            continue
        items = [item for item in group.items if item.permission is None or _allowed(user, item.permission)]
        if items:
            out.append(
                {
                    "label": group.label,
                    "items": [
                        {
                            "label": i.label,
                            "url": i.url(),
                            "icon": i.icon,
                            "active": request.path.startswith(i.url()) and i.url() != "/",
                        }
                        for i in items
                    ],
                }
            )
    return out

"""The application's navigation menu, assembled from what each app registers.

Apps call ``register_menu(MenuGroup(...))`` in ``AppConfig.ready``; the shell shows each item
the current user may view (``permission`` is ``app_label.view_model``) — a menu never offers a
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


def navigation_for(request: Any) -> list[dict[str, Any]]:
    user = request.user
    out = []
    for group in _MENU:
        if group.staff_only and not (user.is_staff or user.is_superuser):
            continue
        items = [item for item in group.items if item.permission is None or user.has_perm(item.permission)]
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

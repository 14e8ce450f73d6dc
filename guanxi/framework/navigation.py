"""The application's navigation menu: groups by code, entries from the entity registry and apps.

Apps declare their groups in ``AppConfig.ready`` (or their ``menu.py``) with
``register_menu_group("sales", _("Sales"), weight=150)``; an entity's list joins a group through
its ``EntityType(menu=MenuEntry("sales", _("Deals"), icon=...))``; pages that are no entity's list
(My tasks, Import leads, Settings pages) join with ``add_menu_items("sales", [MenuItem(...)])``.
The shell shows each item the current user may view (``permission`` is
``app_label.<action>_<model>``, checked through the access policy, so role grants count) — a
menu never offers a page that would answer 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.urls import reverse


@dataclass
class MenuItem:
    label: Any
    url_name: str
    icon: str = "circle"
    permission: str | None = None
    url_args: tuple = ()
    weight: int = 100
    # Who sees the link when no permission says it (``visible(user) -> bool``), e.g. managers only.
    visible: Callable[[Any], bool] | None = None

    def url(self) -> str:
        return reverse(self.url_name, args=self.url_args)


@dataclass
class MenuGroup:
    code: str
    label: Any
    weight: int = 100
    staff_only: bool = False
    items: list[MenuItem] = field(default_factory=list)


_GROUPS: dict[str, MenuGroup] = {}


def register_menu_group(code: str, label: Any, *, weight: int, staff_only: bool = False) -> MenuGroup:
    """Declare a menu heading (re-declaring keeps the items already added)."""
    group = _GROUPS.get(code)
    if group is None:
        group = _GROUPS[code] = MenuGroup(code, label, weight, staff_only)
    else:
        group.label, group.weight, group.staff_only = label, weight, staff_only
    return group


def add_menu_items(code: str, items: list[MenuItem]) -> None:
    """Add page links that are no entity's list to the group ``code`` (declared by any app)."""
    group = _GROUPS.get(code)
    if group is None:
        raise LookupError(f"No menu group {code!r} is registered.")
    for item in items:
        if all(i.url_name != item.url_name for i in group.items):
            group.items.append(item)


def menu_groups() -> list[MenuGroup]:
    """The groups in order, each with its items (app items and entity lists) in order."""
    from guanxi.framework.entities import entity_types

    out = {code: replace(group, items=list(group.items)) for code, group in _GROUPS.items()}
    for entity in entity_types():
        entry = entity.menu
        if entry is None:
            continue
        if entry.group not in out:
            raise LookupError(f"{entity.label}: no menu group {entry.group!r} is registered.")
        model = entity.model._meta
        out[entry.group].items.append(
            MenuItem(
                entry.label,
                entry.url_name or entity.list_url_name(),
                icon=entry.icon,
                permission=entry.permission or f"{model.app_label}.view_{model.model_name}",
                weight=entry.weight,
            )
        )
    groups = sorted(out.values(), key=lambda g: g.weight)
    for group in groups:
        group.items.sort(key=lambda i: i.weight)
    return groups


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
    for group in menu_groups():
        if group.staff_only and not (user.is_staff or user.is_superuser):
            continue
        items = [
            item
            for item in group.items
            if (item.permission is None or _allowed(user, item.permission))
            and (item.visible is None or item.visible(user))
        ]
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

"""Use cases of the configurable choice lists (Settings → Choice lists, and the API).

Each is atomic, checks the actor's access to ``core.ChoiceOption`` (administrators), writes
through ``save()`` so every change lands in the change log, and makes every process reload the
options after the commit (``guanxi.core.choices.invalidate``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from guanxi.core.choices import REGISTRY, ChoiceList, options_changed
from guanxi.core.models import ChoiceOption
from guanxi.framework.access import can


class OptionInUse(ValidationError):
    """Deleting an option records still use (the API answers 409; the page offers to deactivate)."""


def _require(actor: Any, action: str) -> None:
    if not can(actor, action, ChoiceOption):
        raise PermissionDenied(_("Only administrators may change the choice lists."))


def get_list(name: str) -> ChoiceList:
    """The registered list ``name`` (a ``ValidationError`` on the ``list`` field otherwise)."""
    if name not in REGISTRY:
        raise ValidationError({"list_name": [_("There is no choice list “%(name)s”.") % {"name": name}]})
    return REGISTRY[name]


def _labels(label_zh: str, label_en: str) -> tuple[str, str]:
    label_zh, label_en = (label_zh or "").strip(), (label_en or "").strip()
    if not label_zh:
        raise ValidationError({"label_zh": [_("Give the Chinese label.")]})
    return label_zh, label_en


def add_choice_option(
    *, actor: Any, list_name: str, value: str, label_zh: str, label_en: str = "", color: str = ""
) -> ChoiceOption:
    """Add an active option at the end of the list; its ``value`` (code) is fixed from now on."""
    _require(actor, "add")
    get_list(list_name)
    value = (value or "").strip()
    label_zh, label_en = _labels(label_zh, label_en)
    with transaction.atomic():
        if ChoiceOption.objects.select_for_update().filter(list_name=list_name, value=value).exists():
            raise ValidationError(
                {"value": [_("This list already has the code “%(value)s”.") % {"value": value}]}
            )
        last = ChoiceOption.objects.filter(list_name=list_name).aggregate(last=Max("order"))["last"] or 0
        option = ChoiceOption(
            list_name=list_name,
            value=value,
            label_zh=label_zh,
            label_en=label_en,
            order=last + 1,
            color=color,
        )
        option.full_clean(validate_constraints=False)
        option.save()
        options_changed()
    return option


def update_choice_option(
    option: ChoiceOption, *, actor: Any, label_zh: str, label_en: str = "", color: str | None = None
) -> ChoiceOption:
    """Rename an option (and recolour it); its code never changes."""
    _require(actor, "change")
    label_zh, label_en = _labels(label_zh, label_en)
    with transaction.atomic():
        option = ChoiceOption.objects.select_for_update().get(pk=option.pk)
        option.label_zh, option.label_en = label_zh, label_en
        fields = ["label_zh", "label_en"]
        if color is not None:
            option.color = color
            fields.append("color")
        option.full_clean(validate_constraints=False)
        option.save(update_fields=fields)
        options_changed()
    return option


def move_choice_option(option: ChoiceOption, *, actor: Any, offset: int) -> None:
    """Move an option ``offset`` places up (negative) or down (positive) in its list."""
    with transaction.atomic():
        values = list(
            ChoiceOption.objects.select_for_update()
            .filter(list_name=option.list_name)
            .order_by("order", "pk")
            .values_list("value", flat=True)
        )
        index = values.index(option.value)
        target = max(0, min(len(values) - 1, index + offset))
        values.insert(target, values.pop(index))
        reorder_choice_options(actor=actor, list_name=option.list_name, values=values)


def reorder_choice_options(*, actor: Any, list_name: str, values: list[str]) -> None:
    """Put the list in the order of ``values`` (every code of the list, once each)."""
    _require(actor, "change")
    get_list(list_name)
    with transaction.atomic():
        rows = {o.value: o for o in ChoiceOption.objects.select_for_update().filter(list_name=list_name)}
        if sorted(values) != sorted(rows):
            raise ValidationError({"values": [_("Give every code of the list once, in the new order.")]})
        for order, value in enumerate(values, start=1):
            row = rows[value]
            if row.order != order:
                row.order = order
                row.save(update_fields=["order"])
        options_changed()


def set_choice_option_active(option: ChoiceOption, *, actor: Any, active: bool) -> ChoiceOption:
    """Deactivate (no longer offered; records keep and show it) or reactivate an option."""
    _require(actor, "change")
    with transaction.atomic():
        option = ChoiceOption.objects.select_for_update().get(pk=option.pk)
        if not active and option.system:
            raise ValidationError(
                {"active": [_("Built-in options cannot be deactivated; rename them instead.")]}
            )
        if option.active != active:
            option.active = active
            option.save(update_fields=["active"])
            options_changed()
    return option


def usage_message(option: ChoiceOption) -> str | None:
    """Why the option cannot be deleted ("3 customers use it…"), or None when nothing uses it."""
    used = get_list(option.list_name).usage(option.value) if option.list_name in REGISTRY else []
    if not used:
        return None
    where = _(", ").join(_("%(count)d %(what)s") % {"count": n, "what": what} for what, n in used)
    message = _(
        "“%(label)s” is in use (%(where)s), so it cannot be deleted. Deactivate it instead: "
        "it is no longer offered, and records that have it keep it."
    )
    return message % {"label": option.label, "where": where}


def delete_choice_option(option: ChoiceOption, *, actor: Any) -> None:
    """Delete an option nothing uses; built-in and used options are refused (deactivate those)."""
    _require(actor, "delete")
    with transaction.atomic():
        option = ChoiceOption.objects.select_for_update().get(pk=option.pk)
        if option.system:
            raise ValidationError({"value": [_("Built-in options cannot be deleted; rename them instead.")]})
        message = usage_message(option)
        if message:
            raise OptionInUse({"value": [message]})
        option.delete()
        options_changed()

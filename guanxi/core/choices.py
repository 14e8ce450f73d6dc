"""Configurable choice lists: the registry, the cached read side and the post_migrate seeding.

A module declares a list once (``register_choice_list``) with its default options and the model
field that stores it; the field takes ``choices=<callable>`` returning ``choices(name)``, so
forms, validation, ``get_FOO_display()``, filters, tables, the API and exports all read the
configured options each time they are used.

Reads are cheap: the options of every list are loaded in one query and kept in the process
(``guanxi.framework.configcache``); ``guanxi.core.choice_services`` calls ``options_changed()``
after each change, and every process reloads once the change is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import DatabaseError, models
from django.utils.choices import CallableChoiceIterator

from guanxi.framework.configcache import ConfigCache
from guanxi.framework.i18n import localized

VERSION_KEY = "guanxi:choiceoptions:version"  # ConfigCache("choiceoptions")'s key


@dataclass(frozen=True)
class Option:
    """A loaded option (plain data, safe to keep between requests)."""

    value: str
    label_zh: str
    label_en: str
    order: int = 0
    active: bool = True
    system: bool = False
    color: str = ""

    @property
    def label(self) -> str:
        return localized(self.label_zh, self.label_en)


@dataclass
class ChoiceList:
    """A configurable list: its name, title, defaults and where its values are stored."""

    name: str
    title: Any
    defaults: list[Option]
    model: str = ""  # "app_label.Model" whose ``field`` stores the values
    field: str = ""
    # other places a value can be used: fn(value) -> (what, count), e.g. ("pool rules", 2)
    extra_usage: list[Callable[[str], tuple[Any, int]]] = dataclass_field(default_factory=list)

    def usage(self, value: str) -> list[tuple[Any, int]]:
        """Where ``value`` is used, as ``[(verbose name plural, count)]`` with counts above zero
        (every row, whoever owns it: usage is not a question of access)."""
        from django.apps import apps

        found = []
        if self.model and self.field:
            model = apps.get_model(self.model)
            count = model._base_manager.filter(**{self.field: value}).count()
            found.append((model._meta.verbose_name_plural, count))
        found += [fn(value) for fn in self.extra_usage]
        return [(what, count) for what, count in found if count]


REGISTRY: dict[str, ChoiceList] = {}


def register_choice_list(choice_list: ChoiceList) -> ChoiceList:
    REGISTRY[choice_list.name] = choice_list
    return choice_list


# -- the read side ----------------------------------------------------------------------------


def _load() -> dict[str, list[Option]] | None:
    from guanxi.core.models import ChoiceOption

    lists: dict[str, list[Option]] = {}
    try:
        rows = ChoiceOption.objects.order_by("list_name", "order", "pk").values_list(
            "list_name", "value", "label_zh", "label_en", "order", "active", "system", "color"
        )
        for name, value, label_zh, label_en, order, active, system, color in rows:
            option = Option(value, label_zh, label_en, order, active, system, color)
            lists.setdefault(name, []).append(option)
    except (DatabaseError, RuntimeError):  # no table yet (system checks before migrate), no DB access
        return None
    return lists


# every list's options, kept in the process; the version lives under VERSION_KEY
_OPTIONS: ConfigCache[dict[str, list[Option]]] = ConfigCache("choiceoptions", _load)


def options(name: str) -> list[Option]:
    """Every option of list ``name`` (active and inactive), in order; the defaults without a DB."""
    lists = _OPTIONS.get()
    if lists is None:
        return list(REGISTRY[name].defaults) if name in REGISTRY else []
    found = lists.get(name)
    if found is None and name in REGISTRY and not lists:
        return list(REGISTRY[name].defaults)
    return found or []


class LazyChoices(CallableChoiceIterator):
    """Choices re-read on each use, with a length (django-filter's choice fields ask for one)."""

    def __len__(self) -> int:
        return sum(1 for _choice in self)


class ChoiceListField(models.CharField):
    """A ``CharField`` whose values come from configurable list ``list_name``.

    Give it the list's module-level ``choices`` callable (every option, for validation and
    display); its form fields offer only the active options (edit forms add the row's own value
    with ``offer_active``).
    """

    def __init__(self, *args: Any, list_name: str, **kwargs: Any) -> None:
        self.list_name = list_name
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, {**kwargs, "list_name": self.list_name}

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        field = super().formfield(**kwargs)
        include_blank = self.blank or not (self.has_default() or "initial" in kwargs)
        list_name = self.list_name

        def offered() -> list[tuple[str, str]]:
            return [*([("", "---------")] if include_blank else []), *active_choices(list_name)]

        if field is not None:
            field.choices = LazyChoices(offered)  # type: ignore[attr-defined]
        return field


def invalidate() -> None:
    """Make every process reload the options (call after a committed change)."""
    _OPTIONS.invalidate()


def options_changed() -> None:
    """For services that wrote options: this process reloads at once (it sees its own
    transaction), every process after the commit."""
    _OPTIONS.changed()


def choices(name: str) -> list[tuple[str, str]]:
    """``[(value, label)]`` of every option: what stored values may be and how they display."""
    return [(o.value, o.label) for o in options(name)]


def active_choices(name: str, keep: str | None = None) -> list[tuple[str, str]]:
    """The options offered for a new value: active ones, plus ``keep`` (a record's current value)."""
    return [(o.value, o.label) for o in options(name) if o.active or (keep and o.value == keep)]


def choice_list_fields(model: type[models.Model]) -> dict[str, str]:
    """``{field name: list name}`` of ``model``'s ``ChoiceListField``s."""
    return {f.name: f.list_name for f in model._meta.concrete_fields if isinstance(f, ChoiceListField)}


def offer_active(form: Any, fields: dict[str, str]) -> None:
    """Limit a form's selects (``{field: list name}``) to the active options plus the edited
    row's current value: a deactivated option is kept on records but not offered again."""
    for field_name, list_name in fields.items():
        field = form.fields.get(field_name)
        if field is None:  # hidden by a field rule, or not in this form
            continue
        keep = getattr(form.instance, field_name, None) if form.instance.pk else None
        blank = [("", "---------")] if not field.required else []
        field.choices = [*blank, *active_choices(list_name, keep)]


def check_active(list_name: str, value: str, current: str | None = None, *, field: str | None = None) -> None:
    """Raise a ``ValidationError`` (on ``field`` when given) unless ``value`` is empty, active or
    unchanged: a deactivated option is kept where it is but not set anew."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if value and value != current and value not in active_values(list_name):
        message = _("“%(value)s” is not one of the options offered.") % {"value": value}
        raise ValidationError({field: [message]} if field else message, code="invalid_choice")


def active_values(name: str) -> set[str]:
    return {o.value for o in options(name) if o.active}


def label(name: str, value: str) -> str:
    """The label of ``value`` in the interface language (the value itself when unknown)."""
    return next((o.label for o in options(name) if o.value == value), value)


# -- seeding ----------------------------------------------------------------------------------


def seed_defaults(apps: Any, names: list[str] | None = None) -> None:
    """Create the default options of lists that have no rows yet (migrations and post_migrate).

    A list an administrator has edited is never touched.
    """
    ChoiceOption = apps.get_model("core", "ChoiceOption")
    for choice_list in REGISTRY.values():
        if names is not None and choice_list.name not in names:
            continue
        if ChoiceOption.objects.filter(list_name=choice_list.name).exists():
            continue
        ChoiceOption.objects.bulk_create(
            ChoiceOption(
                list_name=choice_list.name,
                value=o.value,
                label_zh=o.label_zh,
                label_en=o.label_en,
                order=index,
                active=True,
                system=o.system,
                color=o.color,
            )
            for index, o in enumerate(choice_list.defaults, start=1)
        )


def ensure_default_choice_options(**kwargs: Any) -> None:
    """``post_migrate``: put the default options back after a flush (like the default roles)."""
    from django.apps import apps as global_apps

    seed_defaults(global_apps)
    invalidate()

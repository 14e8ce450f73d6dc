"""The field catalogue of an entity: what a condition may name, how it reads and what it accepts.

One entry per filterable field: the model's own concrete fields, the fields one foreign key
away (``owner.department``, ``customer.level``), custom fields (``cf.<name>``) and tags. Each
entry knows its translated label, its kind (which decides the operators and the value shape),
the ORM path the compiler filters on, and the field rules that must let the user read it in
clear — so a UI, the API and the validator all read the same list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

# The operators of each kind. ``in``/``not_in`` on ``user``/``department`` also take tokens.
_EMPTY = ("is_empty", "is_not_empty")
_DATES = (
    "eq",
    "before",
    "after",
    "gte",
    "lte",
    "between",
    "today",
    "past",
    "future",
    "within_last",
    "within_next",
    "older_than",
    "this_week",
    "this_month",
    "this_quarter",
    "this_year",
    "this_month_any_year",
)
OPS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "in", "not_in", "contains", "not_contains", "startswith", "invalid_format", *_EMPTY),
    "integer": ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", *_EMPTY),
    "decimal": ("eq", "ne", "gt", "gte", "lt", "lte", "between", *_EMPTY),
    "date": (*_DATES, *_EMPTY),
    "datetime": (*_DATES, *_EMPTY),
    "boolean": ("eq", *_EMPTY),
    "choice": ("eq", "ne", "in", "not_in", *_EMPTY),
    "multichoice": ("in", "not_in", *_EMPTY),  # "has any of" / "has none of"
    "user": ("eq", "ne", "in", "not_in", *_EMPTY),
    "department": ("eq", "ne", "in", "not_in", *_EMPTY),
    "relation": ("eq", "ne", "in", "not_in", *_EMPTY),
    "tags": ("in", "not_in", *_EMPTY),
}
# Fields no condition may name, on any model: secrets and bookkeeping columns.
EXCLUDED = {"password", "custom_field_data", "path", "depth", "name_key"}
_CF_KINDS = {
    "text": "text",
    "longtext": "text",
    "email": "text",
    "phone": "text",
    "url": "text",
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "select": "choice",
    "multiselect": "multichoice",
    "object": "relation",
}


@dataclass(frozen=True)
class CatalogueField:
    """One field a condition may name."""

    name: str  # "level", "owner.department", "cf.budget", "tags"
    label: str
    kind: str
    path: str  # the ORM lookup path ("owner__department", "custom_field_data__budget")
    # (model, field-rule name) pairs that must all be readable in clear for the user
    guards: tuple[tuple[type[models.Model], str], ...]
    choices: Callable[[], list[tuple[Any, Any]]] | None = None
    related_model: type[models.Model] | None = None  # the model a relation names, by id
    custom_field: Any = None
    hop: type[models.Model] | None = None  # the related model of a one-hop field
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ops(self) -> tuple[str, ...]:
        return OPS[self.kind]

    def as_dict(self) -> dict[str, Any]:
        """The entry as the API gives it to condition editors."""
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "ops": list(self.ops),
        }
        if self.choices is not None:
            out["choices"] = [{"value": v, "label": str(label)} for v, label in self.choices() if v != ""]
        if self.related_model is not None:
            out["model"] = self.related_model._meta.label_lower
        if self.kind == "user":
            out["tokens"] = ["$me", "$my_team"]
        elif self.kind == "department":
            out["tokens"] = ["$my_department", "$my_department_tree"]
        elif self.kind in ("date", "datetime"):
            out["tokens"] = ["$today"]
        return out


def _is_user(model: Any) -> bool:
    return model is not None and model._meta.label == settings.AUTH_USER_MODEL


def _is_department(model: Any) -> bool:
    return model is not None and model._meta.label == "users.Department"


def field_kind(f: models.Field) -> str | None:
    """The condition kind of a model field, or None when conditions cannot name it."""
    from guanxi.core.choices import ChoiceListField

    if f.name in EXCLUDED or f.name in getattr(f.model, "condition_exclude", ()) or f.primary_key:
        return None
    if isinstance(f, models.ForeignKey):
        related = f.related_model
        if related is ContentType:
            return None
        return "user" if _is_user(related) else "department" if _is_department(related) else "relation"
    if f.is_relation or isinstance(f, models.JSONField | models.BinaryField | models.FileField):
        return None
    if isinstance(f, ChoiceListField) or f.choices:
        return "choice"
    if isinstance(f, models.BooleanField):
        return "boolean"
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.IntegerField):
        return "integer"
    if isinstance(f, models.DecimalField | models.FloatField):
        return "decimal"
    if isinstance(f, models.CharField | models.TextField | models.GenericIPAddressField):
        return "text"
    return None


def _choices_of(f: models.Field) -> Callable[[], list[tuple[Any, Any]]] | None:
    from guanxi.core.choices import ChoiceListField
    from guanxi.core.choices import choices as list_choices

    if isinstance(f, ChoiceListField):
        name = f.list_name
        return lambda: list_choices(name)
    if f.choices:
        return lambda: list(f.flatchoices)
    return None


def _model_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if field_kind(f) is not None]


def catalogue(model: type[models.Model]) -> dict[str, CatalogueField]:
    """Every field a condition on ``model`` may name, by name (custom fields read as defined now)."""
    from django.utils.translation import get_language

    from guanxi.framework.customfields import fields_for
    from guanxi.framework.models import CustomFieldsMixin, TagsMixin

    # The model's own and one-hop fields never change while the process runs (only their labels'
    # language does): built once per model and language, as a page compiles several conditions.
    key = (model, get_language())
    static = _STATIC.get(key)
    if static is None:
        static = _STATIC[key] = _model_catalogue(model)
    out = dict(static)
    if issubclass(model, CustomFieldsMixin):
        for cf in fields_for(model):
            name = f"cf.{cf.name}"
            out[name] = CatalogueField(
                name=name,
                label=str(cf.display_label),
                kind=_CF_KINDS.get(cf.type, "text"),
                path=f"custom_field_data__{cf.name}",
                guards=((model, f"cf_{cf.name}"),),
                choices=cf.choice_pairs if cf.type in ("select", "multiselect") else None,
                related_model=cf.related_object_type.model_class() if cf.related_object_type_id else None,
                custom_field=cf,
            )
    if issubclass(model, TagsMixin):
        from guanxi.core.models import Tag

        out["tags"] = CatalogueField(
            name="tags",
            label=_("Tags"),
            kind="tags",
            path="tagged_items__tag__slug",
            guards=((model, "tags"),),
            choices=lambda: list(Tag.objects.values_list("slug", "name")),
        )
    return out


_STATIC: dict[tuple[type[models.Model], str | None], dict[str, CatalogueField]] = {}


def _model_catalogue(model: type[models.Model]) -> dict[str, CatalogueField]:
    """The model's concrete fields and those one foreign key away, labelled in the active language."""
    out: dict[str, CatalogueField] = {}
    for f in _model_fields(model):
        kind = field_kind(f)
        assert kind is not None
        label = str(f.verbose_name)
        related = f.related_model if f.is_relation else None
        out[f.name] = CatalogueField(
            name=f.name,
            label=label,
            kind=kind,
            path=f.name,
            guards=((model, f.name),),
            choices=_choices_of(f),
            related_model=related,  # type: ignore[arg-type]
        )
        if related is None:
            continue
        for sub in _model_fields(related):  # type: ignore[arg-type]
            sub_kind = field_kind(sub)
            assert sub_kind is not None
            name = f"{f.name}.{sub.name}"
            out[name] = CatalogueField(
                name=name,
                label=f"{label} › {sub.verbose_name}",
                kind=sub_kind,
                path=f"{f.name}__{sub.name}",
                guards=((model, f.name), (related, sub.name)),  # type: ignore[arg-type]
                choices=_choices_of(sub),
                related_model=sub.related_model if sub.is_relation else None,  # type: ignore[arg-type]
                hop=related,  # type: ignore[arg-type]
            )
    return out


def readable(user: Any, entry: CatalogueField) -> bool:
    """Whether ``user`` may filter on ``entry``: every field on its way is readable in clear
    (hidden or masked fields would leak through the filter), and a one-hop field's model may be
    viewed at all (``owner.phone`` must not let a rep enumerate the users' phones)."""
    from guanxi.framework.access import can
    from guanxi.framework.fieldaccess import HIDDEN, MASKED, rules_for

    if user is None:
        return True  # system use (tasks, rules evaluated without a viewer)
    for model, name in entry.guards:
        if rules_for(user, model).get(name) in (HIDDEN, MASKED):
            return False
    return entry.hop is None or can(user, "view", entry.hop)


def catalogue_for(model: type[models.Model], user: Any = None) -> dict[str, CatalogueField]:
    """The catalogue as ``user`` may use it (all of it for ``user=None``)."""
    return {name: entry for name, entry in catalogue(model).items() if readable(user, entry)}

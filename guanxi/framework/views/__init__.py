"""Generic views. An entity's UI is one ``EntityViews`` subclass; ``.urls()`` gives its URL patterns.

>>> class TagViews(EntityViews):
...     model = Tag
...     filterset = TagFilterSet
...     form = TagForm
...     table = TagTable
>>> urlpatterns = TagViews.urls()

URL names (in the app's namespace): ``<model>_list``, ``<model>_add``, ``<model>`` (detail),
``<model>_edit``, ``<model>_delete``, ``<model>_bulk_edit``, ``<model>_bulk_delete``,
``<model>_history``, ``<model>_timeline``, ``<model>_saveview``, ``<model>_deleteview``,
``<model>_import`` (the import wizard's upload, ``guanxi.imports``; ``importable = False`` turns it off),
``<model>_transition`` (a model with a state machine: its transitions' buttons post there).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.urls import path

from guanxi.framework.customfields import fields_for
from guanxi.framework.models import CustomFieldsMixin, OwnerMixin, TagsMixin
from guanxi.framework.moneyfields import shown_money
from guanxi.framework.querysets import RestrictedQuerySet, model_queryset
from guanxi.framework.views.bulk import BulkDeleteView, BulkEditView
from guanxi.framework.views.imports import ImportView
from guanxi.framework.views.lists import ObjectListView, SavedViewDeleteView, SavedViewSaveView
from guanxi.framework.views.objects import ObjectDeleteView, ObjectDetailView, ObjectEditView
from guanxi.framework.views.tabs import ObjectHistoryView, ObjectTimelineView
from guanxi.framework.views.transitions import ObjectTransitionView

_BY_MODEL: dict[str, type[EntityViews]] = {}


def entity_views_for(label: str) -> type[EntityViews]:
    """The pages of a model (``"customers.customer"``), found again by background jobs: the
    entity registry's ``views``, else the last ``EntityViews`` declared for the model (tests'
    own); KeyError if none."""
    from guanxi.framework.entities import entity_for

    entity = entity_for(label)
    if entity is not None and entity.views is not None:
        return entity.views
    return _BY_MODEL[label.lower()]


class EntityViews:
    """Declarative configuration of one entity's pages."""

    model: ClassVar[type[models.Model]]
    filterset: ClassVar[Any]
    form: ClassVar[Any]
    table: ClassVar[Any]
    queryset: ClassVar[RestrictedQuerySet | None] = None
    detail_fields: ClassVar[tuple[str, ...]] = ()
    bulk_edit_fields: ClassVar[tuple[str, ...]] = ()
    per_page: ClassVar[int] = 50
    list_template: ClassVar[str] = "generic/list.html"
    detail_template: ClassVar[str] = "generic/detail.html"
    edit_template: ClassVar[str] = "generic/edit.html"
    read_only: ClassVar[bool] = False  # list + detail only (logs, audit trails)
    url_prefix: ClassVar[str | None] = None  # default: ``<model_name>s``
    importable: ClassVar[bool] = True  # offer CSV/Excel import (needs the "import" action)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" in cls.__dict__:  # the pages of a model, found again by background jobs
            _BY_MODEL[cls.model._meta.label_lower] = cls

    @classmethod
    def get_queryset(cls) -> RestrictedQuerySet:
        qs = cls.queryset.all() if cls.queryset is not None else model_queryset(cls.model)
        if issubclass(cls.model, TagsMixin):
            qs = qs.prefetch_related("tagged_items__tag")
        if issubclass(cls.model, OwnerMixin):
            qs = qs.select_related("owner", "department")
        return qs

    @classmethod
    def custom_fields(cls) -> list[Any]:
        return fields_for(cls.model) if issubclass(cls.model, CustomFieldsMixin) else []

    @classmethod
    def detail_field_values(cls, obj: models.Model, user: Any = None) -> list[tuple[str, Any]]:
        """(label, display value) for the profile panel, with the user's field rules applied."""
        from guanxi.framework import fieldaccess

        names = cls.detail_fields or tuple(
            f.name
            for f in cls.model._meta.concrete_fields
            if f.editable and f.name not in ("id", "custom_field_data")
        )
        out = []
        for name in names:
            if not fieldaccess.visible(user, cls.model, name):
                continue
            field = cls.model._meta.get_field(name)
            assert isinstance(field, models.Field)  # detail_fields names the model's own fields
            money = getattr(field, "money", None)  # a part of a MoneyField: one line, formatted
            if money is not None and name == money.currency_attname and money.amount_attname in names:
                continue  # shown with its amount
            if money is not None and name == money.amount_attname:
                shown = fieldaccess.display(user, cls.model, name, shown_money(obj, money))
                out.append((str(money.verbose_name), shown))
                continue
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if callable(display) else getattr(obj, name)
            if fieldaccess.shows_as_phone(user, cls.model, name):
                from guanxi.framework.tables import tel_link

                value = tel_link(value)  # "187 9706 4350", dialled with a tap
            elif fieldaccess.shows_as_email(user, cls.model, name):
                from guanxi.framework.tables import mailto_link

                value = mailto_link(value)
            out.append((str(field.verbose_name), fieldaccess.display(user, cls.model, name, value)))
        return out

    @classmethod
    def urls(cls) -> list[Any]:
        name = cls.model._meta.model_name
        prefix = cls.url_prefix or f"{name}s"
        kw = {"config": cls}
        if cls.read_only:
            return [
                path(f"{prefix}/", ObjectListView.as_view(**kw), name=f"{name}_list"),
                path(f"{prefix}/views/", SavedViewSaveView.as_view(**kw), name=f"{name}_saveview"),
                path(
                    f"{prefix}/views/<int:view_id>/delete/",
                    SavedViewDeleteView.as_view(**kw),
                    name=f"{name}_deleteview",
                ),
                path(f"{prefix}/<int:pk>/", ObjectDetailView.as_view(**kw), name=name),
            ]
        return [
            path(f"{prefix}/", ObjectListView.as_view(**kw), name=f"{name}_list"),
            path(f"{prefix}/add/", ObjectEditView.as_view(**kw), name=f"{name}_add"),
            path(f"{prefix}/bulk-edit/", BulkEditView.as_view(**kw), name=f"{name}_bulk_edit"),
            path(f"{prefix}/bulk-delete/", BulkDeleteView.as_view(**kw), name=f"{name}_bulk_delete"),
            path(f"{prefix}/import/", ImportView.as_view(**kw), name=f"{name}_import"),
            path(f"{prefix}/views/", SavedViewSaveView.as_view(**kw), name=f"{name}_saveview"),
            path(
                f"{prefix}/views/<int:view_id>/delete/",
                SavedViewDeleteView.as_view(**kw),
                name=f"{name}_deleteview",
            ),
            path(f"{prefix}/<int:pk>/", ObjectDetailView.as_view(**kw), name=name),
            path(f"{prefix}/<int:pk>/edit/", ObjectEditView.as_view(**kw), name=f"{name}_edit"),
            path(f"{prefix}/<int:pk>/delete/", ObjectDeleteView.as_view(**kw), name=f"{name}_delete"),
            path(f"{prefix}/<int:pk>/history/", ObjectHistoryView.as_view(**kw), name=f"{name}_history"),
            path(f"{prefix}/<int:pk>/timeline/", ObjectTimelineView.as_view(**kw), name=f"{name}_timeline"),
            *cls.transition_urls(),
            *cls.merge_urls(),
        ]

    @classmethod
    def merge_urls(cls) -> list[Any]:
        """``<prefix>/merge/`` for an entity declaring ``merge`` in the registry (the merge page)."""
        from guanxi.framework.entities import entity_for
        from guanxi.framework.views.merge import MergeView

        entity = entity_for(cls.model)
        if entity is None or entity.merge is None:
            return []
        name = cls.model._meta.model_name
        prefix = cls.url_prefix or f"{name}s"
        return [path(f"{prefix}/merge/", MergeView.as_view(config=cls), name=f"{name}_merge")]

    @classmethod
    def transition_urls(cls) -> list[Any]:
        """``<prefix>/<pk>/transition/`` for a model with a state machine (its page's buttons)."""
        from guanxi.framework.statemachine import machines_for

        if not machines_for(cls.model):
            return []
        name = cls.model._meta.model_name
        prefix = cls.url_prefix or f"{name}s"
        view = ObjectTransitionView.as_view(config=cls)
        return [path(f"{prefix}/<int:pk>/transition/", view, name=f"{name}_transition")]

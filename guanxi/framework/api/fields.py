"""Serializer fields every entity's API shares: its URL, brief related records, custom fields, tags,
content types. Their OpenAPI shapes are declared in ``guanxi.framework.api.schema``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guanxi.framework.fieldaccess import label
from guanxi.framework.models import TagsMixin
from guanxi.framework.querysets import RestrictedQuerySet

API_NAMESPACE = "api"


def api_url_name(model: type[models.Model], suffix: str = "detail") -> str:
    """``api:core-tag-detail``: the router names every entity's routes ``<app_label>-<model_name>-…``."""
    return f"{API_NAMESPACE}:{model._meta.app_label}-{model._meta.model_name}-{suffix}"


def api_url(obj: models.Model, request: Any = None) -> str | None:
    """Absolute API URL of ``obj`` (relative without a request); None for models with no endpoint."""
    try:
        # obj.__class__, not type(obj): the actor stamped on a row written in a signed-in request
        # is request.user, a lazy proxy whose type() is SimpleLazyObject
        path = reverse(api_url_name(obj.__class__), kwargs={"pk": obj.pk})
    except NoReverseMatch:
        return None
    return request.build_absolute_uri(path) if request is not None else path


def brief(obj: models.Model | None, request: Any = None) -> dict[str, Any] | None:
    """``{id, url, display}``: how a related record appears inside another record (``display``
    as the requesting user may read it: ``fieldaccess.label``)."""
    if obj is None:
        return None
    return {"id": obj.pk, "url": api_url(obj, request), "display": label(getattr(request, "user", None), obj)}


class DisplayField(serializers.CharField):
    """A record's ``display``: its label as the requesting user may read it (``fieldaccess.label``:
    a lead's company hidden from them is left out)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:  # the record itself (``source="*"``)
        user = getattr(self.context.get("request"), "user", None)
        many = getattr(value.__class__, "reader_labels", None)
        if many is None or self.parent is None:
            return label(user, value)

        def fill(rows: list[Any]) -> None:  # a stored label (the change log's): a page at once
            for row, text in zip(rows, many(user, rows), strict=True):
                row.reader_display = text

        return page_once(self.parent, value, "reader_display", fill)


def page_once(serializer: Any, instance: Any, attr: str, fill: Any) -> Any:
    """``instance.<attr>``, set by ``fill(rows)`` for every row of the page being serialized at
    once (the list serializer's rows) — a label read from the records of a page of stored rows
    (``fieldaccess.stored_labels``) costs one query per type for the page, not one per row."""
    if not hasattr(instance, attr):
        parent = serializer.parent
        page = parent.instance if isinstance(parent, serializers.ListSerializer) else None
        rows = list(page) if page is not None else []
        if not any(row is instance for row in rows):  # a single row, or a list not yet loaded
            rows = [instance]
        fill(rows)
    return getattr(instance, attr)


class EntityURLField(serializers.Field):
    """The record's own API detail URL."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value: models.Model) -> str | None:
        return api_url(value, self.context.get("request"))


class BriefRelatedField(serializers.RelatedField):
    """A foreign key: written as an id, read as ``{id, url, display}``.

    Choices are limited to what the writer may view (``restrict(user, "view")``), so the API never
    confirms that a hidden record exists; a user may always pick themselves (as owner, say)."""

    default_error_messages = {
        "required": _("This field is required."),
        "does_not_exist": _("No record with id {pk_value} exists, or you may not see it."),
        "incorrect_type": _("Give the id of the record (a whole number), not {data_type}."),
    }

    def use_pk_only_optimization(self) -> bool:
        return False  # ``display`` needs the related row (the viewset select_related()s it)

    def get_queryset(self) -> models.QuerySet | None:
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not isinstance(queryset, RestrictedQuerySet):
            return queryset
        visible = queryset.restrict(user, "view")
        if queryset.model is get_user_model() and user.is_authenticated:
            return queryset.filter(models.Q(pk__in=visible.values("pk")) | models.Q(pk=user.pk))
        return visible

    def to_internal_value(self, data: Any) -> models.Model:
        if isinstance(data, dict):
            data = data.get("id")
        if isinstance(data, str) and data.strip().isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        queryset = self.get_queryset()
        assert queryset is not None  # only writable fields parse input, and they have a queryset
        try:
            return queryset.get(pk=data)
        except (ObjectDoesNotExist, OverflowError):
            self.fail("does_not_exist", pk_value=data)

    # The stubs allow a PKOnlyObject; use_pk_only_optimization() is off, so it is always the row.
    def to_representation(self, value: models.Model) -> dict[str, Any] | None:  # type: ignore[override]
        return brief(value, self.context.get("request"))

    def get_choices(self, cutoff: int | None = None) -> dict:
        return {}  # never list every row (OPTIONS, browsable forms)


class CustomFieldsField(serializers.Field):
    """``custom_fields``: the stored values on read; an object of ``name: value`` on write.

    Only the shape is checked here; the serializer merges the values with the stored ones and the
    model's ``full_clean()`` validates them against the definitions (errors ``custom_fields.<name>``)."""

    default_error_messages = {"invalid": _("Custom fields must be an object of key: value.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source", "custom_field_data")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        return dict(value or {})

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("invalid")
        return data


class TagsField(serializers.Field):
    """``tags``: read as ``[{id, name, slug, color}]``; written as a list of slugs or ids (replaces)."""

    default_error_messages = {"not_a_list": _("Give a list of tag slugs or ids.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.update(source="*")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, value: TagsMixin) -> list[dict[str, Any]]:
        from guanxi.framework.tags import get_tags

        return [{"id": t.pk, "name": t.name, "slug": t.slug, "color": t.color} for t in get_tags(value)]

    def to_internal_value(self, data: Any) -> dict[str, list[Any]]:
        from guanxi.framework.tags import resolve_tags

        if not isinstance(data, list):
            self.fail("not_a_list")
        try:
            return {"tags": resolve_tags(data)}
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["tags"]) from None


class ContentTypeField(serializers.RelatedField):
    """An entity type as ``"app_label.model"`` (``"core.tag"``)."""

    default_error_messages = {
        "does_not_exist": _("Unknown entity type “{value}”."),
        "invalid": _("Give the entity type as app_label.model, e.g. core.tag."),
    }

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", ContentType.objects.all())
        super().__init__(**kwargs)

    def get_attribute(self, instance: models.Model) -> ContentType | None:
        # Content types come from Django's in-process cache: no query, no select_related needed.
        assert self.source is not None  # set when the field is bound
        field = instance._meta.get_field(self.source)
        assert isinstance(field, models.ForeignKey)  # a content type column
        ct_id = getattr(instance, field.attname)
        return ContentType.objects.get_for_id(ct_id) if ct_id else None

    def to_internal_value(self, data: Any) -> ContentType:
        if not isinstance(data, str) or data.count(".") != 1:
            self.fail("invalid")
        app_label, model = data.lower().split(".")
        queryset = self.get_queryset()
        assert queryset is not None  # only writable fields parse input, and they have a queryset
        try:
            return queryset.get(app_label=app_label, model=model)
        except ObjectDoesNotExist:
            self.fail("does_not_exist", value=data)

    # The stubs allow a PKOnlyObject; get_attribute() above always gives the ContentType.
    def to_representation(self, value: ContentType) -> str:  # type: ignore[override]
        return f"{value.app_label}.{value.model}"

    def get_choices(self, cutoff: int | None = None) -> dict:
        return {}

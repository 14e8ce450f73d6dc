"""Base model classes and feature mixins: a model's base class decides its features.

* ``BaseModel``            the permission-aware manager (``objects.restrict(user, action)``).
* ``ChangeLoggedModel``    created/updated stamps (+ by whom) and an ``ObjectChange`` per write.
* ``CustomFieldsMixin``    ``custom_field_data`` validated against ``core.CustomField`` rows.
* ``TagsMixin``            tags through ``core.TaggedItem`` (no per-entity columns).
* ``AttachmentsMixin``     files through ``core.Attachment``.
* ``OwnerMixin``           owner and owning department (the basis of data scopes).
* ``PrimaryModel``         all of the above: the contract for a business entity (customer, deal…).
* ``OrganizationalModel``  change-logged and custom fields, no owner or tags (tags, pipelines…).

Each layer above the model (forms, filtersets, tables, serializers, views, search, tests) has a
base class that reads these features, so adding an entity type is declarative.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from guanxi.framework.loading import instance_from_row
from guanxi.framework.querysets import RestrictedQuerySet


class BaseModel(models.Model):
    """Every Guanxi model: the restricting manager and a URL convention."""

    objects = RestrictedQuerySet.as_manager()

    # The columns a reference to a row shows (its ``str()`` and link read them); lists load a
    # related row only this far (``RestrictedQuerySet.for_display``). None: the whole row.
    display_fields: ClassVar[tuple[str, ...] | None] = None

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        """``<app_label>:<model_name>`` is the detail view's URL name by convention."""
        try:
            return reverse(f"{self._meta.app_label}:{self._meta.model_name}", args=[self.pk])
        except NoReverseMatch:
            return ""


class ChangeLoggedModel(BaseModel):
    """Keeps who created and last changed the row, and writes an ObjectChange per write.

    The values a row had when it was loaded are kept on the instance (``_loaded_values``), so an
    update's change-log entry holds the before and after of exactly the fields that changed without
    the caller having to take a snapshot. ``changelog_parent`` names a foreign key whose target
    should show this row's changes in its own history (a contact's changes on its customer).
    """

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    changelog_parent: str | None = None
    changelog_exclude: tuple[str, ...] = ("updated_at", "updated_by")
    # Set per instance: the loaded row (from_db, refresh_from_db, capture_save) and a set's
    # members before an m2m change (signals._on_m2m).
    _loaded_values: dict[str, Any]
    _m2m_before: list[str]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        from guanxi.framework.context import current_actor, require_context

        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= set(self.changelog_exclude):
            # Untracked bookkeeping (a login's last_login): no history, so no actor needed.
            super().save(*args, **kwargs)
            return
        require_context()
        changed = self.changed_fields()
        self.before_write(changed, self._state.adding)
        if update_fields is not None:  # what the hook derived is saved with the rest
            update_fields = {*update_fields, *(self.changed_fields() - changed)}
        actor = current_actor()
        if self._state.adding and actor is not None and self.created_by_id is None:
            self.created_by = actor
        self.updated_by = actor
        if update_fields is not None:
            from guanxi.framework.moneyfields import base_fields_to_save

            # a money amount saved alone takes its stored company-currency amount along
            kwargs["update_fields"] = {
                *update_fields,
                "updated_at",
                "updated_by",
                *base_fields_to_save(type(self), update_fields),
            }
        super().save(*args, **kwargs)

    def before_write(self, changed: set[str], creating: bool) -> None:
        """Per-entity rules that must hold on every write (a new due time re-arms the reminder).
        ``changed`` holds the names of the fields whose value differs from the loaded row.
        A model with columns computed from the row's own values puts them in ``derive`` and
        calls ``derive_unless_carried`` here."""

    def derive(self) -> None:
        """Columns computed from the row's own values alone, the same whenever they are computed
        (a name's matching key, a region code's names): no clock, no actor, no query. An import's
        validation runs it once a row (its checks read the results) and carries the results to
        the commit in the row's values (``imports.engine``)."""

    def derive_unless_carried(self) -> None:
        """``derive``, unless the instance already holds its results (``mark_derived``)."""
        if not self.__dict__.pop("_derived", False):
            self.derive()

    def mark_derived(self) -> None:
        """The instance holds ``derive``'s results for its values (an import's commit, which
        writes what its validation derived): its next ``before_write`` skips ``derive`` once."""
        self.__dict__["_derived"] = True

    def changed_fields(self) -> set[str]:
        """Names of concrete fields whose value differs from the row as loaded (all on a new row)."""
        loaded = getattr(self, "_loaded_values", None)
        if self._state.adding or loaded is None:
            return {f.name for f in self._meta.concrete_fields}
        return {
            f.name
            for f in self._meta.concrete_fields
            if f.attname in loaded and loaded[f.attname] != getattr(self, f.attname)
        }

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> Any:
        loaded = dict(zip(field_names, values, strict=True))
        instance = instance_from_row(cls, db, loaded, **kwargs)
        if instance is None:  # a model that needs Django's own __init__
            instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_values = loaded  # type: ignore[attr-defined]
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        """Reloaded values become the new "before" of the next change-log diff."""
        super().refresh_from_db(*args, **kwargs)
        fields = kwargs.get("fields") or (args[1] if len(args) > 1 else None)
        loaded = dict(getattr(self, "_loaded_values", {}))
        for field in self._meta.concrete_fields:
            if fields is None or field.name in fields or field.attname in fields:
                loaded[field.attname] = getattr(self, field.attname)
        self._loaded_values = loaded

    def changelog_snapshot(self) -> dict[str, Any]:
        """The values the change log compares: concrete fields by attname, JSON-ready."""
        from guanxi.framework.changes import serialize_instance

        return serialize_instance(self)


class CustomFieldsMixin(models.Model):
    """Values of administrator-defined fields, one JSON column, validated on ``full_clean``.

    >>> customer.cf["wechat_group"]
    '华东 VIP 群'
    """

    custom_field_data = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def cf(self) -> dict[str, Any]:
        return self.custom_field_data

    def clean(self) -> None:
        super().clean()
        from guanxi.framework.customfields import validate_custom_field_data

        self.custom_field_data = validate_custom_field_data(type(self), self.custom_field_data or {})


class TagsMixin(models.Model):
    """Tags through the generic ``core.TaggedItem`` table; filter with ``tagged_items__tag__slug``."""

    tagged_items = GenericRelation("core.TaggedItem")

    class Meta:
        abstract = True

    @property
    def tag_list(self) -> list[Any]:
        """Tags of this row; uses ``prefetch_related('tagged_items__tag')`` when present."""
        return [item.tag for item in self.tagged_items.all()]


class AttachmentsMixin(models.Model):
    """Files attached through ``core.Attachment`` (size and type limits from settings)."""

    attachments = GenericRelation("core.Attachment")

    class Meta:
        abstract = True


class OwnerMixin(models.Model):
    """The user responsible for the row and the department it belongs to (data scopes use both)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "users.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    owner_id: int | None
    department_id: int | None

    # A new row saved without an owner belongs to its writer (guanxi.framework.write); a model
    # whose unowned rows mean something (a lead waiting for the assignment rules) says False.
    owner_defaults_to_writer: ClassVar[bool] = True

    # Columns data scopes read (see guanxi.users.access): 本人 compares the owner, 本部门 the department.
    access_owner_field = "owner_id"
    access_department_field = "department_id"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new row with an owner but no department lands in the owner's department.
        if self._state.adding and self.owner_id and not self.department_id:
            self.department_id = getattr(self.owner, "department_id", None)
        super().save(*args, **kwargs)


class OrganizationalModel(CustomFieldsMixin, ChangeLoggedModel):
    """Reference data administrators maintain: change-logged, custom fields, no owner or tags."""

    class Meta:
        abstract = True


class PrimaryModel(OwnerMixin, TagsMixin, AttachmentsMixin, CustomFieldsMixin, ChangeLoggedModel):
    """A business entity: owner, department, tags, attachments, custom fields, change log, search."""

    class Meta:
        abstract = True


def model_features(model: type[models.Model]) -> set[str]:
    """The feature names a model class has, for registries and generic layers."""
    checks = {
        "change_log": ChangeLoggedModel,
        "custom_fields": CustomFieldsMixin,
        "tags": TagsMixin,
        "attachments": AttachmentsMixin,
        "owner": OwnerMixin,
    }
    return {name for name, base in checks.items() if issubclass(model, base)}

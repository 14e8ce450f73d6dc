from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.i18n import localized
from guanxi.framework.models import ChangeLoggedModel, OrganizationalModel


class DataScope(models.TextChoices):
    """The five data scopes of Chinese CRMs, narrowest first."""

    OWN = "own", _("Own (本人)")
    OWN_SUBORDINATES = "own_subordinates", _("Own and subordinates (本人及下属)")
    DEPARTMENT = "department", _("Own department (本部门)")
    DEPARTMENT_TREE = "department_tree", _("Department and sub-departments (本部门及下属部门)")
    ALL = "all", _("All (全部)")


SCOPE_ORDER = [s.value for s in DataScope]


class FieldAccess(models.TextChoices):
    """What a role may do with one field; several roles combine to the least restrictive."""

    READONLY = "readonly", _("Read-only")
    MASKED = "masked", _("Masked")
    HIDDEN = "hidden", _("Hidden")


class Role(OrganizationalModel):
    """A set of grants (actions + data scope per entity type) and field rules given to users (角色).

    A user's access is the union of their roles' grants. Shipped default roles are flagged
    ``is_system`` (editable, not deletable).
    """

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    name = models.CharField(_("name"), max_length=60, unique=True)
    # The shipped roles' stable code ("sales_rep"): the entity registry's default grants find the
    # role by it, whatever an administrator renames it to. Empty for roles made by administrators.
    code = models.CharField(_("code"), max_length=40, unique=True, null=True, blank=True, editable=False)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_system = models.BooleanField(_("shipped default"), default=False, editable=False)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("users"), blank=True, related_name="roles"
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Shipped roles can be edited but not deleted (later modules grant to them by name)."""
        if self.is_system:
            raise ValidationError(
                _("“%(role)s” is a shipped default role: edit it instead of deleting it.")
                % {"role": self.display_name}
            )
        return super().delete(*args, **kwargs)


class RoleGrant(ChangeLoggedModel):
    """What a role may do on one entity type (actions), and on which rows (data scope)."""

    # Part of a role: readable by whoever may read the role.
    access_parent = "role"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("entity type"), on_delete=models.CASCADE, related_name="+"
    )
    actions = models.JSONField(_("actions"), default=list)
    scope = models.CharField(_("data scope"), max_length=20, choices=DataScope.choices, default=DataScope.OWN)

    changelog_parent = "role"

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["role", "content_type"], name="rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.role} · {self.content_type.model}: {', '.join(self.actions)} ({self.scope})"


class FieldRule(ChangeLoggedModel):
    """A role's restriction on one field of an entity type (custom fields as ``cf_<name>``)."""

    # Part of a role: readable by whoever may read the role.
    access_parent = "role"

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="field_rules")
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("entity type"), on_delete=models.CASCADE, related_name="+"
    )
    field_name = models.CharField(_("field"), max_length=60)
    access = models.CharField(_("access"), max_length=10, choices=FieldAccess.choices)

    changelog_parent = "role"

    class Meta:
        verbose_name = _("field rule")
        verbose_name_plural = _("field rules")
        constraints = [
            models.UniqueConstraint(fields=["role", "content_type", "field_name"], name="fieldrule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} · {self.content_type.model}.{self.field_name}: {self.access}"

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.i18n import localized
from guanxi.framework.models import OrganizationalModel

PATH_STEP = 6  # digits per level in ``path``: 999,999 siblings is plenty


class Department(OrganizationalModel):
    """A node of the company's department tree (部门).

    ``path`` is a materialised path of zero-padded ids (``000001.000004.``): a subtree is
    ``path__startswith=dept.path``, one indexed range scan on both databases, so data scopes
    like 本部门及下属部门 resolve in the same SQL query as the list they filter, with no recursive
    CTE and no cache to invalidate. Moving a department rewrites its subtree's paths in one
    UPDATE (see ``users.services.move_department``).
    """

    display_fields = ("name", "name_en")

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )
    order = models.PositiveIntegerField(_("order"), default=100)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    changelog_exclude = ("updated_at", "updated_by", "path", "depth")  # derived from parent

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    # The department filter's chips read these columns, not a Department per option (see User).
    choice_label_fields = ("name", "name_en")
    choice_label = staticmethod(localized)

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent is not None else ""
        return f"{prefix}{self.pk:0{PATH_STEP}d}."

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        path = self.compute_path()
        if path != self.path:
            self.path, self.depth = path, path.count(".") - 1
            type(self).objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    def subtree(self) -> models.QuerySet[Department]:
        return type(self).objects.filter(path__startswith=self.path)

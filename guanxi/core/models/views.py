from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import ChangeLoggedModel


class SavedView(ChangeLoggedModel):
    """A named list view: a condition tree (docs/conditions.md), search text, columns, ordering
    and page size — kept by its owner, shared with everyone, with roles or with departments.

    ``condition`` is compiled for the viewer each time the view is applied, so ``$me`` and "last
    30 days" mean the viewer and today, and renaming a list's filter parameter cannot break it.
    ``needs_attention`` keeps the filters of an older view that could not be converted to a
    condition (``[{"param", "values", "reason", "detail"}]``, the reason a code), shown on the
    list until the view is saved again.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    shared = models.BooleanField(_("shared with everyone"), default=False)
    shared_roles = models.ManyToManyField(
        "users.Role", verbose_name=_("shared with roles"), blank=True, related_name="+"
    )
    shared_departments = models.ManyToManyField(
        "users.Department",
        verbose_name=_("shared with departments"),
        blank=True,
        related_name="+",
        help_text=_("Members of these departments and of their sub-departments see the view."),
    )
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    search = models.CharField(_("search text"), max_length=200, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    ordering = models.CharField(_("ordering"), max_length=100, blank=True)
    per_page = models.PositiveSmallIntegerField(_("rows per page"), null=True, blank=True)
    needs_attention = models.JSONField(_("needs attention"), default=list, blank=True)
    weight = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["weight", "name"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "owner", "name"], name="savedview_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def attention(self) -> list[tuple[str, str, str]]:
        """(parameter, values, why) of the filters kept as "needs attention", in the reader's language."""
        from guanxi.framework.conditions.filters import attention_reasons

        reasons = attention_reasons()
        out = []
        for item in self.needs_attention or []:
            why = str(reasons.get(item.get("reason", ""), item.get("reason", "")))
            if item.get("detail"):
                why = f"{why} {item['detail']}"
            out.append((str(item.get("param", "")), ",".join(map(str, item.get("values", []))), why))
        return out

    @property
    def is_shared(self) -> bool:
        """Shared in any way (everyone, a role or a department): the list marks it."""
        return self.shared or bool(getattr(self, "_shared_any", False))

    @classmethod
    def visible_to(cls, user: Any, model: type[models.Model]) -> models.QuerySet[SavedView]:
        """The views of ``model``'s list ``user`` sees: their own and those shared with them."""
        from guanxi.users.models import Department

        ct = ContentType.objects.get_for_model(model)
        shared = models.Q(shared=True) | models.Q(shared_roles__users=user)
        department_id = getattr(user, "department_id", None)
        if department_id:
            # Shared with my department or one above it: my department's path starts with its
            # path (materialised paths, see users.Department) — inside the one query.
            mine = Department.objects.filter(
                pk=department_id, path__startswith=models.OuterRef("department__path")
            )
            through = cls.shared_departments.through.objects.filter(models.Exists(mine))
            shared |= models.Q(pk__in=through.values("savedview_id"))
        ids = cls.objects.filter(shared, content_type=ct).values("pk")
        return (
            cls.objects.filter(models.Q(owner=user) | models.Q(pk__in=ids), content_type=ct)
            .select_related("owner")
            .annotate(
                _shared_any=models.Exists(
                    cls.shared_roles.through.objects.filter(savedview=models.OuterRef("pk"))
                )
                | models.Exists(
                    cls.shared_departments.through.objects.filter(savedview=models.OuterRef("pk"))
                )
            )
        )

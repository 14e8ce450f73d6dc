from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import ChangeLoggedModel


class SavedView(ChangeLoggedModel):
    """A named list view — filters, columns, sort, page size — kept per user or shared with everyone.

    ``params`` is ``{"filters": {<query param>: [values]}, "columns": [...], "sort": "-created_at",
    "per_page": 50}``; the filter part uses the same FilterSet parameters as the API.
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
    params = models.JSONField(_("parameters"), default=dict)
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

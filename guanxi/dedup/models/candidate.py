"""Pairs the scan proposes as duplicates, and pairs a person said are not."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import ChangeLoggedModel


class DuplicateCandidate(models.Model):
    """Two records of one type that look like the same customer or person (``left_id < right_id``).

    Derived data, like search keys: the scan replaces an entity type's candidates wholesale
    (``guanxi.dedup.services.scan``), never proposing a dismissed pair. ``reasons`` names the
    rules that matched — ``[{"rule": "exact", "field": "phone"}, {"rule": "fuzzy", "field":
    "name", "score": 0.93}]`` — never the values: the queue reads them off the records and masks
    them as the viewer sees them. ``score`` (0–1) is the best reason's.
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("type"), on_delete=models.CASCADE, related_name="+"
    )
    left_id = models.BigIntegerField(_("first record"))
    right_id = models.BigIntegerField(_("second record"))
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    exact = models.BooleanField(_("same identifier"), default=False)
    found_at = models.DateTimeField(_("found at"))

    class Meta:
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        ordering = ["-score", "left_id", "right_id"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "left_id", "right_id"], name="dedup_pair_unique")
        ]
        indexes = [
            models.Index(fields=["content_type", "-score"], name="dedup_candidate_score"),
            models.Index(fields=["content_type", "right_id"], name="dedup_candidate_right"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.left_id}~{self.right_id}"


class DismissedPair(ChangeLoggedModel):
    """ "Not a duplicate": a pair someone dismissed from the queue; no scan proposes it again."""

    # Not granted to roles: who may dismiss is the queue's reviewer rule (the ``dedup`` verb on the
    # entity, or an administrator: guanxi.dedup.services.queue.may_review), not a grant on this table.
    access_grantable = False

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("type"), on_delete=models.CASCADE, related_name="+"
    )
    left_id = models.BigIntegerField(_("first record"))
    right_id = models.BigIntegerField(_("second record"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dismissed pair")
        verbose_name_plural = _("dismissed pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "left_id", "right_id"], name="dedup_dismissed_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.left_id}≁{self.right_id}"

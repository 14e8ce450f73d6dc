"""An administrator's match rule: which field of which entity type finds duplicates, and how."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import ChangeLoggedModel


class MatchRule(ChangeLoggedModel):
    """One field of one entity type (``customers.customer``) compared exactly or fuzzily.

    Without a stored row the shipped default (the entity's ``EntityType.duplicates``) applies;
    saving a row (Settings → Duplicates → Rules) overrides it: ``enabled`` switches the rule off,
    ``threshold`` (50–100) is the fuzzy score from which a pair is proposed. Exact rules compare
    the normalised stored value (E.164 phone, lower-case email, upper-case credit code).
    """

    # Not granted to roles: administrators edit the rules (Settings → Duplicates → Rules).
    access_grantable = False

    class Kind(models.TextChoices):
        EXACT = "exact", _("Exact")
        FUZZY = "fuzzy", _("Similar")

    entity = models.CharField(_("entity type"), max_length=100)
    field = models.CharField(_("field"), max_length=100)
    kind = models.CharField(_("comparison"), max_length=10, choices=Kind.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    threshold = models.PositiveSmallIntegerField(
        _("threshold"), default=90, validators=[MinValueValidator(50), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = _("match rule")
        verbose_name_plural = _("match rules")
        ordering = ["entity", "field"]
        constraints = [models.UniqueConstraint(fields=["entity", "field"], name="dedup_rule_unique")]

    def __str__(self) -> str:
        return f"{self.entity}.{self.field}"

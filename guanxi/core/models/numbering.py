"""The counters behind document numbers (contracts, quotes …): one row per scheme and period."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """The last number handed out for one numbering ``key`` in one ``period``.

    ``period`` is the number pattern with its date parts filled in and the sequence left open
    (``HT-202612-{seq:4}``): a new month, or a new pattern, starts its own sequence at 1. Only
    ``guanxi.framework.numbering.next_number`` reads and writes these rows, under a row lock.
    """

    key = models.CharField(_("numbering"), max_length=100)
    period = models.CharField(_("period"), max_length=200)
    last = models.PositiveBigIntegerField(_("last number"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [models.UniqueConstraint(fields=["key", "period"], name="number_sequence_key_period")]

    def __str__(self) -> str:
        return f"{self.key} {self.period}: {self.last}"

"""Company-wide settings of the customers module, kept by administrators (one row)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import ChangeLoggedModel


class CustomerSettings(ChangeLoggedModel):
    """The 撞单 (ownership conflict) policy and other customer rules; a singleton (``pk=1``).

    Read with ``CustomerSettings.current()`` (an unsaved default row when none was saved yet);
    changed with ``guanxi.customers.services.customers.update_customer_settings``.
    """

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    class ConflictPolicy(models.TextChoices):
        REFUSE = "refuse", _("Refuse: a customer another rep owns cannot be created or claimed")
        WARN = "warn", _("Warn: show who owns it and let the rep confirm")
        ALLOW = "allow", _("Allow: co-ownership, no check")

    conflict_policy = models.CharField(
        _("ownership conflict (撞单) policy"),
        max_length=10,
        choices=ConflictPolicy.choices,
        default=ConflictPolicy.REFUSE,
    )

    class Meta:
        verbose_name = _("customer settings")
        verbose_name_plural = _("customer settings")

    def __str__(self) -> str:
        return str(_("Customer settings"))

    @classmethod
    def current(cls) -> CustomerSettings:
        """The saved settings, or the defaults (not saved: reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

"""Public pools (公海): where unowned customers wait to be claimed, the rules that return owned
customers to them, and the append-only history of every move in and out.

A pooled customer has ``owner = NULL`` and ``pool`` set (columns on ``Customer``, see the
"public pool" anchor there); its department stays as it was, so department reports keep counting
it. Who may see a pool's customers is decided by ``guanxi.customers.pools.access`` (a row-access
extension of ``restrict()``), not by the data scope, since nobody owns them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import active_values
from guanxi.customers.choices import LEVEL_LIST, level_choices
from guanxi.framework.models import BaseModel, OrganizationalModel


class Pool(OrganizationalModel):
    """A public pool (公海) with its claim rules, visible to chosen departments and their subtrees."""

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    departments = models.ManyToManyField(
        "users.Department",
        verbose_name=_("visible to departments"),
        blank=True,
        related_name="+",
        help_text=_("People of these departments and their sub-departments see the pool; none = everyone."),
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pool administrators"),
        blank=True,
        related_name="administered_pools",
        help_text=_("May assign customers from the pool, move customers in and edit its rules."),
    )
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(
        _("default pool"),
        default=False,
        help_text=_("Customers put back without naming a pool go here."),
    )
    max_owned_customers = models.PositiveIntegerField(
        _("max customers per person"),
        null=True,
        blank=True,
        help_text=_(
            "A rep who already owns this many customers (all of them, not only claimed ones) may not "
            "claim more. Empty = no cap."
        ),
    )
    max_claims_per_day = models.PositiveIntegerField(
        _("max claims per day"),
        null=True,
        blank=True,
        help_text=_("Claims from this pool per person per day (site time zone). Empty = no cap."),
    )
    reclaim_cooloff_days = models.PositiveIntegerField(
        _("reclaim cool-off (days)"),
        default=0,
        help_text=_(
            "The previous owner may not claim a customer back within this many days of its return. 0 = none."
        ),
    )

    class Meta:
        verbose_name = _("public pool")
        verbose_name_plural = _("public pools")
        ordering = ["name"]
        constraints = [
            # At most one default pool: returns without a named pool must have one destination.
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="pool_single_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.is_default and Pool.objects.filter(is_default=True).exclude(pk=self.pk).exists():
            raise ValidationError({"is_default": _("Another pool is already the default pool.")})


class PoolRule(OrganizationalModel):
    """When an owned customer goes back to a pool: no follow-up for N days, no won deal for M days.

    Days count from ``max(last_contacted_at, owned_since)`` (follow-ups) and
    ``max(last_won_at, owned_since)`` (deals), so a customer just claimed is never returned at once.
    """

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    pool = models.ForeignKey(Pool, verbose_name=_("pool"), on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(_("name"), max_length=100)
    levels = models.JSONField(
        _("customer levels"),
        default=list,
        blank=True,
        help_text=_("Customer level codes the rule applies to; empty = every level."),
    )
    no_follow_up_days = models.PositiveIntegerField(
        _("return after days without follow-up"), null=True, blank=True
    )
    no_won_deal_days = models.PositiveIntegerField(
        _("return after days without a won deal"), null=True, blank=True
    )
    warn_days_before = models.PositiveIntegerField(_("warn the owner days before"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    departments = models.ManyToManyField(
        "users.Department",
        verbose_name=_("customers of departments"),
        blank=True,
        related_name="+",
        help_text=_("Applies to customers of these departments and their sub-departments; none = all."),
    )

    changelog_parent = "pool"

    class Meta:
        verbose_name = _("pool rule")
        verbose_name_plural = _("pool rules")
        ordering = ["pool__name", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        levels = self.levels or []
        # The configured levels (Settings → Choice lists); a deactivated one a rule already names
        # stays valid, so editing an old rule does not fail on it.
        known = {value for value, _label in level_choices()}
        before = set(getattr(self, "_loaded_values", {}).get("levels") or [])
        valid = active_values(LEVEL_LIST) | (before & known)
        if not isinstance(levels, list) or any(level not in valid for level in levels):
            errors["levels"] = _("Give a list of customer levels among %(levels)s.") % {
                "levels": ", ".join(sorted(active_values(LEVEL_LIST)))
            }
        if self.no_follow_up_days is None and self.no_won_deal_days is None:
            errors["no_follow_up_days"] = _("Set days without follow-up, days without a won deal, or both.")
        shortest = min(d for d in (self.no_follow_up_days, self.no_won_deal_days, 10**6) if d is not None)
        if self.warn_days_before is not None and self.warn_days_before >= shortest:
            errors["warn_days_before"] = _(
                "The warning must come fewer days before the return than the rule's days."
            )
        if errors:
            raise ValidationError(errors)


class PoolMove(BaseModel):
    """One move of a customer into or out of a pool (append-only; the timeline renders it).

    The reason is stored as parameters (days, rule and pool names, the rep's free text) and turned
    into a sentence at display time, in the *reader's* language.
    """

    # History of one customer: visible exactly when the customer is.
    access_parent = "customer"

    class Action(models.TextChoices):
        RETURNED = "returned", _("Returned by rule")
        RELEASED = "released", _("Put back by owner")
        MOVED = "moved", _("Moved by manager")
        CLAIMED = "claimed", _("Claimed")
        ASSIGNED = "assigned", _("Assigned from pool")
        WARNED = "warned", _("Return warning")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="pool_moves"
    )
    pool = models.ForeignKey(
        Pool, verbose_name=_("pool"), null=True, on_delete=models.SET_NULL, related_name="moves"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(
        PoolRule, verbose_name=_("rule"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(_("reason"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    time = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("pool move")
        verbose_name_plural = _("pool moves")
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["customer", "time"], name="poolmove_customer_time"),
            # The per-day claim cap counts a rep's claims of one day.
            models.Index(fields=["to_user", "action", "time"], name="poolmove_claims"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.customer_id}"

    def reason(self) -> str:
        """The move as a sentence in the active language (see ``services.pool_rules.describe_move``)."""
        from guanxi.customers.pools.services.rules import describe_move

        return describe_move(self)

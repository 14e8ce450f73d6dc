"""A target (业绩目标): how much of one measure a user or a department should reach in a period.

The *subject* is a user (``user`` set; ``department`` is then the user's department, kept in step
on every write) or a department (``user`` empty). The *measure* is a key of the measures registry
(``guanxi.framework.measures``): ``signed``, ``received``, ``won``, ``new_customers``,
``follow_ups``; money measures hold an amount in the company currency, count measures a whole
number. The *period* is a month (``m01`` … ``m12``), a quarter (``q1`` … ``q4``) or the whole
year (``year``) of ``year``. The grid writes months; a quarter or a year is the sum of its months
unless the subject has a target for that quarter or year itself (``guanxi.targets.services``).

Access follows the subject: 本人 is the user the target is for, 本部门 / 本部门及下属部门 the
department — so a manager with a department-tree grant sets targets for their tree and its
people, and a rep reads their own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from guanxi.framework.models import ChangeLoggedModel


def month_periods() -> list[str]:
    return [f"m{m:02d}" for m in range(1, 13)]


# Lazy labels (Django's own month names): the choices never change with the language.
PERIODS: list[tuple[str, Any]] = [
    ("year", _("Whole year")),
    ("q1", _("Q1")),
    ("q2", _("Q2")),
    ("q3", _("Q3")),
    ("q4", _("Q4")),
    *[(f"m{m:02d}", MONTHS[m]) for m in range(1, 13)],
]


class Target(ChangeLoggedModel):
    """One figure of the target grid: subject × measure × period → amount."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "users.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    measure = models.CharField(_("measure"), max_length=40)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period = models.CharField(_("period"), max_length=4, choices=PERIODS)
    amount = models.DecimalField(
        _("target"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    # Data scopes read these columns (guanxi.users.access): 本人 = the user, 本部门 = the department.
    access_owner_field = "user_id"
    access_department_field = "department_id"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "measure", "department_id", "user_id", "period"]  # ids: no joins
        constraints = [
            models.UniqueConstraint(
                fields=["user", "measure", "year", "period"],
                condition=models.Q(user__isnull=False),
                name="target_unique_user_period",
                violation_error_message=_(
                    "This person already has a target of this measure for this period."
                ),
            ),
            models.UniqueConstraint(
                fields=["department", "measure", "year", "period"],
                condition=models.Q(user__isnull=True),
                name="target_unique_department_period",
                violation_error_message=_(
                    "This department already has a target of this measure for this period."
                ),
            ),
        ]
        indexes = [models.Index(fields=["measure", "year", "department"], name="target_measure_year_dept")]

    def __str__(self) -> str:
        from guanxi.framework.measures import is_registered, measure

        label = measure(self.measure).label if is_registered(self.measure) else self.measure
        return f"{self.subject} · {label} · {self.year} {self.get_period_display()}"

    @property
    def subject(self) -> Any:
        return self.user if self.user_id else self.department

    def before_write(self, changed: set[str], creating: bool) -> None:
        # A user's target belongs to the user's department, so 本部门 scopes see it.
        user = self.user if self.user_id is not None else None
        if user is not None and user.department_id is not None and ("user" in changed or creating):
            self.department_id = user.department_id

    def clean(self) -> None:
        super().clean()
        from guanxi.framework.measures import measures

        known = {m.key: m for m in measures()}
        errors: dict[str, Any] = {}
        found = known.get(self.measure)
        if found is None:
            errors["measure"] = _("Unknown measure “%(key)s”.") % {"key": self.measure}
        elif not found.money and self.amount is not None and self.amount != self.amount.to_integral_value():
            errors["amount"] = _("This measure counts records: enter a whole number.")
        user = self.user if self.user_id is not None else None
        if user is not None and user.department_id is None:
            errors["user"] = _("%(user)s belongs to no department; give them one first.") % {
                "user": self.user
            }
        if errors:
            raise ValidationError(errors)

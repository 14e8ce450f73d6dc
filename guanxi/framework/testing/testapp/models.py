from django.db import models

from guanxi.framework.models import PrimaryModel
from guanxi.framework.moneyfields import MoneyField


class Gadget(PrimaryModel):
    """A test entity with every PrimaryModel feature."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    name = models.CharField("name", max_length=100)
    code = models.CharField("code", max_length=20, unique=True)
    price = models.DecimalField("price", max_digits=12, decimal_places=2, default=0)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    phone = models.CharField("phone", max_length=30, blank=True)
    # The framework's money proof: amount + currency + stored company-currency value. ``price``
    # above stays a plain decimal because field-rule, scope and benchmark tests pin it.
    list_price = MoneyField("list price")
    discount = MoneyField("discount", same_currency_as="list_price")

    class Meta:
        ordering = ["name"]
        # The list's default order needs an index: without it the first page of a million rows is a
        # full sort, and SQLite sorts a 本部门及下属部门 user's rows found through the department
        # index (4× the 全部 user's page). bench/bench_scopes.py measures it.
        indexes = [models.Index(fields=["name"], name="gadget_name")]

    def __str__(self) -> str:
        return self.name

from django.db import models

from guanxi.framework.models import PrimaryModel


class Gadget(PrimaryModel):
    """A test entity with every PrimaryModel feature."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    name = models.CharField("name", max_length=100)
    code = models.CharField("code", max_length=20, unique=True)
    price = models.DecimalField("price", max_digits=12, decimal_places=2, default=0)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

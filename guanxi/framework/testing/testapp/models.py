from django.db import models

from guanxi.framework.models import PrimaryModel
from guanxi.framework.moneyfields import MoneyField
from guanxi.framework.statemachine import Input, StateMachine, Transition


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


class Requisition(PrimaryModel):
    """A test document under approval (the approval engine's proof): submitting it waits for the
    flow declared in ``approvals.py`` when the amount, the discount or the customer's level say so."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    title = models.CharField("title", max_length=100)
    amount = MoneyField("amount")
    discount_percent = models.DecimalField("discount %", max_digits=5, decimal_places=2, default=0)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name="customer", null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField("note", max_length=200, blank=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)

    status_machine = StateMachine(
        field="status",
        transitions=[
            Transition(
                name="submit",
                source=["draft"],
                target="approved",
                label="Submit",
                needs_approval=True,
                inputs={"note": Input(field="note", required=False, label="note")},
            ),
            Transition(name="reopen", source=["approved"], target="draft", label="Reopen"),
        ],
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

"""Contacts (联系人) and their links to customers: one person may work with several customers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceListField
from guanxi.customers.choices import CONTACT_ROLE_LIST, contact_role_choices
from guanxi.customers.validators import e164_or_unchanged, validate_phone
from guanxi.framework.models import ChangeLoggedModel, PrimaryModel


class Contact(PrimaryModel):
    """A person at a customer we talk to."""

    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    mobile = models.CharField(_("second phone"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=50, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        # A role's extra verb (Settings → Roles): review the duplicates queue (guanxi.dedup).
        permissions = [("dedup_contact", _("Review duplicates"))]
        indexes = [models.Index(fields=["name"], name="contact_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Phones to E.164 (``validate_phone`` reports a bad one), email to lower case."""
        super().clean()
        self.phone = e164_or_unchanged(self.phone)
        self.mobile = e164_or_unchanged(self.mobile)
        self.email = (self.email or "").strip().lower()


class CustomerContact(ChangeLoggedModel):
    """A contact's role at one customer; its changes show in the customer's history."""

    class Role:
        """Role codes of the shipped list (labels and further roles are configured:
        ``guanxi.customers.choices``); "other" is built in, the default of a new link."""

        DECISION_MAKER = "decision_maker"
        FINANCE = "finance"
        USER = "user"
        OTHER = "other"

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contact_links",
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="customer_links"
    )
    role = ChoiceListField(
        _("role"),
        max_length=20,
        choices=contact_role_choices,
        default=Role.OTHER,
        list_name=CONTACT_ROLE_LIST,
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)

    changelog_parent = "customer"
    # Visible and editable exactly when its customer is (one join, no grant of its own).
    access_parent = "customer"

    class Meta:
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")
        ordering = ["-is_primary", "contact__name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "contact"], name="customer_contact_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.customer}"

    def clean(self) -> None:
        super().clean()
        if self.is_primary and self.customer_id:
            others = CustomerContact.objects.filter(customer_id=self.customer_id, is_primary=True)
            if others.exclude(pk=self.pk).exists():
                raise ValidationError({"is_primary": _("This customer already has a primary contact.")})

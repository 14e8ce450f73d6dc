"""The lead (线索): a person or company who may become a customer, before anyone has sold to them.

Leads come from manual entry, the public web forms (``LeadCaptureForm``), the API and imports,
keep where they came from (source, UTM parameters, referrer, landing page) and move through
new → contacted → qualified → converted | disqualified. A lead without an owner is *unassigned*:
it waits in its department's lead pool, where reps may claim it and managers assign it
(``guanxi.customers.leads.access`` opens those rows; ``services.assignment`` moves them).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.customers.validators import e164_or_unchanged, validate_phone
from guanxi.framework import fieldaccess
from guanxi.framework.models import PrimaryModel
from guanxi.framework.statemachine import Input, StateMachine, Transition, TransitionContext

OPEN = ("new", "contacted", "qualified")


def _stamp_conversion(ctx: TransitionContext) -> None:
    ctx.obj.converted_at = timezone.now()
    ctx.obj.converted_by = ctx.actor if getattr(ctx.actor, "pk", None) else None


def _carry_over_activity(ctx: TransitionContext) -> None:
    """The lead's follow-ups and tasks move to the customer it became (hooks of other apps)."""
    from guanxi.customers.leads.services.leads import run_conversion_hooks

    run_conversion_hooks(ctx.obj, ctx.inputs["customer"])


def _clear_reason(ctx: TransitionContext) -> None:
    ctx.obj.disqualify_reason = ""


def _why_not_convertible(lead: Lead) -> str:
    if lead.status == "converted":
        return gettext("This lead was already converted into “%(customer)s”.") % {
            "customer": lead.converted_customer or gettext("a customer that no longer exists")
        }
    return gettext("A disqualified lead cannot be converted. Reopen it first.")


class Lead(PrimaryModel):
    """A sales lead: contact details, where it came from, its status and, once converted, its customer."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Manual entry")
        WEB_FORM = "web_form", _("Web form")
        API = "api", _("API")
        IMPORT = "import", _("Import")
        CAMPAIGN = "campaign", _("Campaign")
        REFERRAL = "referral", _("Referral")
        EXHIBITION = "exhibition", _("Exhibition")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        DISQUALIFIED = "disqualified", _("Disqualified")

    # Statuses that count towards a rep's cap of open leads (AssignmentRule.max_open_leads).
    OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.QUALIFIED)

    name = models.CharField(_("full name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=50, blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    utm_source = models.CharField(_("UTM source"), max_length=100, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=100, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=100, blank=True)
    utm_content = models.CharField(_("UTM content"), max_length=100, blank=True)
    referrer = models.CharField(_("referrer"), max_length=500, blank=True)
    landing_page = models.CharField(_("landing page"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    disqualify_reason = models.CharField(_("disqualification reason"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    possible_duplicate = models.BooleanField(_("possible duplicate"), default=False, editable=False)
    # The company name's matching key (guanxi.customers.matching), kept by save() for the duplicate check.
    company_key = models.CharField(_("company key"), max_length=200, blank=True, editable=False)

    # Kept by the services (never edited in a form).
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True, editable=False)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    capture_form = models.ForeignKey(
        "customers.LeadCaptureForm",
        verbose_name=_("web form"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True, editable=False)
    converted_customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("converted into customer"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    converted_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("converted into contact"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("converted by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    changelog_exclude = ("updated_at", "updated_by", "last_contacted_at", "company_key")

    # The status moves only through these (guanxi.framework.statemachine.transition).
    status_machine = StateMachine(
        field="status",
        initial=OPEN,
        transitions=[
            Transition(name="contact", source=["new"], target="contacted", label=_("Mark contacted")),
            Transition(name="qualify", source=["new", "contacted"], target="qualified", label=_("Qualify")),
            Transition(
                name="disqualify",
                source=OPEN,
                target="disqualified",
                label=_("Disqualify"),
                inputs={
                    "reason": Input(
                        field="disqualify_reason",
                        label=_("Disqualification reason"),
                        message=_("Say why the lead is disqualified."),
                    )
                },
            ),
            Transition(
                name="reopen",
                source=["disqualified"],
                target="new",
                label=_("Reopen"),
                effects=[_clear_reason],
            ),
            # Conversion creates the customer and contact first (services.leads.convert_lead), so it
            # has its own page and API action rather than the generic transition endpoint.
            Transition(
                name="convert",
                source=OPEN,
                target="converted",
                label=_("Convert"),
                direct=False,
                inputs={
                    "customer": Input(field="converted_customer"),
                    "contact": Input(field="converted_contact", required=False),
                },
                effects=[_stamp_conversion],
                after=[_carry_over_activity],
                refusal=_why_not_convertible,
            ),
        ],
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-pk"]
        # claim: take an unassigned lead; dedup: review the duplicates queue (guanxi.dedup)
        permissions = [("claim_lead", _("Claim")), ("dedup_lead", _("Review duplicates"))]
        indexes = [
            # The list's default order, and the lead pool (owner NULL) in it.
            models.Index(fields=["-created_at"], name="lead_created"),
            models.Index(fields=["owner", "status"], name="lead_owner_status"),
            # The duplicate check looks leads up by these.
            models.Index(fields=["phone"], name="lead_phone"),
            models.Index(fields=["email"], name="lead_email"),
            models.Index(fields=["company_key"], name="lead_company_key"),
        ]

    def label_parts(self) -> list[tuple[str, Any]]:
        """ "王磊 · 星河科技": what labels the lead, read through the reader's field rules
        (``fieldaccess.label``: a company hidden from the reader is left out)."""
        return [("name", self.name), ("company", self.company)]

    def __str__(self) -> str:
        return fieldaccess.label(None, self)

    # Without an owner a new lead waits in its department's pool for the assignment rules.
    owner_defaults_to_writer = False

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep ``company_key`` true to the company name."""
        from guanxi.customers.matching import company_name_key

        self.company_key = company_name_key(self.company)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "company" in update_fields:
            kwargs["update_fields"] = {*update_fields, "company_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Phone to E.164 (``validate_phone`` reports a bad one), email to lower case."""
        super().clean()
        self.phone = e164_or_unchanged(self.phone)
        self.email = (self.email or "").strip().lower()

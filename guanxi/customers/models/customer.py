"""The customer (客户): a company or an individual, and the record every other module hangs off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import ChoiceListField
from guanxi.customers.choices import (
    INDUSTRY_LIST,
    LEVEL_LIST,
    SCALE_LIST,
    SOURCE_LIST,
    STAGE_LIST,
    industry_choices,
    level_choices,
    scale_choices,
    source_choices,
    stage_choices,
)
from guanxi.customers.regions import place, validate_region_code
from guanxi.customers.validators import (
    e164_or_unchanged,
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from guanxi.framework.models import PrimaryModel


class Customer(PrimaryModel):
    """A company or a person we sell to, with its 统一社会信用代码, classification and lifecycle."""

    display_fields = ("name",)

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        INDIVIDUAL = "individual", _("Individual")

    class Industry:
        """Industry codes of the shipped list (labels and further industries are configured:
        ``guanxi.customers.choices``)."""

        MANUFACTURING = "manufacturing"
        SOFTWARE = "software"
        FINANCE = "finance"
        RETAIL = "retail"
        EDUCATION = "education"
        HEALTHCARE = "healthcare"
        REAL_ESTATE = "real_estate"
        LOGISTICS = "logistics"
        ENERGY = "energy"
        GOVERNMENT = "government"
        OTHER = "other"
        values = (
            MANUFACTURING, SOFTWARE, FINANCE, RETAIL, EDUCATION, HEALTHCARE, REAL_ESTATE, LOGISTICS,
            ENERGY, GOVERNMENT, OTHER,
        )  # fmt: skip

    class Scale:
        """Company size codes of the shipped list (configured: ``guanxi.customers.choices``)."""

        MICRO = "micro"
        SMALL = "small"
        MEDIUM = "medium"
        LARGE = "large"
        ENTERPRISE = "enterprise"
        values = (MICRO, SMALL, MEDIUM, LARGE, ENTERPRISE)

    class Source:
        """The built-in source codes a converted lead maps to (configured list:
        ``guanxi.customers.choices``)."""

        WEB_FORM = "web_form"
        REFERRAL = "referral"
        EXHIBITION = "exhibition"
        COLD_CALL = "cold_call"
        IMPORT = "import"
        OTHER = "other"
        values = (WEB_FORM, REFERRAL, EXHIBITION, COLD_CALL, IMPORT, OTHER)

    class Stage:
        """The built-in lifecycle stage codes services rely on (labels, order and further stages
        are configured: ``guanxi.customers.choices``)."""

        PROSPECT = "prospect"
        WON = "won"
        REPEAT = "repeat"
        LOST = "lost"

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    industry = ChoiceListField(
        _("industry"), max_length=20, choices=industry_choices, blank=True, list_name=INDUSTRY_LIST
    )
    scale = ChoiceListField(
        _("scale"), max_length=20, choices=scale_choices, blank=True, list_name=SCALE_LIST
    )
    website = models.URLField(_("website"), blank=True)
    # Derived from ``region_code`` on save (kept as text for display, filters and search).
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    source = ChoiceListField(
        _("source"), max_length=20, choices=source_choices, blank=True, list_name=SOURCE_LIST
    )
    # Configurable lists (Settings → Choice lists): the callables re-read the options on each use.
    level = ChoiceListField(
        _("level"), max_length=20, choices=level_choices, blank=True, list_name=LEVEL_LIST
    )
    stage = ChoiceListField(
        _("lifecycle stage"),
        max_length=20,
        choices=stage_choices,
        default=Stage.PROSPECT,
        list_name=STAGE_LIST,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)
    # individuals only
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=50, blank=True)

    # -- region and identity fields (bundled China region list, ID card) --
    region_code = models.CharField(
        _("region code"),
        max_length=6,
        blank=True,
        validators=[validate_region_code],
        help_text=_("GB/T 2260 code of the district (or city); province, city and district follow it."),
    )
    id_number = models.CharField(
        _("ID card number"), max_length=18, blank=True, validators=[validate_id_number]
    )

    # -- public pool (公海) membership --
    # Kept by guanxi.customers.pools.services.pools (never edited in a form): a pooled customer has no
    # owner; previous_owner and pool_entered_at drive the reclaim cool-off and "returned from";
    # pool_warned_at makes the return warning go out once per upcoming return.
    pool = models.ForeignKey(
        "customers.Pool",
        verbose_name=_("public pool"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    pool_entered_at = models.DateTimeField(_("in the pool since"), null=True, blank=True, editable=False)
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous owner"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pool_warned_at = models.DateTimeField(_("return warning sent"), null=True, blank=True, editable=False)

    # Kept by the services, read by the pool rules and "My day" (never edited in a form).
    name_key = models.CharField(_("name key"), max_length=200, blank=True, editable=False)
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True, editable=False)
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True, editable=False)
    last_won_at = models.DateTimeField(_("last deal won"), null=True, blank=True, editable=False)

    changelog_exclude = (
        "updated_at", "updated_by", "name_key", "owned_since", "last_contacted_at", "last_won_at",
    )  # fmt: skip

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        # A role's extra verb (Settings → Roles): review the duplicates queue (guanxi.dedup).
        permissions = [("dedup_customer", _("Review duplicates"))]
        # The list's default order needs an index (docs/benchmarks.md "scopes"): without it a
        # scoped first page of a big table is a full sort.
        indexes = [
            models.Index(fields=["name"], name="customer_name"),
            # Ownership-conflict (撞单) and duplicate checks look rows up by these.
            models.Index(fields=["name_key"], name="customer_name_key"),
            models.Index(fields=["phone"], name="customer_phone"),
            models.Index(fields=["email"], name="customer_email"),
            models.Index(fields=["credit_code"], name="customer_credit_code"),
            # Public pools: the pool page (pool, newest first) and the return rules (owner + dates).
            models.Index(fields=["pool", "pool_entered_at"], name="customer_pool_entered"),
            models.Index(fields=["owner", "last_contacted_at"], name="customer_owner_contacted"),
            models.Index(fields=["owner", "owned_since"], name="customer_owner_since"),
            # The list's usual narrowing (province, then level) with its newest-first sort: the
            # page is an index range read in order, the capped pager COUNT an index-only scan
            # (docs/benchmarks.md "customers").
            models.Index(fields=["province", "level", "-created_at"], name="customer_province_level_new"),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def new_owner_values() -> dict[str, Any]:
        """What a new owner resets, whichever way the customer changes hands (a save, a transfer,
        a claim or an assignment from the pool): the ownership clock starts again (pool rules count
        days from it when nobody has followed up yet), and an owned customer is in no pool, so the
        pool rules' return warning starts over too."""
        from guanxi.framework.write import write_time

        return {"owned_since": write_time(), "pool": None, "pool_entered_at": None, "pool_warned_at": None}

    def derive(self) -> None:
        """The columns that follow the row's own values: the matching key of the name, the
        normalised ID number, the region names of the region code."""
        from guanxi.customers.matching import company_name_key

        self.name_key = company_name_key(self.name)
        self.id_number = normalize_id_number(self.id_number)
        if self.region_code:  # the text columns follow the code (a bad code never gets here validated)
            names = place(self.region_code)
            if names.province:
                self.province, self.city, self.district = names.province, names.city, names.district

    def before_write(self, changed: set[str], creating: bool) -> None:
        """Keep the derived columns true on every write (single saves and the bulk path alike):
        ``derive``, and since when the current owner has owned the row (pool rules count days
        from it when nobody has followed up yet); an owned row is in no pool."""
        self.derive_unless_carried()
        if self.owner_id and (creating or "owner" in changed):
            for name, value in self.new_owner_values().items():
                setattr(self, name, value)
            if not creating:  # given to someone on the form or the API: its contacts and tasks follow
                from guanxi.customers.services.handover import carry_customer_records
                from guanxi.framework.context import current_actor

                carry_customer_records(
                    {self.pk: self._loaded_values.get("owner_id")},
                    to_user=self.owner,
                    actor=current_actor(),
                    reason=str(_("owner changed")),
                )
        elif not self.owner_id:
            self.owned_since = None

    def clean(self) -> None:
        """Normalise phone (E.164), email (lower case) and credit code; individual-only fields."""
        super().clean()
        errors: dict[str, list[str]] = {}
        self.phone = e164_or_unchanged(self.phone)
        self.email = (self.email or "").strip().lower()
        if self.credit_code:
            self.credit_code = normalize_credit_code(self.credit_code)
        if self.id_number:
            self.id_number = normalize_id_number(self.id_number)
        if self.kind == self.Kind.COMPANY and (self.gender or self.birthday):
            errors.setdefault("kind", []).append(
                str(_("Gender and birthday are for individual customers only."))
            )
        if self.kind == self.Kind.COMPANY and self.id_number:
            errors.setdefault("id_number", []).append(
                str(_("Only individual customers have an ID card number."))
            )
        if errors:
            raise ValidationError(errors)

"""Where leads come from and who gets them: public web forms and assignment rules.

``LeadCaptureForm`` is a public, embeddable form (``/f/<key>/``) that creates leads;
``AssignmentRule`` decides which rep gets a new lead (round robin or fewest open leads within a
team, by source or province, under a per-rep cap). Both are reference data administrators keep.
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.customers.leads.models.lead import Lead
from guanxi.framework.models import OrganizationalModel

# Lead fields a web form may show (name is always shown and required).
CAPTURE_FIELDS = ("name", "company", "title", "phone", "email", "wechat_id", "province", "city", "notes")
CONTACT_FIELDS = ("phone", "email", "wechat_id")  # a form must ask for at least one way to reach back


# One embedding site as a CSP host-source: an optional http(s) scheme, a host whose leftmost label
# may be the wildcard "*", an optional port. Nothing else: no path, and none of the characters
# (space, ";", ",", quotes) that would end the source and start another, or another directive.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
ORIGIN_RE = re.compile(
    rf"(?:(?P<scheme>https?)://)?(?P<host>(?:\*\.)?(?:{_LABEL}\.)*{_LABEL})(?::(?P<port>[0-9]{{1,5}}))?"
)


def csp_origin(text: str) -> str | None:
    """``text`` as a safe CSP source (``https://www.example.com``, ``*.example.com:8443``,
    ``https://例子.中国`` → punycode), or None when it is not a site address.

    Used by the model's ``clean()`` (the refusal) and again where the header is built (rows
    saved before this check, or written around ``clean()``, must not inject CSP either).
    """
    text = text.strip().rstrip("/")
    scheme, sep, rest = text.rpartition("://")
    host, colon, port = rest.partition(":")
    try:  # a Unicode domain: its ASCII (punycode) form, label by label, keeping a leading "*."
        wildcard = host.startswith("*.")
        ascii_host = ("*." if wildcard else "") + (host[2:] if wildcard else host).encode("idna").decode()
    except UnicodeError:
        return None
    candidate = f"{scheme}{sep}{ascii_host}{colon}{port}".lower()
    match = ORIGIN_RE.fullmatch(candidate)
    if match is None or (match["port"] and not 0 < int(match["port"]) < 65536):
        return None
    return candidate


def new_form_key() -> str:
    """A random, URL-safe public key (16 characters, ~96 bits: not guessable)."""
    return secrets.token_urlsafe(12)


def default_form_fields() -> list[dict[str, Any]]:
    return [
        {"name": "name", "required": True},
        {"name": "company", "required": False},
        {"name": "phone", "required": True},
        {"name": "email", "required": False},
        {"name": "notes", "required": False},
    ]


def validate_form_fields(value: Any) -> None:
    """``[{"name": "phone", "required": true}, …]`` naming allowed lead fields, each once."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("List the fields the form shows."), code="fields_type")
    seen: set[str] = set()
    for item in value:
        name = item.get("name") if isinstance(item, dict) else None
        if name not in CAPTURE_FIELDS:
            raise ValidationError(
                _("“%(name)s” is not a field a web form can show. Choose from: %(allowed)s.")
                % {"name": name, "allowed": ", ".join(CAPTURE_FIELDS)},
                code="fields_unknown",
            )
        if name in seen:
            raise ValidationError(
                _("The field “%(name)s” is listed twice.") % {"name": name}, code="fields_twice"
            )
        if not isinstance(item.get("required", False), bool):
            raise ValidationError(_("“required” must be true or false."), code="fields_required")
        seen.add(name)
    if "name" not in seen:
        raise ValidationError(_("A web form must ask for the name."), code="fields_name")
    if not seen & set(CONTACT_FIELDS):
        raise ValidationError(
            _("A web form must ask for a phone number, an email or a WeChat ID."), code="fields_contact"
        )


class AssignmentRule(OrganizationalModel):
    """Who gets a new lead: the first active rule (by priority) that matches it and has a rep under the cap.

    A rule matches when the lead's source is in ``sources`` and its province in ``provinces``
    (an empty list matches anything). Its reps are ``members``, or the active users of
    ``department`` when it has no members. ``round_robin`` hands leads out in turn (after
    ``last_assigned``); ``least_open`` to the rep with the fewest open leads.
    """

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    class Method(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Fewest open leads")

    name = models.CharField(_("name"), max_length=100, unique=True)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Lower numbers are tried first.")
    )
    active = models.BooleanField(_("active"), default=True)
    sources = models.JSONField(_("sources"), default=list, blank=True, help_text=_("Empty: any source."))
    provinces = models.JSONField(
        _("provinces"), default=list, blank=True, help_text=_("Empty: any province.")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="lead_assignment_rules"
    )
    department = models.ForeignKey(
        "users.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Without members: the department's active users take turns."),
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, default=Method.ROUND_ROBIN)
    max_open_leads = models.PositiveIntegerField(
        _("open leads per rep at most"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assigned to"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    changelog_exclude = ("updated_at", "updated_by", "last_assigned")

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()

        errors: dict[str, Any] = {}
        sources = self.sources or []
        if not isinstance(sources, list) or any(s not in Lead.Source.values for s in sources):
            errors["sources"] = _("Choose sources from: %(allowed)s.") % {
                "allowed": ", ".join(Lead.Source.values)
            }
        provinces = self.provinces or []
        if not isinstance(provinces, list) or any(not isinstance(p, str) or not p.strip() for p in provinces):
            errors["provinces"] = _("List provinces as names, for example 上海市.")
        if errors:
            raise ValidationError(errors)

    def matches(self, lead: Any) -> bool:
        """Whether this rule applies to ``lead`` (its source and province conditions)."""
        if self.sources and lead.source not in self.sources:
            return False
        return not (self.provinces and lead.province not in self.provinces)


class LeadCaptureForm(OrganizationalModel):
    """A public web form that creates leads: which fields it asks for and where its leads go.

    A submission's lead goes to the fixed ``owner`` if set, else through ``assignment_rule``,
    else it waits unassigned in ``department``'s lead pool (also where it waits when the rule
    finds nobody under the cap).
    """

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(_("public key"), max_length=32, unique=True, default=new_form_key, editable=False)
    active = models.BooleanField(_("active"), default=True)
    fields = models.JSONField(
        _("fields"),
        default=default_form_fields,
        validators=[validate_form_fields],
        help_text=_('Which lead fields the form shows, e.g. [{"name": "phone", "required": true}].'),
    )
    title = models.CharField(_("form heading"), max_length=200, blank=True)
    assignment_rule = models.ForeignKey(
        AssignmentRule,
        verbose_name=_("assignment rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="capture_forms",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("fixed owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Every lead of this form goes to this user (instead of an assignment rule)."),
    )
    department = models.ForeignKey(
        "users.Department",
        verbose_name=_("lead pool department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leads nobody was assigned wait in this department's pool."),
    )
    default_source = models.CharField(
        _("source"), max_length=12, choices=Lead.Source.choices, default="web_form"
    )
    thank_you_text = models.TextField(_("thank-you text"), blank=True)
    redirect_url = models.URLField(
        _("redirect after sending"), blank=True, help_text=_("Optional; https only.")
    )
    allowed_origins = models.TextField(
        _("allowed sites"),
        blank=True,
        help_text=_(
            "Sites that may embed the form, one per line (https://www.example.com or *.example.com). "
            "Empty: any."
        ),
    )

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()

        errors: dict[str, Any] = {}
        if self.redirect_url and urlsplit(self.redirect_url).scheme != "https":
            errors["redirect_url"] = _("The redirect address must start with https://.")
        if self.default_source not in Lead.Source.values:
            errors["default_source"] = _("Choose a lead source.")
        bad = [o for o in self.origin_list() if csp_origin(o) is None]
        if bad:
            errors["allowed_origins"] = _(
                "“%(origin)s” is not a site address like https://www.example.com or *.example.com "
                "(no path, spaces, quotes, commas or semicolons)."
            ) % {"origin": bad[0]}
        if self.owner_id and self.assignment_rule_id:
            errors["owner"] = _("Choose a fixed owner or an assignment rule, not both.")
        if errors:
            raise ValidationError(errors)

    def origin_list(self) -> list[str]:
        """The allowed embedding sites, without trailing slashes."""
        return [
            line.strip().rstrip("/") for line in (self.allowed_origins or "").splitlines() if line.strip()
        ]

    def field_specs(self) -> list[tuple[str, bool]]:
        """(lead field name, required) in the form's order; name is always required."""
        specs = []
        for item in self.fields or []:
            if isinstance(item, dict) and item.get("name") in CAPTURE_FIELDS:
                specs.append((item["name"], bool(item.get("required")) or item["name"] == "name"))
        return specs

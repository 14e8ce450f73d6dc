"""Use cases of leads (线索): the duplicate check on entry, web-form capture, conversion, disqualifying.

* ``find_lead_duplicates`` looks for the person or company among leads (phone, email, company
  name key), customers (``find_customer_matches``) and contacts (phone, email). Manual entry and
  the API show the matches and ask before creating a twin; web-form submissions never block —
  the lead is created and flagged ``possible_duplicate``.
* ``convert_lead`` turns a lead into a customer (new, or an existing one) plus a contact, in one
  transaction, runs the ownership-conflict (撞单) check for a new customer, and keeps the
  back-links both ways; the customer's timeline shows "Converted from lead …".
* ``capture_lead`` is the public web form's write: the lead, its tracking data, the duplicate
  flag and the form's owner / assignment rule / pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.choices import check_active
from guanxi.customers.choices import LEVEL_LIST
from guanxi.customers.matching import (
    CANDIDATE_PREFIX,
    MAX_CANDIDATES,
    Match,
    company_name_key,
    find_customer_matches,
    near_identical,
)
from guanxi.customers.models import Contact, Customer, CustomerContact, Lead, LeadCaptureForm
from guanxi.customers.validators import e164_or_unchanged
from guanxi.framework.access import can
from guanxi.framework.statemachine import TransitionConflict, check_transition, transition

KIND_LABELS = {
    "lead": gettext_lazy("Lead"),
    "customer": gettext_lazy("Customer"),
    "contact": gettext_lazy("Contact"),
}
MAX_MATCHES = 20


# --- duplicate check ------------------------------------------------------------------------------
def find_lead_duplicates(
    *, phone: str = "", email: str = "", company: str = "", name: str = "", exclude_pk: int | None = None
) -> list[Match]:
    """Leads, customers and contacts that look like this lead: same phone or email, or the company.

    Values are normalised here (E.164 phone, lower-case email, the company's name key). Every row
    is searched, whoever owns it — callers decide what to reveal (``describe_duplicates``). A
    company-less lead is compared with individual customers by the person's ``name`` only when
    phone or email also matched nothing (names of people repeat too often to mean much alone).
    """
    phone = e164_or_unchanged((phone or "").strip())
    email = (email or "").strip().lower()
    matches: list[Match] = []

    exact = Q()
    if phone:
        exact |= Q(phone=phone)
    if email:
        exact |= Q(email=email)
    leads = Lead.objects.exclude(pk=exclude_pk) if exclude_pk else Lead.objects.all()
    seen: set[int] = set()
    if exact:
        for row in leads.filter(exact).select_related("owner")[:MAX_CANDIDATES]:
            field = "phone" if phone and row.phone == phone else "email"
            matches.append(Match(row, field, phone if field == "phone" else email))
            seen.add(row.pk)
    key = company_name_key(company)
    if len(key) >= CANDIDATE_PREFIX:
        candidates = leads.filter(company_key__startswith=key[:CANDIDATE_PREFIX]).select_related("owner")
        for row in candidates.order_by("-pk")[:MAX_CANDIDATES]:
            if row.pk not in seen and near_identical(key, row.company_key):
                matches.append(Match(row, "name", row.company))
                seen.add(row.pk)

    matches += find_customer_matches(phone=phone, email=email, name=company)

    if exact:
        contacts = Contact.objects.filter(exact).select_related("owner")[:MAX_CANDIDATES]
        for contact in contacts:
            field = "phone" if phone and contact.phone == phone else "email"
            matches.append(Match(contact, field, phone if field == "phone" else email))
    return matches[:MAX_MATCHES]


def match_kind(match: Match) -> str:
    """``lead``, ``customer`` or ``contact``."""
    return type(match.obj)._meta.model_name or ""


@dataclass(frozen=True)
class DuplicateRow:
    """What the user is shown about one match: no more than their access allows."""

    kind: str
    kind_label: str
    pk: int
    name: str
    owner: str
    reason: str
    url: str  # empty when the user may not open the record
    linkable: bool  # a customer the user may add a contact to: "Link to this customer"


def describe_duplicates(matches: Iterable[Match], user: Any) -> list[DuplicateRow]:
    """Rows for the duplicate panel and the API's 409: the owner only where field rules show it,
    a link only to records the user may view (one query per kind)."""
    from guanxi.framework.fieldaccess import HIDDEN, rules_for

    items = list(matches)
    by_model: dict[Any, list[int]] = {}
    for m in items:
        by_model.setdefault(type(m.obj), []).append(m.obj.pk)
    visible = {
        model: set(
            model._default_manager.restrict(user, "view").filter(pk__in=pks).values_list("pk", flat=True)
        )
        for model, pks in by_model.items()
    }
    changeable = set()
    if Customer in by_model:
        changeable = set(
            Customer.objects.restrict(user, "change")
            .filter(pk__in=by_model[Customer])
            .values_list("pk", flat=True)
        )
    rows = []
    for m in items:
        model = type(m.obj)
        hidden_owner = rules_for(user, model).get("owner") == HIDDEN
        owner = m.obj.owner if m.obj.owner_id else None
        rows.append(
            DuplicateRow(
                kind=match_kind(m),
                kind_label=str(KIND_LABELS.get(match_kind(m), match_kind(m))),
                pk=m.obj.pk,
                name=str(m.obj),
                owner="" if hidden_owner else (str(owner) if owner else _("nobody (unassigned)")),
                reason=m.reason,
                url=m.obj.get_absolute_url() if m.obj.pk in visible[model] else "",
                linkable=model is Customer and m.obj.pk in changeable,
            )
        )
    return rows


# --- conversion -------------------------------------------------------------------------------------
LEAD_TO_CUSTOMER_SOURCE: dict[str, str] = {
    Lead.Source.WEB_FORM: Customer.Source.WEB_FORM,
    Lead.Source.REFERRAL: Customer.Source.REFERRAL,
    Lead.Source.EXHIBITION: Customer.Source.EXHIBITION,
    Lead.Source.IMPORT: Customer.Source.IMPORT,
}

# Hooks run inside convert_lead's transaction, after the lead is marked converted, with
# (lead, customer). Modules that hang records on leads register here.
ActivityHook = Callable[[Lead, Customer], None]
_ACTIVITY_HOOKS: list[ActivityHook] = []


def register_lead_activity_hook(hook: ActivityHook) -> ActivityHook:
    """Run ``hook(lead, customer)`` when a lead is converted (to re-point its activities)."""
    if hook not in _ACTIVITY_HOOKS:
        _ACTIVITY_HOOKS.append(hook)
    return hook


def run_conversion_hooks(lead: Lead, customer: Customer) -> None:
    """The lead's activity history moves to the customer it became (the activities app
    registers the hook that re-points the lead's follow-ups and tasks). The ``convert``
    transition runs this after its save."""
    for hook in _ACTIVITY_HOOKS:
        hook(lead, customer)


class ConversionExtra:
    """Something more the Convert page offers to create from the lead (the sales module: a deal).

    ``fields(user)`` returns the extra form fields (empty: not offered to this user); ``apply``
    runs inside the conversion's transaction once the customer exists, with the cleaned values
    of its fields, and raises ``ValidationError`` (keyed by its field names) to undo everything.
    """

    def fields(self, user: Any) -> dict[str, Any]:
        return {}

    def apply(
        self, lead: Lead, customer: Customer, contact: Contact | None, values: dict[str, Any], *, actor: Any
    ) -> None:
        return None


_CONVERSION_EXTRAS: list[ConversionExtra] = []


def register_conversion_extra(extra: ConversionExtra) -> ConversionExtra:
    if not any(type(e) is type(extra) for e in _CONVERSION_EXTRAS):
        _CONVERSION_EXTRAS.append(extra)
    return extra


def conversion_extras() -> list[ConversionExtra]:
    return list(_CONVERSION_EXTRAS)


def customer_fields_from_lead(lead: Lead) -> dict[str, Any]:
    """The new customer's fields as the lead suggests them (the Convert page prefills these)."""
    is_company = bool(lead.company.strip())
    fields: dict[str, Any] = {
        "kind": Customer.Kind.COMPANY if is_company else Customer.Kind.INDIVIDUAL,
        "name": lead.company.strip() if is_company else lead.name,
        "phone": "" if is_company else lead.phone,
        "email": "" if is_company else lead.email,
        "province": lead.province,
        "city": lead.city,
        "source": LEAD_TO_CUSTOMER_SOURCE.get(lead.source, Customer.Source.OTHER),
    }
    if not is_company:
        fields["wechat_id"] = lead.wechat_id
    return fields


CUSTOMER_FIELDS = ("kind", "name", "short_name", "credit_code", "industry", "scale", "province", "city",
                   "phone", "email", "source", "level", "wechat_id")  # fmt: skip


def convert_lead(
    lead: Lead,
    *,
    actor: Any,
    customer: Customer | None = None,
    customer_fields: dict[str, Any] | None = None,
    create_contact: bool = True,
    extras: dict[str, Any] | None = None,
) -> tuple[Customer, Contact | None]:
    """Turn ``lead`` into a customer (a new one, or ``customer``) and a contact; all or nothing.

    A new customer is built from the lead (``customer_fields_from_lead``) overlaid with
    ``customer_fields``, validated like the customer form (``ValidationError`` per field) and
    checked for an ownership conflict (``OwnershipConflict`` names the owner). The owner is the
    lead's owner, or the actor for an unassigned lead. An existing customer must be one the actor
    may change. Refused for a converted or disqualified lead. ``extras`` are the cleaned values of
    the registered ``ConversionExtra`` fields (a deal to create with the customer).
    """
    from guanxi.customers.services.conflicts import check_ownership_conflict

    with transaction.atomic():
        row = Lead.objects.select_for_update().filter(pk=lead.pk).first()
        if row is None or (
            actor is not None and not Lead.objects.restrict(actor, "change").filter(pk=lead.pk).exists()
        ):
            raise PermissionDenied(_("You may not convert this lead."))
        if row.status != lead.status:
            raise TransitionConflict(
                _("Someone changed this lead meanwhile: it is %(state)s now. Reload it and try again.")
                % {"state": row.get_status_display()}
            )
        check_transition(row, "convert", actor=actor)  # before any customer is created
        owner = row.owner or actor
        if actor is not None and (
            (customer is None and not can(actor, "add", Customer))
            or (create_contact and not can(actor, "add", Contact))
        ):
            raise PermissionDenied(_("You may not create customers or contacts."))
        if customer is None:
            values = {**customer_fields_from_lead(row), **(customer_fields or {})}
            unknown = set(values) - set(CUSTOMER_FIELDS)
            if unknown:
                raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
            customer = Customer(**values, owner=owner, department_id=row.department_id)
            if owner is not None:
                customer.department_id = owner.department_id or row.department_id
            customer.full_clean()
            check_active(LEVEL_LIST, customer.level, field="level")  # no deactivated level on a new row
            check_ownership_conflict(
                actor=actor,
                owner=owner,
                phone=customer.phone,
                email=customer.email,
                credit_code=customer.credit_code,
                name=customer.name if customer.kind == Customer.Kind.COMPANY else "",
            )
            customer.save()
        elif (
            actor is not None
            and not Customer.objects.restrict(actor, "change").filter(pk=customer.pk).exists()
        ):
            raise PermissionDenied(_("You may not add contacts to this customer."))
        contact = None
        if create_contact:
            contact = Contact(
                name=row.name,
                title=row.title,
                phone=row.phone,
                email=row.email,
                wechat_id=row.wechat_id,
                owner=owner,
                department_id=customer.department_id,
            )
            contact.full_clean()
            contact.save()
            has_primary = CustomerContact.objects.filter(customer=customer, is_primary=True).exists()
            CustomerContact.objects.create(customer=customer, contact=contact, is_primary=not has_primary)
        transition(row, "convert", actor=actor, customer=customer, contact=contact)
        for extra in _CONVERSION_EXTRAS:
            extra.apply(row, customer, contact, extras or {}, actor=actor)
    lead.refresh_from_db()
    return customer, contact


def disqualify_leads(leads: Iterable[Lead], *, actor: Any, reason: str) -> list[Lead]:
    """Disqualify open leads with one reason, all or nothing (bulk action): the ``disqualify``
    transition of each, so its rules (open leads only, a reason) are the lead page's and the API's."""
    items = sorted(leads, key=lambda lead: lead.pk)  # a fixed lock order: no deadlock between two runs
    with transaction.atomic():
        for lead in items:
            transition(lead, "disqualify", actor=actor, reason=reason)
    return items


def record_lead_contact(lead: Lead, *, actor: Any, at: Any = None) -> Lead:
    """A follow-up reached the lead: ``last_contacted_at`` moves forward; a new lead becomes
    contacted (the ``contact`` transition, as the system: whoever may log the follow-up). The
    activities app calls it when a follow-up is logged on a lead."""
    with transaction.atomic():
        at = at or timezone.now()
        if lead.last_contacted_at is None or at > lead.last_contacted_at:  # a backdated call never rewinds it
            lead.last_contacted_at = at
            lead.save(update_fields=["last_contacted_at"])
        if lead.status == Lead.Status.NEW:
            transition(lead, "contact", actor=None)
    return lead


# --- web-form capture ------------------------------------------------------------------------------
TRACKING_FIELDS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "referrer",
    "landing_page",
)


def capture_lead(form: LeadCaptureForm, values: dict[str, Any], *, tracking: dict[str, str]) -> Lead:
    """Create the lead of one web-form submission (already validated) and route it.

    The lead is flagged ``possible_duplicate`` when it matches existing records (never refused:
    a visitor cannot be asked to confirm). It goes to the form's fixed owner, else through its
    assignment rule, else waits unassigned in the form's pool department (or the rule's).
    """
    from guanxi.customers.leads.services.assignment import _notify_assigned, assign_lead

    with transaction.atomic():
        lead = Lead(**values, source=form.default_source, capture_form=form)
        for name in TRACKING_FIELDS:
            limit = getattr(Lead._meta.get_field(name), "max_length", None) or 100
            setattr(lead, name, (tracking.get(name) or "")[:limit])
        lead.department_id = form.department_id or (
            form.assignment_rule.department_id if form.assignment_rule else None
        )
        lead.full_clean()
        lead.possible_duplicate = bool(
            find_lead_duplicates(phone=lead.phone, email=lead.email, company=lead.company, name=lead.name)
        )
        fixed_owner = form.owner if form.owner_id else None
        if fixed_owner is not None and fixed_owner.is_active:
            lead.owner = fixed_owner
            lead.department_id = fixed_owner.department_id or lead.department_id
            lead.assigned_at = timezone.now()
        lead.save()
        if lead.owner_id:
            _notify_assigned([lead], lead.owner, None)
        elif form.assignment_rule is not None:
            assign_lead(lead, actor=None, rules=[form.assignment_rule])
    return lead

"""Use cases on customers and their contacts: 撞单 checks for writes, contact links, settings.

Every function takes a keyword-only ``actor``, checks it through ``restrict()``/``can()``, runs in
a transaction and saves with ``update_fields`` where it changes an existing row.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.customers.matching import Match
from guanxi.customers.services.conflicts import check_ownership_conflict
from guanxi.framework.access import can

# The values whose change on an existing customer can create a conflict (撞单).
CONFLICT_FIELDS = ("phone", "email", "credit_code", "name", "owner_id")


def customer_conflicts(*, actor: Any, customer: Any, confirmed: bool = False) -> list[Match]:
    """Run the 撞单 check for a customer about to be created or saved (values already cleaned).

    An edit is checked only when one of ``CONFLICT_FIELDS`` changed, so an old conflict (from
    before the policy, or an allowed co-ownership) does not block every later edit. Names are
    compared for companies only: two people may share a name. Raises ``OwnershipConflict``.
    """
    from guanxi.customers.models import Customer

    if customer.pk is not None:
        loaded = getattr(customer, "_loaded_values", {})
        changed = [f for f in CONFLICT_FIELDS if loaded.get(f) != getattr(customer, f)]
        if not changed:
            return []
    owner = customer.owner_id or getattr(actor, "pk", None)
    return check_ownership_conflict(
        actor=actor,
        owner=owner,
        phone=customer.phone,
        email=customer.email,
        credit_code=customer.credit_code,
        name=customer.name if customer.kind == Customer.Kind.COMPANY else "",
        exclude_pk=customer.pk,
        confirmed=confirmed,
    )


def conflict_details(matches: list[Match], actor: Any) -> list[dict[str, Any]]:
    """The matches as the API returns them: id (only if the actor may view it), name, owner, reason."""
    from guanxi.customers.models import Customer
    from guanxi.framework.fieldaccess import HIDDEN, rules_for

    visible = set(
        Customer.objects.restrict(actor, "view")
        .filter(pk__in=[m.obj.pk for m in matches])
        .values_list("pk", flat=True)
    )
    owner_hidden = rules_for(actor, Customer).get("owner") == HIDDEN
    out = []
    for m in matches:
        owner = m.obj.owner
        out.append(
            {
                "id": m.obj.pk if m.obj.pk in visible else None,
                "name": m.obj.name,
                "owner": _("another colleague") if owner_hidden or owner is None else str(owner),
                "field": m.field,
                "reason": m.reason,
            }
        )
    return out


def update_customer_settings(*, actor: Any, conflict_policy: str) -> Any:
    """Set the company's 撞单 policy (administrators: ``change`` on customer settings)."""
    from guanxi.customers.models import CustomerSettings

    if not can(actor, "change", CustomerSettings):
        raise PermissionDenied(_("Only administrators may change the customer settings."))
    if conflict_policy not in CustomerSettings.ConflictPolicy.values:
        raise ValidationError({"conflict_policy": [_("Choose one of the listed policies.")]})
    with transaction.atomic():
        settings = CustomerSettings.objects.select_for_update().filter(pk=1).first()
        if settings is None:
            settings = CustomerSettings(pk=1, conflict_policy=conflict_policy)
            settings.save()
        elif settings.conflict_policy != conflict_policy:
            settings.conflict_policy = conflict_policy
            settings.save(update_fields=["conflict_policy", "updated_at", "updated_by"])
    return settings


# -- contact links (联系人 ↔ 客户) -----------------------------------------------------------------


def _require_changeable(actor: Any, customer: Any) -> None:
    from guanxi.customers.models import Customer

    if not Customer.objects.restrict(actor, "change").filter(pk=customer.pk).exists():
        raise PermissionDenied(_("You may not change this customer's contacts."))


def _clear_primary(customer: Any, *, keep_pk: int | None) -> None:
    """Unset the primary flag of the customer's other links (each saved, so each is logged)."""
    from guanxi.customers.models import CustomerContact

    others = CustomerContact.objects.filter(customer=customer, is_primary=True)
    if keep_pk is not None:
        others = others.exclude(pk=keep_pk)
    for other in others:
        other.is_primary = False
        other.save(update_fields=["is_primary", "updated_at", "updated_by"])


def link_contact(*, actor: Any, customer: Any, contact: Any, role: str, is_primary: bool = False) -> Any:
    """Link an existing contact (one the actor may view) to a customer the actor may change."""
    from guanxi.customers.models import Contact, CustomerContact

    _require_changeable(actor, customer)
    if not Contact.objects.restrict(actor, "view").filter(pk=contact.pk).exists():
        raise PermissionDenied(_("You may not link this contact."))
    if CustomerContact.objects.filter(customer=customer, contact=contact).exists():
        raise ValidationError({"contact": [_("This contact is already linked to this customer.")]})
    _check_role(role)
    with transaction.atomic():
        if is_primary:
            _clear_primary(customer, keep_pk=None)
        link = CustomerContact(customer=customer, contact=contact, role=role, is_primary=is_primary)
        link.save()
    return link


def _check_role(role: str, current: str | None = None) -> None:
    """A role of the configured list: an active one, or the link's own (kept when deactivated)."""
    from guanxi.core.choices import active_values
    from guanxi.customers.choices import CONTACT_ROLE_LIST

    if not role or (role != current and role not in active_values(CONTACT_ROLE_LIST)):
        raise ValidationError({"role": [_("Choose one of the listed roles.")]})


def update_contact_link(*, actor: Any, link: Any, role: str, is_primary: bool) -> Any:
    """Change a link's role and primary flag; making it primary moves the flag (one primary)."""

    _require_changeable(actor, link.customer)
    _check_role(role, link.role)
    with transaction.atomic():
        if is_primary and not link.is_primary:
            _clear_primary(link.customer, keep_pk=link.pk)
        changed = [f for f, v in (("role", role), ("is_primary", is_primary)) if getattr(link, f) != v]
        if changed:
            link.role, link.is_primary = role, is_primary
            link.save(update_fields=[*changed, "updated_at", "updated_by"])
    return link


def unlink_contact(*, actor: Any, link: Any) -> None:
    """Remove a contact from a customer (the contact itself stays)."""
    _require_changeable(actor, link.customer)
    with transaction.atomic():
        link.delete()

"""A customer changes hands with its work: its contacts and its open tasks follow the new owner.

Whichever way a customer gets a new owner — claimed or assigned from a pool, transferred, or its
owner changed on the form — ``carry_customer_records`` runs in the same transaction:

* **Contacts** linked to the customer move to the new owner (owner and department), except a
  contact who also works with a customer of *another* owner: that contact stays with the colleague
  who still works it (the new owner still sees the link on the customer's page).
* **Open tasks** on the customer that its previous owner held are **reassigned** to the new owner
  (not closed): the follow-up work is still due and now lands on the new owner's "My day". Tasks
  of other people (a service agent's call-back) stay theirs; done tasks keep their history.

Both are written with ``QuerySet.update`` plus one change-log entry per row
(``log_bulk_update``), as the transfer machinery does, with the reason in the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _


def carry_customer_records(
    previous_owners: Mapping[int, int | None], *, to_user: Any, actor: Any, reason: str = ""
) -> dict[str, int]:
    """Move the contacts and open tasks of customers (``{customer id: previous owner id}``) to
    ``to_user``; returns ``{"contacts": n, "tasks": m}``."""
    from guanxi.activities.choices import TaskStatus
    from guanxi.activities.models import Task
    from guanxi.customers.models import Contact, CustomerContact
    from guanxi.framework.changes import log_bulk_update

    ids = list(previous_owners)
    if not ids or to_user is None:
        return {"contacts": 0, "tasks": 0}
    now = timezone.now()
    message = _("Follows its customer to the new owner: %(reason)s") % {"reason": reason} if reason else ""
    message = message or _("Follows its customer to the new owner")
    # The rows join the new owner's department (kept when the new owner has none).
    moved = {"owner": to_user, **({"department_id": to_user.department_id} if to_user.department_id else {})}
    after = {"owner": to_user.pk, **({"department": to_user.department_id} if to_user.department_id else {})}
    with transaction.atomic():
        worked_elsewhere = CustomerContact.objects.filter(customer__owner__isnull=False).exclude(
            Q(customer_id__in=ids) | Q(customer__owner=to_user)
        )
        contacts = list(
            Contact.objects.filter(customer_links__customer_id__in=ids)
            .exclude(owner=to_user)
            .exclude(pk__in=worked_elsewhere.values("contact_id"))
            .distinct()
            .order_by("pk")
        )
        if contacts:
            before = {c.pk: {"owner": c.owner_id, "department": c.department_id} for c in contacts}
            Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(
                **moved, updated_at=now, updated_by=actor
            )
            log_bulk_update(contacts, before, after, message=message)
        held = Q(pk__in=[])
        for customer_id, owner_id in previous_owners.items():
            if owner_id is not None and owner_id != to_user.pk:
                held |= Q(customer_id=customer_id, owner_id=owner_id)
        tasks = list(Task.objects.filter(held, status=TaskStatus.OPEN).order_by("pk"))
        if tasks:
            before = {t.pk: {"owner": t.owner_id, "department": t.department_id} for t in tasks}
            Task.objects.filter(pk__in=[t.pk for t in tasks]).update(
                **moved, updated_at=now, updated_by=actor
            )
            log_bulk_update(tasks, before, after, message=message)
    return {"contacts": len(contacts), "tasks": len(tasks)}


def carry_transferred(rows: Iterable[Any], *, to_user: Any, actor: Any, reason: str) -> None:
    """The transfer machinery's hook: customers ``rows`` (as loaded, with their old owner) moved."""
    carry_customer_records(
        {row.pk: row.owner_id for row in rows}, to_user=to_user, actor=actor, reason=reason
    )

"""Ownership conflicts (撞单): a rep may not create or claim a customer another rep already owns.

``check_ownership_conflict`` is called by every path that gives a customer an owner: the
customer form and API (create and edit), lead conversion and pool claims; an import asks it
for the rows ``import_conflicts`` (set-based, one query per chunk) finds near another owner's
customer. It looks for an
existing customer with the same normalised phone, email or credit code, or a near-identical
company name (``guanxi.customers.matching``), owned by somebody other than the would-be owner.
What happens then is company policy (``conflict_policy()``):

* ``refuse`` (default): ``OwnershipConflict`` is raised; its message names the customer and its
  current owner — unless the actor's field rules hide the owner, then only "another colleague".
* ``warn``: the conflicts are returned, the caller shows them and may go on when the user
  confirms (``confirmed=True``).
* ``allow``: co-ownership is company policy; nothing is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.customers.matching import Match, find_customer_matches

REFUSE, WARN, ALLOW = "refuse", "warn", "allow"


def conflict_policy() -> str:
    """The company's 撞单 policy: ``refuse``, ``warn`` or ``allow`` (administrators set it on the
    customer settings page; ``CustomerSettings.conflict_policy``)."""
    from guanxi.customers.models import CustomerSettings

    return CustomerSettings.current().conflict_policy


class OwnershipConflict(ValidationError):
    """The customer is already someone else's; ``matches`` holds the rows that conflict."""

    def __init__(self, message: str, matches: Sequence[Match]) -> None:
        super().__init__(message, code="ownership_conflict")
        self.matches = list(matches)


def describe_conflict(match: Match, actor: Any) -> str:
    """ "已有客户“X”（负责人：张伟），相同的手机号" — the owner's name only if the actor may read it."""
    from guanxi.framework.fieldaccess import HIDDEN, rules_for

    customer = match.obj
    owner_hidden = rules_for(actor, type(customer)).get("owner") == HIDDEN
    owner = _("another colleague") if owner_hidden or customer.owner is None else str(customer.owner)
    return _("Customer “%(name)s” already exists, owned by %(owner)s (%(reason)s).") % {
        "name": customer.name,
        "owner": owner,
        "reason": match.reason,
    }


def ownership_conflicts(
    *,
    owner: Any,
    phone: str = "",
    email: str = "",
    credit_code: str = "",
    name: str = "",
    exclude_pk: int | None = None,
) -> list[Match]:
    """Existing customers matching these values that are owned by someone other than ``owner``."""
    matches = find_customer_matches(
        phone=phone, email=email, credit_code=credit_code, name=name, exclude_pk=exclude_pk
    )
    owner_id = getattr(owner, "pk", owner)
    return [m for m in matches if m.obj.owner_id is not None and m.obj.owner_id != owner_id]


def check_ownership_conflict(
    *,
    actor: Any,
    owner: Any,
    phone: str = "",
    email: str = "",
    credit_code: str = "",
    name: str = "",
    exclude_pk: int | None = None,
    confirmed: bool = False,
    policy: str | None = None,
) -> list[Match]:
    """Raise ``OwnershipConflict`` (policy ``refuse``, or ``warn`` unconfirmed); else the matches.

    ``owner`` is who would own the customer (a user or an id). Values must be normalised as
    ``Customer.clean()`` leaves them. ``policy`` overrides the company's (callers that already
    read it, tests).
    """
    policy = policy or conflict_policy()
    if policy == ALLOW:
        return []
    matches = ownership_conflicts(
        owner=owner, phone=phone, email=email, credit_code=credit_code, name=name, exclude_pk=exclude_pk
    )
    if matches and (policy == REFUSE or not confirmed):
        raise OwnershipConflict(" ".join(describe_conflict(m, actor) for m in matches[:3]), matches)
    return matches


def import_conflicts(rows: list[tuple[int, Any, int | None]], actor: Any) -> dict[int, tuple[str, str]]:
    """撞单 for a chunk of imported customers (the customer's ``ImportSpec.check``): one query finds
    the existing customers sharing a phone, email, credit code or name key with any row; only the
    rows with such a neighbour owned by somebody else go through ``check_ownership_conflict``,
    which words the message and applies the company's policy (refuse → error, warn → flagged for
    review). ``rows`` are ``(row number, unsaved or loaded customer, target pk or None)``, their
    derived columns computed (``Customer.derive``: the import's validation runs it once a row)."""
    from django.db.models import Q

    from guanxi.customers.models import Customer
    from guanxi.framework.querysets import values_in

    policy = conflict_policy()
    if policy == ALLOW or not rows:
        return {}
    keys: dict[str, set[str]] = {"phone": set(), "email": set(), "credit_code": set(), "name_key": set()}
    for _number, customer, _target in rows:
        for name, values in keys.items():  # name_key: the engine ran ``derive()`` on every row
            value = getattr(customer, name)
            if value:
                values.add(value)
    condition = Q()
    for name, values in keys.items():
        if values:
            condition |= values_in(Customer, name, sorted(values))
    if not condition:
        return {}
    found: dict[tuple[str, str], set[tuple[int, int | None]]] = {}
    for row in Customer.objects.filter(condition).exclude(owner=None).values("pk", "owner_id", *keys):
        for name in keys:
            if row[name]:
                found.setdefault((name, row[name]), set()).add((row["pk"], row["owner_id"]))
    refused: dict[int, tuple[str, str]] = {}
    for number, customer, target in rows:
        suspects = {
            hit
            for name in keys
            for hit in found.get((name, getattr(customer, name)), ())
            if getattr(customer, name)
        }
        if not any(pk != target and owner != customer.owner_id for pk, owner in suspects):
            continue
        try:
            check_ownership_conflict(
                actor=actor,
                owner=customer.owner_id or actor.pk,
                phone=customer.phone,
                email=customer.email,
                credit_code=customer.credit_code,
                name=customer.name,
                exclude_pk=target,
                policy=policy,
            )
        except OwnershipConflict as conflict:
            refused[number] = ("error" if policy != "warn" else "review", " ".join(conflict.messages))
    return refused

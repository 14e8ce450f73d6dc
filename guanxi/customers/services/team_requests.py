"""A way forward from a 撞单 refusal: open the customer, ask its owner to join its team, or convert
the lead into that customer.

* ``conflict_ways(matches, actor, lead=)`` — for each conflicting customer: a link to open it
  (when the actor may view it), a signed request token (when the actor may ask its owner), and
  whether the lead can be converted into it (when the actor may change it).
* ``request_team_membership(actor=, token=)`` — the actor asks the owner; the token proves the
  actor met this customer in a 撞单 (nobody can probe owners of arbitrary customer ids). The owner
  gets a notification whose link opens the request.
* ``decide_team_request(actor=, token=, decision=)`` — the owner (or their managers: whoever may
  manage the customer's team) adds the requester with "Can view" or "Can edit", or declines; the
  requester is told either way. The request itself is the signed link (no table): a decision can
  be changed later from the same notification while it is valid (14 days).

Denials raise ``PermissionDenied`` / ``ValidationError`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

ASK_SALT = "guanxi.customers.team-request.ask"
DECIDE_SALT = "guanxi.customers.team-request.decide"
ASK_MAX_AGE = dt.timedelta(days=1)
DECIDE_MAX_AGE = dt.timedelta(days=14)
DECISIONS = ("write", "read", "decline")


def conflict_ways(matches: Sequence[Any], actor: Any, *, lead: Any = None) -> list[dict[str, Any]]:
    """What the actor can do about each conflicting customer (at most three)."""
    from guanxi.customers.models import Customer
    from guanxi.users.services.access import _shares_of

    customers = [m.obj for m in matches[:3]]
    ids = [c.pk for c in customers]
    visible = set(Customer.objects.restrict(actor, "view").filter(pk__in=ids).values_list("pk", flat=True))
    changeable = set(
        Customer.objects.restrict(actor, "change").filter(pk__in=ids).values_list("pk", flat=True)
    )
    ways = []
    for match, customer in zip(matches[:3], customers, strict=True):
        on_team = _shares_of(customer).filter(user_id=actor.pk).exists()
        may_ask = customer.owner_id is not None and customer.owner_id != actor.pk and not on_team
        ways.append(
            {
                "customer": customer,
                "reason": match.reason,
                "open_url": customer.get_absolute_url() if customer.pk in visible else "",
                "request_token": signing.dumps({"c": customer.pk, "u": actor.pk}, salt=ASK_SALT)
                if may_ask
                else "",
                "on_team": on_team,
                "convert_into": lead is not None and customer.pk in changeable,
            }
        )
    return ways


def _load(token: str, salt: str, max_age: dt.timedelta) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ValidationError({"token": _("This request has expired.")}) from error
    except signing.BadSignature as error:
        raise ValidationError({"token": _("This request is not valid.")}) from error
    if not isinstance(data, dict) or not {"c", "u"} <= set(data):
        raise ValidationError({"token": _("This request is not valid.")})
    return data


def requested_customer(*, actor: Any, token: str) -> Any:
    """The customer ``actor`` may ask to join (named by ``token``); refused with the reason."""
    from guanxi.customers.models import Customer
    from guanxi.users.services.access import _shares_of

    data = _load(token, ASK_SALT, ASK_MAX_AGE)
    if data["u"] != actor.pk:
        raise PermissionDenied(_("This request was made for someone else."))
    customer = Customer.objects.select_related("owner").filter(pk=data["c"]).first()
    if customer is None or customer.owner is None:
        raise ValidationError({"token": _("This customer has no owner to ask any more.")})
    if customer.owner_id == actor.pk:
        raise ValidationError({"token": _("You own this customer already.")})
    if _shares_of(customer).filter(user_id=actor.pk).exists():
        raise ValidationError({"token": _("You are on this customer's team already.")})
    return customer


def request_team_membership(*, actor: Any, token: str) -> Any:
    """Ask the owner of the customer named by ``token`` to add ``actor`` to its team; returns the
    customer. The owner is notified (in their language) with a link to decide."""
    from guanxi.customers.pools.services.moves import notify_after_commit

    customer = requested_customer(actor=actor, token=token)
    decide = signing.dumps({"c": customer.pk, "u": actor.pk}, salt=DECIDE_SALT)
    name, requester = customer.name, str(actor)
    with transaction.atomic():
        notify_after_commit(
            customer.owner,
            lambda: _("%(user)s asks to join the team of “%(name)s”") % {"user": requester, "name": name},
            body_fn=lambda: _(
                "They found the customer when their own record was refused as a duplicate (撞单)."
            ),
            url=reverse("customers:team_request", args=[decide]),
            actor=actor,
        )
    return customer


def team_request(token: str) -> tuple[Any, Any]:
    """(customer, requester) of a decision link; ``ValidationError`` when it is bad or expired."""
    from guanxi.customers.models import Customer
    from guanxi.users.models import User

    data = _load(token, DECIDE_SALT, DECIDE_MAX_AGE)
    customer = Customer.objects.select_related("owner").filter(pk=data["c"]).first()
    requester = User.objects.filter(pk=data["u"], is_active=True).first()
    if customer is None or requester is None:
        raise ValidationError({"token": _("This request is not valid any more.")})
    return customer, requester


def decide_team_request(*, actor: Any, token: str, decision: str) -> Any:
    """The owner's answer: add the requester with ``read``/``write`` access, or ``decline``."""
    from guanxi.customers.pools.services.moves import notify_after_commit
    from guanxi.users.services.access import can_manage_team, share_record

    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose to add them or to decline.")})
    customer, requester = team_request(token)
    if not can_manage_team(actor, customer):
        raise PermissionDenied(_("Only the owner and their managers can change this record's team."))
    name, decider = customer.name, str(actor)
    with transaction.atomic():
        if decision == "decline":
            notify_after_commit(
                requester,
                lambda: (
                    _("%(user)s declined your request to join the team of “%(name)s”")
                    % {"user": decider, "name": name}
                ),
                actor=actor,
                level="warning",
            )
            return None
        share = share_record(customer, requester, decision, actor=actor)
        notify_after_commit(
            requester,
            lambda: _("%(user)s added you to the team of “%(name)s”") % {"user": decider, "name": name},
            url=customer.get_absolute_url(),
            actor=actor,
            level="success",
        )
    return share

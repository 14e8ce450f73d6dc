"""The pool rule engine: which owned customers a rule returns to its pool now, and who is warned.

``plan_returns(now)`` is a pure read. Each active rule becomes queryset filters with the cut-off
moments computed in Python (``now - N days``) and compared in SQL, so the plan costs a couple of
queries per rule however many customers there are; only the matching rows are loaded.

Day counting (the issue's words): follow-up rules count from ``max(last_contacted_at,
owned_since)``, won-deal rules from ``max(last_won_at, owned_since)``; a customer returns once
that moment is at least N whole days ago (N-1 days and 23 hours is not enough). A customer whose
owner has held it only briefly is therefore never returned at once.

Exemptions ("open deals", "signed contracts") come from other modules through
``register_pool_exemption(fn)``: ``fn(customer_qs)`` returns a ``Q`` or a queryset of customers
the rules must leave alone. Sales registers its own when it lands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

FOLLOW_UP, WON_DEAL = "no_follow_up", "no_won_deal"
RETURN, WARN = "return", "warn"
TRIGGER_FIELDS = {FOLLOW_UP: "last_contacted_at", WON_DEAL: "last_won_at"}

Exemption = Callable[[models.QuerySet], "Q | models.QuerySet"]
_EXEMPTIONS: list[Exemption] = []


def register_pool_exemption(fn: Exemption) -> Exemption:
    """Customers ``fn(qs)`` names (a ``Q`` or a queryset) are never returned nor warned."""
    if fn not in _EXEMPTIONS:
        _EXEMPTIONS.append(fn)
    return fn


def unregister_pool_exemption(fn: Exemption) -> None:
    if fn in _EXEMPTIONS:
        _EXEMPTIONS.remove(fn)


@dataclass
class PlannedMove:
    """One customer the next run would return (``kind == "return"``) or warn about."""

    customer: Any
    rule: Any
    pool: Any
    kind: str
    trigger: str
    days: int  # whole days since the counting moment
    due: dt.datetime  # when the rule returns the customer

    def params(self) -> dict[str, Any]:
        """What a PoolMove stores: enough to say the sentence later in any language."""
        return {
            "trigger": self.trigger,
            "days": self.days,
            "limit": rule_days(self.rule, self.trigger),
            "rule": self.rule.name,
            "pool": self.pool.name,
            "due": self.due.isoformat(),
        }

    def reason(self, now: dt.datetime | None = None) -> str:
        """The sentence the dry-run page shows, in the active language."""
        if self.kind == RETURN:
            return return_sentence(self.params())
        days_left = max(0, (self.due - now).days) if now is not None else None
        return warning_sentence(self.params(), days_left)

    def preview(self, now: dt.datetime) -> str:
        """What will happen, for the dry-run page and the customer's "Pool status" card."""
        if self.kind == RETURN:
            return due_sentence(self.params())
        return warning_sentence(self.params(), max(0, (self.due - now).days))


def rule_days(rule: Any, trigger: str) -> int:
    return rule.no_follow_up_days if trigger == FOLLOW_UP else rule.no_won_deal_days


def basis_expression(trigger: str) -> Any:
    """SQL for the moment a rule counts from (coalesced so neither database sees a NULL)."""
    field = TRIGGER_FIELDS[trigger]
    held = Coalesce(F("owned_since"), F("created_at"))
    return Greatest(Coalesce(F(field), held), held)


def counted_before(trigger: str, cut: dt.datetime) -> Q:
    """Customers whose counting moment is at or before ``cut`` (index-friendly, no arithmetic)."""
    field = TRIGGER_FIELDS[trigger]
    held = Q(owned_since__lte=cut) | Q(owned_since__isnull=True, created_at__lte=cut)
    return held & (Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": cut}))


def rule_scope(rule: Any, base: models.QuerySet) -> models.QuerySet:
    """Owned customers the rule applies to: its levels, its departments' subtrees, no exemption."""
    qs = base.filter(owner__isnull=False)
    if rule.levels:
        qs = qs.filter(level__in=rule.levels)
    departments = list(rule.departments.all())
    if departments:
        subtree = Q()
        for department in departments:
            subtree |= Q(department__path__startswith=department.path)
        qs = qs.filter(subtree)
    for exemption in _EXEMPTIONS:
        excluded = exemption(qs)
        qs = qs.exclude(excluded) if isinstance(excluded, Q) else qs.exclude(pk__in=excluded.values("pk"))
    return qs


def active_rules() -> list[Any]:
    from guanxi.customers.models import PoolRule

    return list(
        PoolRule.objects.filter(active=True, pool__active=True)
        .select_related("pool")
        .prefetch_related("departments")
        .order_by("pool__name", "pk")
    )


def plan_returns(
    now: dt.datetime,
    *,
    within: models.QuerySet | None = None,
    rules: Iterable[Any] | None = None,
    include_warned: bool = False,
) -> list[PlannedMove]:
    """What a run at ``now`` would do: returns first (rule order), then warnings, soonest first.

    ``within`` narrows the customers looked at (a reader's ``restrict()``, one owner's rows). A
    customer several rules would return is returned by the first; a customer being returned is
    not also warned; each customer gets at most one warning per run. ``include_warned`` keeps
    customers already warned about this return (for "My day"; the run itself leaves them out).
    """
    from guanxi.customers.models import Customer

    base = within if within is not None else Customer.objects.all()
    rules = list(rules) if rules is not None else active_rules()
    returns: list[PlannedMove] = []
    warnings: list[PlannedMove] = []
    taken: set[int] = set()
    warned: set[int] = set()
    for rule in rules:
        scope = rule_scope(rule, base)
        for trigger in (FOLLOW_UP, WON_DEAL):
            days = rule_days(rule, trigger)
            if days is None:
                continue
            cut = now - dt.timedelta(days=days)
            rows = (
                scope.filter(counted_before(trigger, cut))
                .exclude(pk__in=list(taken))
                .annotate(pool_basis=basis_expression(trigger))
                .select_related("owner")
                .order_by("pool_basis", "pk")
            )
            for customer in rows:
                taken.add(customer.pk)
                returns.append(_planned(customer, rule, RETURN, trigger, now, days))
            if rule.warn_days_before is not None:
                warn_cut = now - dt.timedelta(days=days - rule.warn_days_before)
                rows = (
                    scope.filter(counted_before(trigger, warn_cut))
                    .exclude(counted_before(trigger, cut))
                    .annotate(pool_basis=basis_expression(trigger))
                    .select_related("owner")
                    .order_by("pool_basis", "pk")
                )
                if not include_warned:
                    # once per upcoming return: a warning sent since the counting moment stands
                    rows = rows.exclude(pool_warned_at__gte=F("pool_basis"))
                for customer in rows:
                    if customer.pk not in warned:
                        warned.add(customer.pk)
                        warnings.append(_planned(customer, rule, WARN, trigger, now, days))
    warnings = [w for w in warnings if w.customer.pk not in taken]
    warnings.sort(key=lambda w: (w.due, w.customer.pk))
    return returns + warnings


def _planned(customer: Any, rule: Any, kind: str, trigger: str, now: dt.datetime, days: int) -> PlannedMove:
    basis = customer.pool_basis
    return PlannedMove(
        customer=customer,
        rule=rule,
        pool=rule.pool,
        kind=kind,
        trigger=trigger,
        days=(now - basis).days,
        due=basis + dt.timedelta(days=days),
    )


def upcoming_returns(user: Any, now: dt.datetime) -> list[PlannedMove]:
    """``user``'s customers due or inside a rule's warning window, soonest return first."""
    from guanxi.customers.models import Customer

    plan = plan_returns(now, within=Customer.objects.filter(owner=user), include_warned=True)
    return sorted(plan, key=lambda p: (p.due, p.customer.pk))


def next_return(customer: Any, now: dt.datetime) -> PlannedMove | None:
    """The soonest return an owned customer faces (for its "Pool status" card), or None."""
    from guanxi.customers.models import Customer

    if customer.owner_id is None:
        return None
    best: PlannedMove | None = None
    for rule in active_rules():
        if rule.levels and customer.level not in rule.levels:
            continue
        if not rule_scope(rule, Customer.objects.filter(pk=customer.pk)).exists():
            continue  # another department, or exempt
        for trigger in (FOLLOW_UP, WON_DEAL):
            days = rule_days(rule, trigger)
            if days is None:
                continue
            held = customer.owned_since or customer.created_at
            last = getattr(customer, TRIGGER_FIELDS[trigger]) or held
            basis = max(last, held)
            due = basis + dt.timedelta(days=days)
            if best is None or due < best.due:
                kind = RETURN if due <= now else WARN
                best = PlannedMove(customer, rule, rule.pool, kind, trigger, (now - basis).days, due)
    return best


# -- sentences (rendered at display time, in the reader's language) ------------------------------


def short_date(value: dt.datetime | dt.date) -> str:
    """ "11月3日" / "November 3" in the site time zone."""
    from django.utils import timezone

    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "MONTH_DAY_FORMAT")


def trigger_phrase(params: dict[str, Any]) -> str:
    if params.get("trigger") == WON_DEAL:
        return _("no won deal for %(days)d days") % {"days": params.get("days", 0)}
    return _("no follow-up for %(days)d days") % {"days": params.get("days", 0)}


def return_sentence(params: dict[str, Any]) -> str:
    """ "returned to 华东公海: no follow-up for 31 days under rule 'A级 30 天'"."""
    return _("Returned to %(pool)s: %(why)s under rule “%(rule)s”") % {
        "pool": params.get("pool", ""),
        "why": trigger_phrase(params),
        "rule": params.get("rule", ""),
    }


def due_sentence(params: dict[str, Any]) -> str:
    """ "goes back to 华东公海 at the next run: no follow-up for 31 days under rule 'A级 30 天'"."""
    return _("Goes back to %(pool)s at the next run: %(why)s under rule “%(rule)s”") % {
        "pool": params.get("pool", ""),
        "why": trigger_phrase(params),
        "rule": params.get("rule", ""),
    }


def warning_sentence(params: dict[str, Any], days_left: int | None) -> str:
    """ "returns to 华东公海 in 5 days under rule 'A级 30 天' unless followed up"."""
    n = days_left or 0
    values = {"pool": params.get("pool", ""), "rule": params.get("rule", ""), "n": n}
    won_deal = params.get("trigger") == WON_DEAL
    if n == 0:  # due within the next 24 hours: "in 0 days" reads like a mistake
        if won_deal:
            return _("Returns to %(pool)s within a day under rule “%(rule)s” unless a deal is won") % values
        return _("Returns to %(pool)s within a day under rule “%(rule)s” unless followed up") % values
    if won_deal:
        return (
            ngettext(
                "Returns to %(pool)s in %(n)d day under rule “%(rule)s” unless a deal is won",
                "Returns to %(pool)s in %(n)d days under rule “%(rule)s” unless a deal is won",
                n,
            )
            % values
        )
    return (
        ngettext(
            "Returns to %(pool)s in %(n)d day under rule “%(rule)s” unless followed up",
            "Returns to %(pool)s in %(n)d days under rule “%(rule)s” unless followed up",
            n,
        )
        % values
    )


def describe_move(move: Any) -> str:
    """A PoolMove as one sentence in the active language."""
    params = move.params or {}
    pool = move.pool.name if move.pool is not None else params.get("pool", "")
    text = params.get("reason", "")
    if move.action == "returned":
        return return_sentence({**params, "pool": pool})
    if move.action == "warned":
        due = params.get("due")
        days_left = (dt.datetime.fromisoformat(due) - move.time).days if due else None
        return warning_sentence({**params, "pool": pool}, days_left)
    if move.action == "released":
        return _("Put back in %(pool)s by %(user)s: %(reason)s") % {
            "pool": pool,
            "user": move.from_user or "—",
            "reason": text,
        }
    if move.action == "moved":
        return _("Moved to %(pool)s by %(actor)s: %(reason)s") % {
            "pool": pool,
            "actor": move.actor or _("the system"),
            "reason": text,
        }
    if move.action == "claimed":
        return _("Claimed from %(pool)s by %(user)s") % {"pool": pool, "user": move.to_user or "—"}
    if move.action == "assigned":
        return _("Assigned from %(pool)s to %(user)s by %(actor)s") % {
            "pool": pool,
            "user": move.to_user or "—",
            "actor": move.actor or "—",
        }
    return str(move.get_action_display())

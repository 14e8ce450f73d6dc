"""Who works a lead: assignment rules, a manager handing leads out, a rep claiming one from the pool.

* ``assign_lead`` (new leads from web forms, the API, imports): the first active rule, by
  priority, that matches the lead and has a rep under the cap of open leads gets it; with none,
  the lead stays unassigned in its department's pool.
* ``assign_leads_to`` (a manager's bulk action): the leads go to one user, no cap — the manager
  decides; each lead must be one the manager may ``assign``.
* ``claim_lead`` (a rep, from the pool): only an unassigned lead the rep may ``claim``, refused
  at the cap of the rules the rep belongs to.

The round-robin pointer (``AssignmentRule.last_assigned``) is read and moved with the rule row
locked (``select_for_update``; SQLite serialises writers anyway), so two leads arriving at once
never go to the same rep by accident. The rep is notified after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.models import AssignmentRule, Lead
from guanxi.framework.access import can


def open_lead_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Open leads (new, contacted, qualified) owned by each of ``user_ids``: one grouped query."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = (
        Lead.objects.filter(owner_id__in=ids, status__in=Lead.OPEN_STATUSES)
        .values("owner_id")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({row["owner_id"]: row["n"] for row in rows})
    return counts


def rule_reps(rule: AssignmentRule) -> list[Any]:
    """The rule's reps in a stable order: its members, else its department's active users."""
    from guanxi.users.models import User

    if rule.pk and rule.members.exists():
        return list(rule.members.filter(is_active=True).order_by("pk"))
    if rule.department_id:
        return list(User.objects.filter(department_id=rule.department_id, is_active=True).order_by("pk"))
    return []


def pick_rep(rule: AssignmentRule, reps: list[Any]) -> Any | None:
    """The next rep of ``rule`` under its cap: in turn after ``last_assigned``, or the least busy."""
    if not reps:
        return None
    counts = open_lead_counts(r.pk for r in reps)
    cap = rule.max_open_leads
    eligible = [r for r in reps if cap is None or counts[r.pk] < cap]
    if not eligible:
        return None
    if rule.method == AssignmentRule.Method.LEAST_OPEN:
        return min(eligible, key=lambda r: (counts[r.pk], r.pk))
    # Round robin: the first eligible rep after the last one served, wrapping around.
    ids = [r.pk for r in reps]
    start = ids.index(rule.last_assigned_id) + 1 if rule.last_assigned_id in ids else 0
    rotated = reps[start:] + reps[:start]
    return next(r for r in rotated if r in eligible)


def _give(lead: Lead, user: Any) -> None:
    """Owner, the owner's department and the assignment time; change-logged by the caller's context."""
    lead.owner = user
    lead.department_id = user.department_id or lead.department_id
    lead.assigned_at = timezone.now()
    lead.save(update_fields=["owner", "department", "assigned_at"])


def _notify_assigned(leads: list[Lead], user: Any, actor: Any) -> None:
    """Tell the rep after the commit, in the rep's own language."""
    from guanxi.framework.notify import in_language_of, notify

    if not leads or (actor is not None and actor.pk == user.pk):
        return
    lead_ids = [lead.pk for lead in leads]

    def send() -> None:
        with in_language_of(user):
            if len(lead_ids) == 1:
                title = _("Lead assigned to you: %(name)s") % {"name": leads[0]}
                url = leads[0].get_absolute_url()
            else:
                title = _("%(count)d leads assigned to you") % {"count": len(lead_ids)}
                url = f"{reverse('customers:lead_list')}?owner={user.pk}"
            notify(user, title, url=url, actor=actor)

    transaction.on_commit(send)


def assign_lead(lead: Lead, *, actor: Any, rules: Iterable[AssignmentRule] | None = None) -> Any | None:
    """Give an unassigned ``lead`` to the first matching rule's next rep; returns the rep or None.

    ``rules`` limits the choice (a web form's own rule); by default every active rule is tried in
    priority order. A lead nobody could take stays unassigned (owner NULL) in the pool.
    """
    if lead.owner_id is not None:
        return lead.owner
    candidates = list(rules) if rules is not None else list(AssignmentRule.objects.filter(active=True))
    with transaction.atomic():
        for candidate in sorted(candidates, key=lambda r: (r.priority, r.name)):
            if not candidate.active or not candidate.matches(lead):
                continue
            rule = AssignmentRule.objects.select_for_update().get(pk=candidate.pk)
            rep = pick_rep(rule, rule_reps(rule))
            if rep is None:
                continue  # everyone is at the cap: the next rule may still have room
            _give(lead, rep)
            rule.last_assigned = rep
            rule.save(update_fields=["last_assigned"])
            _notify_assigned([lead], rep, actor)
            return rep
    return None


def assignable_users(actor: Any) -> Any:
    """Active users a manager may hand leads to: the actor's department subtree (everyone for a
    superuser or a company-wide grant)."""
    from guanxi.framework.access import get_policy, permission_name
    from guanxi.users.access import subtree_department_ids
    from guanxi.users.models import User

    users = (
        User.objects.filter(is_active=True).select_related("department").order_by("department__path", "name")
    )

    grants = getattr(get_policy(), "_grants", None)  # the role policy's (scope, role) pairs
    company_wide = (
        actor.is_superuser
        or actor.has_perm(permission_name(Lead, "assign"))
        or (grants is not None and any(scope == "all" for scope, _role in grants(actor, Lead, "assign")))
    )
    if company_wide:
        return users
    return users.filter(department_id__in=subtree_department_ids(actor))


def assign_leads_to(leads: Iterable[Lead], user: Any, *, actor: Any) -> list[Lead]:
    """Give ``leads`` to ``user`` (a manager's decision: no cap). All or nothing.

    Refused when the actor may not assign one of them, the lead is converted, or ``user`` is
    inactive or outside the people the actor may assign to (``assignable_users``). The leads
    are re-read through ``restrict(actor, "assign")``.
    """
    items = list(leads)
    if not getattr(user, "is_active", False):
        raise ValidationError({"owner": _("Choose an active user.")})
    if actor is not None and not assignable_users(actor).filter(pk=user.pk).exists():
        raise ValidationError({"owner": _("You may only assign leads to people in your department tree.")})
    with transaction.atomic():
        rows = Lead.objects.select_for_update().filter(pk__in=[lead.pk for lead in items])
        if actor is not None:
            rows = rows.restrict(actor, "assign")
        found = {lead.pk: lead for lead in rows}
        if len(found) != len({lead.pk for lead in items}):
            raise PermissionDenied(_("You may not assign some of these leads."))
        done = []
        for lead in found.values():
            if lead.status == Lead.Status.CONVERTED:
                raise ValidationError(
                    _("“%(name)s” is already converted and cannot be reassigned.") % {"name": lead}
                )
            if lead.owner_id != user.pk:
                _give(lead, user)
                done.append(lead)
        _notify_assigned(done, user, actor)
    return sorted(found.values(), key=lambda lead: lead.pk)


def claim_cap(user: Any) -> int | None:
    """The open-lead cap that binds ``user``: the smallest cap of the active rules they take part in."""
    rules = AssignmentRule.objects.filter(active=True, max_open_leads__isnull=False).filter(
        Q(members=user) | Q(members__isnull=True, department_id=user.department_id)
    )
    caps = [cap for cap in rules.values_list("max_open_leads", flat=True) if cap is not None]
    return min(caps) if caps else None


def claim_lead(lead: Lead, *, actor: Any) -> Lead:
    """The rep ``actor`` takes an unassigned lead from the pool; refused at their cap of open leads."""
    with transaction.atomic():
        row = Lead.objects.select_for_update().filter(pk=lead.pk).restrict(actor, "claim").first()
        if row is None or not can(actor, "claim", Lead):
            raise PermissionDenied(_("You may not claim this lead."))
        if row.owner_id is not None:
            raise ValidationError(
                _("Somebody else took this lead a moment ago.")
                if row.owner_id != actor.pk
                else _("This lead is already yours.")
            )
        if not row.is_open:
            raise ValidationError(_("Only open leads can be claimed."))
        cap = claim_cap(actor)
        if cap is not None and open_lead_counts([actor.pk])[actor.pk] >= cap:
            raise ValidationError(
                _("You already have %(cap)d open leads, the most you may hold. Close or convert some first.")
                % {"cap": cap}
            )
        _give(row, actor)
    lead.refresh_from_db()
    return lead

"""Cards of leads on generic pages, and the customer timeline's "Converted from lead …" entries.

* ``detail.actions`` on a lead: Convert (open lead the user may change) and Claim (unassigned
  lead the user may claim).
* ``detail.main`` on a lead: where it was converted to, and the records it may duplicate.
* ``home.main`` ("My day"): leads assigned to the user in the last seven days.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.models import Customer, Lead
from guanxi.framework.access import can
from guanxi.framework.cards import register_card
from guanxi.framework.timeline import TimelineEntry

RECENT_DAYS = 7
RECENT_LIMIT = 8


@register_card("detail.actions", "customers/leads/lead_actions.html", weight=10)
def lead_actions_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """The Convert and Claim buttons on a lead's page."""
    if not isinstance(obj, Lead) or request is None:
        return None
    user = request.user
    can_convert = obj.is_open and Lead.objects.restrict(user, "change").filter(pk=obj.pk).exists()
    can_claim = (
        obj.owner_id is None
        and obj.is_open
        and Lead.objects.restrict(user, "claim").filter(pk=obj.pk).exists()
    )
    if not (can_convert or can_claim):
        return None
    return {"can_convert": can_convert, "can_claim": can_claim}


@register_card("detail.main", "customers/leads/lead_links.html", weight=10)
def lead_links_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """Conversion back-links, and (for open leads) the records this lead may duplicate."""
    from guanxi.customers.leads.services.leads import describe_duplicates, find_lead_duplicates

    if not isinstance(obj, Lead) or request is None:
        return None
    user = request.user
    duplicates = []
    if obj.is_open:
        matches = find_lead_duplicates(
            phone=obj.phone, email=obj.email, company=obj.company, name=obj.name, exclude_pk=obj.pk
        )
        duplicates = describe_duplicates(matches, user)
    customer = obj.converted_customer if obj.converted_customer_id else None
    contact = obj.converted_contact if obj.converted_contact_id else None
    return {
        "duplicates": duplicates,
        "converted_customer": customer,
        "converted_customer_visible": customer is not None and can(user, "view", customer),
        "converted_contact": contact,
        "converted_contact_visible": contact is not None and can(user, "view", contact),
    }


@register_card("home.main", "customers/leads/home_recent_leads.html", weight=40)
def recent_leads_card(request: Any, obj: Any) -> dict[str, Any] | None:
    """Leads assigned to the user in the last seven days, newest first (two queries)."""
    if request is None or not can(request.user, "view", Lead):
        return None
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    rows = Lead.objects.restrict(request.user, "view").filter(owner=request.user, assigned_at__gte=since)
    return {
        "recent_leads": list(rows.order_by("-assigned_at", "-pk")[:RECENT_LIMIT]),
        "recent_leads_count": rows.count(),
    }


def converted_leads_source(
    obj: Any, user: Any, before: datetime.datetime | None, limit: int
) -> list[TimelineEntry]:
    """ "Converted from lead …" on the customer it became (one query; none for other records)."""
    if not isinstance(obj, Customer):
        return []
    rows = Lead.objects.filter(converted_customer=obj, converted_at__isnull=False).select_related(
        "converted_by"
    )
    if before is not None:
        rows = rows.filter(converted_at__lt=before)
    page = list(rows.order_by("-converted_at")[:limit])
    visible: set[int] = set()
    if page:  # links only to leads the reader may open
        visible = set(
            Lead.objects.restrict(user, "view")
            .filter(pk__in=[r.pk for r in page])
            .values_list("pk", flat=True)
        )
    return [
        TimelineEntry(
            time=lead.converted_at,
            kind="lead",
            icon="transform",
            title=_("Converted from lead “%(name)s”") % {"name": lead},
            actor=lead.converted_by,
            body=lead.get_source_display(),
            url=lead.get_absolute_url() if lead.pk in visible else "",
        )
        for lead in page
        if lead.converted_at is not None
    ]

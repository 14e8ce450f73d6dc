"""Leads (线索), web forms and assignment rules, declared once (``guanxi.framework.entities``).

Reps work their own leads and claim unassigned ones of their department (``access``); managers
assign within their department tree; marketing runs the web forms and hands leads out
company-wide.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.leads.api.views import LeadViewSet
from guanxi.customers.leads.views import LeadViews
from guanxi.customers.leads.views_capture import AssignmentRuleViews, LeadCaptureFormViews
from guanxi.customers.models import AssignmentRule, Lead, LeadCaptureForm
from guanxi.framework.entities import EntityType, Follow, Grant, MenuEntry, Transfer, register_entity
from guanxi.users.default_roles import ALL_ACTIONS


def _lead_contacted(lead: Lead, follow_up: Any) -> None:
    from guanxi.customers.leads.services.leads import record_lead_contact

    record_lead_contact(lead, actor=follow_up.owner, at=follow_up.occurred_at)


register_entity(
    EntityType(
        model=Lead,
        views=LeadViews,
        viewset=LeadViewSet,
        api_name="leads",
        search=(("name", 100), ("company", 90), ("phone", 60), ("email", 50)),
        menu=MenuEntry("customers", _("Leads"), icon="target-arrow", weight=30),
        grants={
            "admin": Grant([*ALL_ACTIONS, "claim"], "all"),
            "sales_director": Grant(
                ["view", "add", "change", "delete", "export", "import", "assign", "claim"], "department_tree"
            ),
            "sales_manager": Grant(
                ["view", "add", "change", "export", "import", "assign", "claim"], "department_tree"
            ),
            "sales_rep": Grant(["view", "add", "change", "claim"], "own"),
            "service_agent": Grant(["view", "add"], "own"),  # agents note down callers who want to buy
            "marketing": Grant(["view", "add", "change", "export", "import", "assign"], "all"),
            "read_only": Grant(["view", "export"], "all"),
        },
        # A leaving colleague's open leads go with their customers; converted and disqualified stay.
        transfer=Transfer(
            _("leads"),
            open_filter=Q(status__in=[Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.QUALIFIED]),
            extra_fields=lambda: {"assigned_at": timezone.now()},
        ),
        follow=Follow(customer_of=lambda lead: lead.converted_customer, on_logged=_lead_contacted),
    )
)
# Web forms and assignment rules: reference data administrators, directors and marketing keep.
LEAD_SETUP_GRANTS = {
    "admin": Grant(["view", "add", "change", "delete", "export"], "all"),
    "sales_director": Grant(["view", "add", "change", "delete"], "all"),
    "marketing": Grant(["view", "add", "change"], "all"),
}
register_entity(
    EntityType(
        model=LeadCaptureForm,
        views=LeadCaptureFormViews,
        menu=MenuEntry("lead_capture", _("Web forms"), icon="forms", weight=10),
        grants=LEAD_SETUP_GRANTS,
    )
)
register_entity(
    EntityType(
        model=AssignmentRule,
        views=AssignmentRuleViews,
        menu=MenuEntry("lead_capture", _("Assignment rules"), icon="route", weight=20),
        grants=LEAD_SETUP_GRANTS,
    )
)

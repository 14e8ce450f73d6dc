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
from guanxi.framework.duplicates import DuplicateRule, DuplicateSpec
from guanxi.framework.entities import EntityType, Follow, Grant, MenuEntry, Transfer, register_entity
from guanxi.framework.importing import EMAIL_HEADERS, OWNER_HEADERS, PHONE_HEADERS, ImportSpec
from guanxi.users.default_roles import ALL_ACTIONS


def _lead_contacted(lead: Lead, follow_up: Any) -> None:
    from guanxi.customers.leads.services.leads import record_lead_contact

    record_lead_contact(lead, actor=follow_up.owner, at=follow_up.occurred_at)


LEAD_IMPORTS = ImportSpec(
    order=30,
    synonyms={
        "name": ("姓名", "联系人", "线索名称", "name", "contact name"),
        "company": ("公司", "公司名称", "单位", "企业名称", "company name"),
        "title": ("职位", "职务"),
        "phone": PHONE_HEADERS,
        "email": EMAIL_HEADERS,
        "owner": OWNER_HEADERS,
        "source": ("来源", "线索来源"),
        "notes": ("备注", "说明", "remark"),
        "wechat_id": ("微信", "微信号", "wechat"),
    },
    match_keys=("id", "phone", "email"),
)

register_entity(
    EntityType(
        model=Lead,
        imports=LEAD_IMPORTS,
        views=LeadViews,
        viewset=LeadViewSet,
        api_name="leads",
        search=(("name", 100), ("company", 90), ("phone", 60), ("email", 50)),
        menu=MenuEntry("customers", _("Leads"), icon="target-arrow", weight=30),
        grants={
            "admin": Grant([*ALL_ACTIONS, "claim", "dedup"], "all"),  # "dedup": the duplicates queue
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
        # Duplicates (guanxi.dedup): the phone and email as clean() stores them (E.164, lower case),
        # and the company by its comparison key (company_key: stored, indexed). Leads declare no
        # merge, so the queue offers none for them: a duplicate lead is disqualified or converted.
        duplicates=DuplicateSpec(
            name_field="company",
            name_kind="company",
            key_field="company_key",
            rules=(
                DuplicateRule("phone", "exact"),
                DuplicateRule("email", "exact"),
                DuplicateRule("company", "fuzzy", threshold=90),
            ),
        ),
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

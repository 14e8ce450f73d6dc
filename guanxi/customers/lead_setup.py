"""Wiring of leads into the framework's registries, called once from ``CustomersConfig.ready()``.

Kept out of ``apps.py`` so the shared app config grows by one line: default-role grants,
the unassigned-lead row access, bulk actions on the lead list, the cards on lead and home pages,
and the customer timeline's "Converted from lead …" entries.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from guanxi.customers import lead_cards  # noqa: F401  (registers the cards and the timeline source)
    from guanxi.customers.lead_access import unassigned_lead_access
    from guanxi.customers.models import Lead
    from guanxi.customers.roles import LEAD_GRANTS, LEAD_MODELS, LEAD_SETUP_GRANTS, LEAD_SETUP_MODELS
    from guanxi.framework.access import register_row_access
    from guanxi.framework.bulkactions import register_bulk_action
    from guanxi.users.default_roles import register_module_grants

    register_module_grants("customers", LEAD_MODELS, LEAD_GRANTS)
    register_module_grants("customers", LEAD_SETUP_MODELS, LEAD_SETUP_GRANTS)
    register_row_access(Lead, unassigned_lead_access)
    register_bulk_action(
        Lead, _("Assign to…"), "customers:lead_bulk_assign", icon="user-share", action="assign"
    )
    register_bulk_action(Lead, _("Disqualify"), "customers:lead_bulk_disqualify", icon="ban", action="change")

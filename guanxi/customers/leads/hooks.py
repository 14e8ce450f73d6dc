"""Wiring of leads into the generic pages (imported once from ``CustomersConfig.ready``): the
unassigned-lead row access, the bulk actions on the lead list, and the cards on lead and home
pages (``cards``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.customers.leads import cards  # noqa: F401  (registers the cards)
from guanxi.customers.leads.access import unassigned_lead_access
from guanxi.customers.models import Lead
from guanxi.framework.access import register_row_access
from guanxi.framework.bulkactions import register_bulk_action

register_row_access(Lead, unassigned_lead_access)
register_bulk_action(Lead, _("Assign to…"), "customers:lead_bulk_assign", icon="user-share", action="assign")
register_bulk_action(Lead, _("Disqualify"), "customers:lead_bulk_disqualify", icon="ban", action="change")

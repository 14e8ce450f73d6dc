"""Customers and contacts, declared once (``guanxi.framework.entities``); the sub-domains declare
theirs in ``leads/entities.py`` and ``pools/entities.py`` (imported at the end).

Default grants by role code (administrators may change them; see ``users.default_roles``):
customers and contacts are worked by their owners and their managers' trees; service agents see
every customer; ID card numbers are masked for every role but the administrators' (users granted
"reveal" show one at a time, audited).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.customers.api.serializers import ContactSerializer, CustomerSerializer
from guanxi.customers.leads.cards import converted_leads_source
from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerSettings,
)
from guanxi.customers.pools.hooks import pool_moves_source
from guanxi.customers.services.handover import carry_transferred
from guanxi.customers.services.merge import after_customer_merge
from guanxi.customers.views import ContactViews, CustomerViews
from guanxi.framework.entities import (
    EntityType,
    Follow,
    Grant,
    MenuEntry,
    Merge,
    Transfer,
    register_entity,
)
from guanxi.users.default_roles import ALL_ACTIONS

CUSTOMER_GRANTS = {
    "admin": Grant([*ALL_ACTIONS, "dedup"], "all"),  # "dedup": the duplicates queue (guanxi.dedup)
    "sales_director": Grant(["view", "add", "change", "delete", "export", "assign"], "department_tree"),
    "sales_manager": Grant(["view", "add", "change", "export", "assign"], "department_tree"),
    "sales_rep": Grant(["view", "add", "change"], "own"),
    "service_agent": Grant(["view"], "all"),  # service agents serve every customer, so they see them all
    "marketing": Grant(["view", "export"], "all"),
    "read_only": Grant(["view", "export"], "all"),
    "finance": Grant(["view"], "all"),  # 财务: the customers of the contracts they collect on
}
ID_NUMBER_MASKED = {code: {"id_number": "masked"} for code in CUSTOMER_GRANTS if code != "admin"}


def _contact_customers(contact: Contact) -> list[Customer]:
    """The customers a contact works with, the primary one first."""
    links = contact.customer_links.select_related("customer").order_by("-is_primary", "id")
    return [link.customer for link in links]


def _contact_customer(contact: Contact) -> Customer | None:
    """A contact's primary customer, else the first one it was linked to."""
    return next(iter(_contact_customers(contact)), None)


register_entity(
    EntityType(
        model=Customer,
        views=CustomerViews,
        serializer=CustomerSerializer,
        api_name="customers",
        search=(("name", 100), ("short_name", 80), ("phone", 60), ("email", 50), ("credit_code", 60)),
        menu=MenuEntry("customers", _("Customers"), icon="building", weight=10),
        grants=CUSTOMER_GRANTS,
        field_rules=ID_NUMBER_MASKED,
        # A transfer resets what any new owner resets (the ownership clock, the pool).
        # ... and takes its contacts and open tasks along (services/handover.py).
        transfer=Transfer(_("customers"), extra_fields=Customer.new_owner_values, carry=carry_transferred),
        follow=Follow(customer_of=lambda customer: customer),
        timeline=(converted_leads_source, pool_moves_source),
        merge=Merge(after=after_customer_merge),  # one primary contact survives
    )
)
register_entity(
    EntityType(
        model=Contact,
        views=ContactViews,
        serializer=ContactSerializer,
        api_name="contacts",
        search=(("name", 100), ("phone", 60), ("mobile", 55), ("email", 50)),
        menu=MenuEntry("customers", _("Contacts"), icon="address-book", weight=20),
        grants=CUSTOMER_GRANTS,
        transfer=Transfer(_("contacts")),
        follow=Follow(customer_of=_contact_customer, customers_of=_contact_customers),
        merge=Merge(),
    )
)
# The customer settings page (撞单 policy) is for administrators (a page, not a list).
register_entity(EntityType(model=CustomerSettings, grants={"admin": Grant(["view", "change"], "all")}))

from guanxi.customers.leads import entities as lead_entities  # noqa: E402, F401
from guanxi.customers.pools import entities as pool_entities  # noqa: E402, F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customers (客户) and contacts (联系人), the records every sales module hangs off, with their
    sub-domains leads (``leads/``) and public pools (``pools/``)."""

    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # Menu groups, cards, bulk actions, row access (the entity types: entities.py).
        from guanxi.customers import menu, transfer_setup  # noqa: F401
        from guanxi.customers.leads import hooks as lead_hooks  # noqa: F401
        from guanxi.customers.panels import customer_contacts_context
        from guanxi.customers.pools import hooks as pool_hooks  # noqa: F401
        from guanxi.framework.panels import register_detail_context

        register_detail_context(customer_contacts_context)  # the "Contacts" card

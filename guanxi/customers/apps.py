from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customers (客户) and contacts (联系人): the records every sales module hangs off."""

    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.customers import menu, search  # noqa: F401  (registers menu entries and search indexes)
        from guanxi.customers.panels import customer_contacts_context
        from guanxi.framework.panels import register_detail_context

        register_detail_context(customer_contacts_context)  # the "Contacts" card

        from guanxi.customers.roles import GRANTS, MODELS
        from guanxi.users.default_roles import register_module_grants

        register_module_grants("customers", MODELS, GRANTS)  # restored with the roles after a flush
        from guanxi.customers.roles import SETTINGS_GRANTS, SETTINGS_MODELS

        register_module_grants("customers", SETTINGS_MODELS, SETTINGS_GRANTS)

        from guanxi.customers.roles import FIELD_RULES
        from guanxi.users.default_roles import register_module_field_rules

        register_module_field_rules("customers", "customer", FIELD_RULES)  # ID numbers masked
        from guanxi.customers import (
            lead_setup,
            transfer_setup,  # noqa: F401  (transferables, cards, bulk action)
        )

        lead_setup.ready()  # leads: grants, row access, cards, bulk actions, timeline, search

        from guanxi.customers import (
            pool_hooks,  # noqa: F401  (public pools: access, cards, timeline, menu)
            team_home,  # noqa: F401  (the team home's widgets)
        )

"""The platform's own entity types: tags, custom fields, exchange rates, choice options and the logs."""

from django.utils.translation import gettext_lazy as _

from guanxi.core.api.choices import ChoiceOptionViewSet
from guanxi.core.api.views import CustomFieldViewSet, ExchangeRateViewSet, ObjectChangeViewSet, TagViewSet
from guanxi.core.models import AuditEvent, ChoiceOption, CustomField, ExchangeRate, ObjectChange, Tag
from guanxi.core.views import CustomFieldViews, ExchangeRateViews, TagViews
from guanxi.core.views_audit import AuditEventViews, ObjectChangeViews
from guanxi.framework.entities import EntityType, Grant, MenuEntry, register_entity
from guanxi.users.default_roles import ALL_ACTIONS, READ

# Platform records are no one's: "assign" (transfer owner) means nothing for them.
ADMIN = Grant([a for a in ALL_ACTIONS if a != "assign"], "all")
READERS = ("sales_director", "sales_manager", "sales_rep", "service_agent", "marketing")
EVERYONE_READS = {
    "admin": Grant(["view", "add", "change", "delete", "export"], "all"),
    **{code: Grant(["view"], "all") for code in READERS},
    "read_only": Grant(READ, "all"),
}

register_entity(
    EntityType(
        model=Tag,
        views=TagViews,
        viewset=TagViewSet,
        api_name="tags",
        search=(("name", 100), ("slug", 60), ("description", 20)),
        menu=MenuEntry("settings", _("Tags"), icon="tags", weight=10),
        grants={
            "admin": ADMIN,
            "sales_director": Grant(["view", "add", "change", "delete", "export"], "all"),
            "sales_manager": Grant(["view", "add", "change", "export"], "all"),
            "sales_rep": Grant(["view"], "all"),
            "service_agent": Grant(["view"], "all"),
            "marketing": Grant(["view", "add", "change", "delete", "export"], "all"),
            "read_only": Grant(READ, "all"),
        },
    )
)
register_entity(
    EntityType(
        model=CustomField,
        views=CustomFieldViews,
        viewset=CustomFieldViewSet,
        api_name="custom-fields",
        menu=MenuEntry("settings", _("Custom fields"), icon="forms", weight=20),
        grants={"admin": ADMIN},
    )
)
# Everyone reads the rates (amounts are shown and converted with them); administrators keep them.
register_entity(
    EntityType(
        model=ExchangeRate,
        views=ExchangeRateViews,
        viewset=ExchangeRateViewSet,
        api_name="exchange-rates",
        menu=MenuEntry("settings", _("Exchange rates"), icon="currency-yuan", weight=30),
        grants=EVERYONE_READS,
    )
)
# Everyone reads the options of the configurable lists (labels, API); administrators edit them
# on the "Choice lists" page (core:choice_lists, an app page in the Settings menu).
register_entity(
    EntityType(
        model=ChoiceOption, viewset=ChoiceOptionViewSet, api_name="choice-options", grants=EVERYONE_READS
    )
)
register_entity(
    EntityType(
        model=ObjectChange,
        views=ObjectChangeViews,
        viewset=ObjectChangeViewSet,
        api_name="changes",
        menu=MenuEntry("settings", _("Change log"), icon="history", weight=50),
        grants={"admin": Grant(["view", "export"], "all")},
    )
)
register_entity(
    EntityType(
        model=AuditEvent,
        views=AuditEventViews,
        menu=MenuEntry("settings", _("Audit trail"), icon="shield-check", weight=60),
        grants={"admin": Grant(["view", "export"], "all")},
    )
)

"""Quotes (报价): owned like deals — reps their own, managers and directors their department tree."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.framework.entities import EntityType, Grant, MenuEntry, Transfer, register_entity
from guanxi.quotes.api.serializers import QuoteSerializer
from guanxi.quotes.api.views import QuoteViewSet
from guanxi.quotes.models import Quote, QuoteStatus
from guanxi.quotes.views import QuoteViews
from guanxi.users.default_roles import ALL_ACTIONS

OPEN = [QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED, QuoteStatus.SENT]

register_entity(
    EntityType(
        model=Quote,
        views=QuoteViews,
        serializer=QuoteSerializer,
        viewset=QuoteViewSet,
        api_name="quotes",
        search=(("number", 100), ("title", 80)),
        menu=MenuEntry("sales", _("Quotes"), icon="file-invoice", weight=30),
        grants={
            "admin": Grant(ALL_ACTIONS, "all"),
            "sales_director": Grant(
                ["view", "add", "change", "delete", "export", "assign"], "department_tree"
            ),
            "sales_manager": Grant(["view", "add", "change", "export", "assign"], "department_tree"),
            "sales_rep": Grant(["view", "add", "change"], "own"),
            "service_agent": Grant(["view"], "all"),
            "marketing": Grant(["view"], "all"),
            "read_only": Grant(["view", "export"], "all"),
        },
        # A leaving colleague's open quotes (current versions) go with their deals.
        transfer=Transfer(_("quotes"), open_filter=Q(status__in=OPEN, is_current=True)),
    )
)

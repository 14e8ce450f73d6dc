"""The test entity, declared the way every entity is (no menu and no shipped grants: tests give
their own)."""

from guanxi.framework.entities import EntityType, register_entity
from guanxi.framework.testing.testapp.api.serializers import GadgetSerializer
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.framework.testing.testapp.views import GadgetViews

register_entity(
    EntityType(
        model=Gadget,
        views=GadgetViews,
        serializer=GadgetSerializer,
        api_name="gadgets",
        search=(("name", 100), ("code", 80)),
    )
)

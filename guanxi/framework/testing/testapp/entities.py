"""The test entities, declared the way every entity is (no menu and no shipped grants: tests give
their own). ``Requisition`` is the approval engine's test document (its flow: ``approvals.py``)."""

from guanxi.framework.entities import EntityType, register_entity
from guanxi.framework.testing.testapp.api.serializers import GadgetSerializer, RequisitionSerializer
from guanxi.framework.testing.testapp.models import Gadget, Requisition
from guanxi.framework.testing.testapp.views import GadgetViews, RequisitionViews

register_entity(
    EntityType(
        model=Gadget,
        views=GadgetViews,
        serializer=GadgetSerializer,
        api_name="gadgets",
        search=(("name", 100), ("code", 80)),
    )
)
register_entity(
    EntityType(
        model=Requisition,
        views=RequisitionViews,
        serializer=RequisitionSerializer,
        api_name="requisitions",
        search=(("title", 100),),
    )
)

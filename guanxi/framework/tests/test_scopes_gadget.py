"""The data-scope suite on the test app's Gadget: pages, search, export and the API per scope."""

from __future__ import annotations

import pytest
from django.urls import include, path

from guanxi import api_urls
from guanxi import urls as root_urls
from guanxi.framework.api.routers import EntityRouter
from guanxi.framework.api.serializers import EntitySerializer
from guanxi.framework.api.viewsets import EntityViewSet
from guanxi.framework.testing.scopes import ScopeSuite, record_name
from guanxi.framework.testing.testapp.models import Gadget
from guanxi.framework.testing.testapp.views import GadgetFilterSet


class GadgetSerializer(EntitySerializer):
    class Meta(EntitySerializer.Meta):
        model = Gadget
        fields = ["name", "code", "price", "status"]


class GadgetViewSet(EntityViewSet):
    queryset = Gadget.objects.all()
    serializer_class = GadgetSerializer
    filterset_class = GadgetFilterSet


router = EntityRouter("testapp")
router.register("gadgets", GadgetViewSet)
urlpatterns = [p for p in root_urls.urlpatterns if str(getattr(p, "pattern", "")) != "api/v1/"]
urlpatterns.append(
    path("api/v1/", include(([*api_urls.urlpatterns, path("testapp/", include(router.urls))], "api")))
)


@pytest.mark.urls(__name__)
class TestGadgetScopes(ScopeSuite):
    model = Gadget
    url_prefix = "/test/gadgets/"
    api_url = "/api/v1/testapp/gadgets/"

    def make(self, owner, department, n):
        return Gadget.objects.create(
            name=record_name(n), code=f"S{n:03d}", owner=owner, department=department
        )

    def api_create_body(self, org, user):
        return {"name": f"{record_name(99)}-new", "code": "NEW1"}

"""The data-scope suite on the test app's Gadget: pages, search, export and the API per scope."""

from __future__ import annotations

from guanxi.framework.testing.scopes import ScopeSuite, record_name
from guanxi.framework.testing.testapp.models import Gadget


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

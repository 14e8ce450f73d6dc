"""The generic suites on the test document (``testapp.Requisition``): its pages and data scopes
behave like any entity's while it is not under approval."""

from __future__ import annotations

import decimal

from guanxi.framework.testing.scopes import ScopeSuite, record_name
from guanxi.framework.testing.suites import EntityViewSuite
from guanxi.framework.testing.testapp.models import Requisition


class TestRequisitionViews(EntityViewSuite):
    model = Requisition
    url_prefix = "/test/requisitions/"
    form_data = {
        "title": "办公设备采购",
        "amount_amount": "1999.00",
        "amount_currency": "CNY",
        "discount_percent": "5",
        "status": "draft",
    }
    edit_data = {
        "title": "办公设备采购（改）",
        "amount_amount": "2999.50",
        "amount_currency": "CNY",
        "discount_percent": "5",
    }
    bulk_edit_data = {"discount_percent": "9.00"}
    list_query_budget = 16

    def make(self, n):
        return Requisition.objects.create(title=f"申请{n}", amount_amount=decimal.Decimal(n))


class TestRequisitionScopes(ScopeSuite):
    model = Requisition
    url_prefix = "/test/requisitions/"
    api_url = "/api/v1/testapp/requisitions/"
    api_edit = {"title": "edited"}

    def make(self, owner, department, n):
        return Requisition.objects.create(title=record_name(n), owner=owner, department=department)

    def api_create_body(self, org, user):
        return {"title": f"{record_name(99)}-new"}

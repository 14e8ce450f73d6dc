"""The generic page and scope suites on contracts and orders, and an order's lines editor."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.contracts.models import Contract, Order, OrderLine
from guanxi.contracts.services import OrderLineInput
from guanxi.contracts.tests.conftest import new_order
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import ScopeSuite, record_name
from guanxi.framework.testing.suites import EntityViewSuite, snapshot


def _customer(n: int, owner=None, department=None) -> Customer:
    return Customer.objects.create(name=f"客户{n:04d}", owner=owner, department=department)


class _WithCustomerView:
    @pytest.fixture
    def make_user(self, make_user):
        """Whoever the suite gives rights on contracts or orders may also see customers."""

        def factory(username, perms=(), **fields):
            perms = [*perms, "customers.view_customer"] if perms else perms
            return make_user(username, perms=perms, **fields)

        return factory


class TestContractViews(_WithCustomerView, EntityViewSuite):
    model = Contract
    url_prefix = "/contracts/"
    bulk_edit_data = {"ends_on": "2027-12-31"}
    list_query_budget = 15  # + the customer filter's choices

    @pytest.fixture(autouse=True)
    def _customer_for_forms(self, db):
        with as_system():
            self.customer = _customer(9999)
        common = {
            "customer": self.customer.pk,
            "amount_amount": "120000.00",
            "amount_currency": "CNY",
            "signed_on": "2026-12-01",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
        }
        self.form_data = {**common, "title": "华康年度服务合同"}
        self.edit_data = {**common, "title": "华康年度服务合同（修订）"}

    def make(self, n):
        return Contract.objects.create(
            customer=_customer(n),
            title=f"合同{n:04d}",
            amount_amount=Decimal(1000 + n),
            number=f"HT-T-{n:04d}",
        )


class TestOrderViews(_WithCustomerView, EntityViewSuite):
    model = Order
    url_prefix = "/orders/"
    bulk_edit_data = {"channel": "online"}
    list_query_budget = 15

    @pytest.fixture(autouse=True)
    def _customer_for_forms(self, db):
        with as_system():
            self.customer = _customer(9999)
        self.form_data = {
            "customer": self.customer.pk,
            "order_date": "2026-12-01",
            "channel": "direct",
            "currency": "CNY",
        }
        self.edit_data = {**self.form_data, "notes": "加急"}

    def make(self, n):
        return Order.objects.create(customer=_customer(n), number=f"SO-T-{n:04d}")


class TestContractScopes(ScopeSuite):
    model = Contract
    url_prefix = "/contracts/"
    api_url = "/api/v1/contracts/contracts/"
    api_edit = {"terms": "edited"}

    def make(self, owner, department, n):
        return Contract.objects.create(
            customer=_customer(n, owner, department), title=record_name(n), number=f"HT-S-{n:04d}",
            amount_amount=Decimal(1000), owner=owner, department=department,
        )  # fmt: skip

    def api_create_body(self, org, user):
        from guanxi.framework.testing.scopes import give_role

        with as_system():
            customer = _customer(900, user, user.department)
        give_role(user, Customer, "own", ["view"], name=f"customer-view-{user.username}")
        return {
            "customer": customer.pk,
            "title": record_name(900),
            "amount": {"amount": "100.00", "currency": "CNY"},
        }


class TestOrderScopes(ScopeSuite):
    model = Order
    url_prefix = "/orders/"
    api_url = "/api/v1/contracts/orders/"
    api_edit = {"notes": "edited"}

    def make(self, owner, department, n):
        return Order.objects.create(
            customer=_customer(n, owner, department),
            number=record_name(n),
            owner=owner,
            department=department,
        )

    def api_create_body(self, org, user):
        from guanxi.framework.testing.scopes import give_role

        with as_system():
            customer = _customer(900, user, user.department)
        give_role(user, Customer, "own", ["view"], name=f"customer-view-{user.username}")
        return {"customer": customer.pk, "channel": "direct"}


def test_order_lines_follow_their_order(c):
    order = new_order(c.rep1, c.customer, [OrderLineInput(product=c.crm, quantity="1")])
    line = order.lines.get()
    assert list(OrderLine.objects.restrict(c.rep1, "view")) == [line]
    assert list(OrderLine.objects.restrict(c.manager1, "view")) == [line]
    assert list(OrderLine.objects.restrict(c.rep2, "view")) == []
    assert list(OrderLine.objects.restrict(c.rep2, "change")) == []


def test_lines_editor_saves_every_row_and_shows_the_total(c, client):
    order = new_order(c.rep1, c.customer)
    client.force_login(c.rep1)
    page = client.get(f"/orders/{order.pk}/lines/")
    assert page.status_code == 200 and "CRM-PRO Guanxi Cloud Pro" in page.content.decode()
    response = client.post(
        f"/orders/{order.pk}/lines/",
        {
            "rows": "3",
            "line-0-product": c.crm.pk,
            "line-0-quantity": "2",
            "line-0-discount_percent": "5",
            "line-1-description": "上门服务费",
            "line-1-quantity": "1",
            "line-1-unit_price": "1234.56",
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total_amount == Decimal("38854.56")  # 39,600 − 1,980 + 1,234.56
    assert "CNY 38,854.56" in client.get(f"/orders/{order.pk}/").content.decode()


def test_lines_editor_shows_field_messages_and_saves_nothing(c, client):
    order = new_order(c.rep1, c.customer, [OrderLineInput(product=c.crm, quantity="1")])
    before = snapshot(OrderLine), snapshot(Order)
    client.force_login(c.rep1)
    response = client.post(
        f"/orders/{order.pk}/lines/",
        {
            "rows": "2",
            "line-0-product": c.crm.pk,
            "line-0-quantity": "-2",
            "line-1-product": c.crm.pk,
            "line-1-quantity": "1",
            "line-1-discount_percent": "150",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "The quantity cannot be negative." in body
    assert "The discount is a percentage between 0 and 100." in body
    assert (snapshot(OrderLine), snapshot(Order)) == before


def test_order_lines_through_the_api_and_totals_are_read_only(c):
    from guanxi.framework.testing.scopes import api_client

    order = new_order(c.rep1, c.customer)
    client = api_client(c.rep1)
    response = client.put(
        f"/api/v1/contracts/orders/{order.pk}/lines/",
        [{"product": c.crm.pk, "quantity": "2", "discount_percent": "5"}],
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["total"] == {"amount": "37620.00", "currency": "CNY"}
    bad = client.put(
        f"/api/v1/contracts/orders/{order.pk}/lines/",
        [
            {"product": c.crm.pk, "quantity": "-1"},
            {"product": c.crm.pk, "quantity": "1", "discount_percent": "101"},
        ],
        format="json",
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert errors["1.quantity"] == ["The quantity cannot be negative."]
    assert errors["2.discount_percent"] == ["The discount is a percentage between 0 and 100."]
    order.refresh_from_db()
    assert order.total_amount == Decimal("37620.00")
    client.patch(
        f"/api/v1/contracts/orders/{order.pk}/", {"total": {"amount": "1", "currency": "CNY"}}, format="json"
    )
    order.refresh_from_db()
    assert order.total_amount == Decimal("37620.00")


def test_an_order_is_called_an_order_in_chinese_not_a_sort_position():
    """ "order" is also a list position (排序): the sales order's name has its own context."""
    from django.utils import translation

    from guanxi.contracts.models import Order, OrderLine

    with translation.override("zh-hans"):
        assert str(Order._meta.verbose_name) == "订单"
        assert str(OrderLine._meta.get_field("order").verbose_name) == "订单"
        assert str(translation.gettext("order")) == "排序"

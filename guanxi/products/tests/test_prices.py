"""Prices on price lists: the generic page suite, the currency rule, and which price applies."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanxi.core.models import ExchangeRate
from guanxi.framework.money import Money
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import EntityViewSuite, snapshot
from guanxi.products.models import PriceList, PriceListItem, Product
from guanxi.products.services import applicable_price

DAY = datetime.date(2026, 12, 6)


class TestPriceListItemViews(EntityViewSuite):
    model = PriceListItem
    url_prefix = "/price-list-items/"
    list_query_budget = 16  # + the price list and product filters' choices
    editor_perms = ("products.view_pricelist", "products.view_product")

    @pytest.fixture(autouse=True)
    def _list_and_product(self, db):
        with as_system():
            self.price_list = PriceList.objects.create(name="表单价目表", currency="CNY")
            self.product = Product.objects.create(sku="FORM-1", name="表单产品", list_price_amount=100)
        self.form_data = {
            "price_list": self.price_list.pk,
            "product": self.product.pk,
            "price_amount": "88.00",
            "price_currency": "CNY",
        }
        self.edit_data = {**self.form_data, "price_amount": "77.00"}
        self.bulk_edit_data = {"valid_until": "2027-12-31"}

    def make(self, n):
        price_list, _new = PriceList.objects.get_or_create(name="套件价目表", currency="CNY")
        product = Product.objects.create(sku=f"P-{n:04d}", name=f"价目产品{n:04d}", list_price_amount=100)
        return PriceListItem.objects.create(price_list=price_list, product=product, price_amount=90 + n)


@pytest.fixture
def catalogue(db):
    with as_system():
        ExchangeRate.objects.create(currency="USD", rate=Decimal("7.10"), valid_from="2026-01-01")
        product = Product.objects.create(sku="CRM", name="关系云", list_price_amount=Decimal("1000.00"))
        level_a = PriceList.objects.create(name="A", currency="CNY", customer_level="A")
        everyone = PriceList.objects.create(name="所有客户", currency="CNY")
        usd = PriceList.objects.create(name="USD", currency="USD")
        PriceListItem.objects.create(price_list=level_a, product=product, price_amount=Decimal("850.00"))
        PriceListItem.objects.create(price_list=everyone, product=product, price_amount=Decimal("950.00"))
        PriceListItem.objects.create(
            price_list=level_a, product=product, price_amount=Decimal("800.00"),
            valid_from="2027-01-01", valid_until="2027-01-31", price_currency="CNY",
        )  # fmt: skip
    return product, level_a, everyone, usd


def test_the_levels_list_comes_first_then_the_general_one_then_the_list_price(catalogue):
    product = catalogue[0]
    assert applicable_price(product, currency="CNY", day=DAY, level="A").price == Money("850.00", "CNY")
    assert applicable_price(product, currency="CNY", day=DAY, level="B").price == Money("950.00", "CNY")
    assert applicable_price(
        product, currency="CNY", day=datetime.date(2027, 1, 15), level="A"
    ).price == Money("800.00", "CNY")  # the January promotion
    # no USD price: the list price converted at the day's rate (1,000 / 7.10, half up)
    applied = applicable_price(product, currency="USD", day=DAY, level="A")
    assert applied.price == Money("140.85", "USD") and applied.source is None


def test_a_price_in_another_currency_than_its_list_is_refused(catalogue):
    product, level_a, _everyone, _usd = catalogue
    before = snapshot(PriceListItem)
    item = PriceListItem(
        price_list=level_a, product=product, price_amount=Decimal("120"), price_currency="USD"
    )
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert refused.value.message_dict["price_currency"] == [
        "The price list is in CNY; give the price in CNY."
    ]
    assert snapshot(PriceListItem) == before


def test_a_negative_list_price_is_refused(db):
    product = Product(sku="NEG", name="负价", list_price_amount=Decimal("-1"))
    with pytest.raises(ValidationError) as refused:
        product.full_clean()
    assert "A price cannot be negative." in refused.value.message_dict["list_price_amount"]

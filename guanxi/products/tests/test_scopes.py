"""The data-scope suite on products and price lists (owned records like any other)."""

from __future__ import annotations

from guanxi.framework.testing.scopes import ScopeSuite, record_name
from guanxi.products.models import PriceList, Product


class TestProductScopes(ScopeSuite):
    model = Product
    url_prefix = "/products/"
    api_url = "/api/v1/products/products/"
    api_edit = {"description": "edited"}

    def api_create_body(self, org, user):
        return {
            "sku": f"NEW-{user.pk}",
            "name": record_name(900),
            "list_price": {"amount": "10.00", "currency": "CNY"},
        }

    def make(self, owner, department, n):
        return Product.objects.create(
            sku=f"S{n:04d}", name=record_name(n), list_price_amount=10, owner=owner, department=department
        )


class TestPriceListScopes(ScopeSuite):
    model = PriceList
    url_prefix = "/price-lists/"
    api_url = "/api/v1/products/price-lists/"
    api_edit = {"notes": "edited"}

    def make(self, owner, department, n):
        return PriceList.objects.create(name=record_name(n), owner=owner, department=department)

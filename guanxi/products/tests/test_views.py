"""The generic page suites on products, categories and price lists."""

from __future__ import annotations

from guanxi.framework.testing.suites import EntityViewSuite
from guanxi.products.models import PriceList, Product, ProductCategory


class TestProductViews(EntityViewSuite):
    model = Product
    url_prefix = "/products/"
    list_query_budget = 15  # + the category filter's choices
    form_data = {
        "sku": "CRM-STD",
        "name": "关系云标准版",
        "name_en": "Guanxi Cloud Standard",
        "unit": "套",
        "list_price_amount": "9800.00",
        "list_price_currency": "CNY",
        "tax_rate": "13",
        "is_active": "on",
    }
    edit_data = {**form_data, "name": "关系云专业版", "list_price_amount": "19800.00"}
    bulk_edit_data = {"tax_rate": "6.00"}

    def make(self, n):
        return Product.objects.create(sku=f"SKU-{n:04d}", name=f"产品{n:04d}", list_price_amount=100 + n)


class TestProductCategoryViews(EntityViewSuite):
    model = ProductCategory
    url_prefix = "/product-categories/"
    form_data = {"name": "软件", "name_en": "Software", "sort_order": "1"}
    edit_data = {"name": "软件服务", "name_en": "Software services", "sort_order": "2"}
    bulk_edit_data = {"sort_order": "7"}

    def make(self, n):
        return ProductCategory.objects.create(name=f"类别{n:04d}", sort_order=n)


class TestPriceListViews(EntityViewSuite):
    model = PriceList
    url_prefix = "/price-lists/"
    form_data = {"name": "A级客户价", "currency": "CNY", "customer_level": "A", "is_active": "on"}
    edit_data = {"name": "A级客户价 2027", "currency": "CNY", "customer_level": "A", "is_active": "on"}
    bulk_edit_data = {"customer_level": "B"}

    def make(self, n):
        return PriceList.objects.create(name=f"价目表{n:04d}", currency="CNY")

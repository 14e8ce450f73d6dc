import django_filters
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import LazyChoices
from guanxi.customers.choices import level_choices
from guanxi.framework.filtersets import EntityFilterSet
from guanxi.framework.money import currency_choices
from guanxi.products.models import PriceList, PriceListItem, Product, ProductCategory


class ProductCategoryFilterSet(EntityFilterSet):
    search_fields = ("name", "name_en")

    class Meta:
        model = ProductCategory
        fields = ["parent"]


class ProductFilterSet(EntityFilterSet):
    is_active = django_filters.BooleanFilter(label=_("active"))
    search_fields = ("sku", "name", "name_en")

    class Meta:
        model = Product
        fields = ["category", "is_active"]


class PriceListFilterSet(EntityFilterSet):
    currency = django_filters.MultipleChoiceFilter(choices=LazyChoices(currency_choices))
    customer_level = django_filters.MultipleChoiceFilter(choices=LazyChoices(level_choices))
    search_fields = ("name",)

    class Meta:
        model = PriceList
        fields = ["currency", "customer_level", "is_active"]


class PriceListItemFilterSet(EntityFilterSet):
    search_fields = ("product__sku", "product__name")

    class Meta:
        model = PriceListItem
        fields = ["price_list", "product"]

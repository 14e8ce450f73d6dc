import django_filters
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.choices import channel_choices
from guanxi.contracts.models import Contract, ContractStatus, Order, OrderStatus
from guanxi.core.choices import LazyChoices
from guanxi.framework.filtersets import EntityFilterSet


class ContractFilterSet(EntityFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ContractStatus.choices)
    ends_on = django_filters.DateFromToRangeFilter(label=_("end date"))
    search_fields = ("number", "title", "customer__name")

    class Meta:
        model = Contract
        fields = ["status", "customer"]


class OrderFilterSet(EntityFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    order_date = django_filters.DateFromToRangeFilter(label=_("order date"))
    channel = django_filters.MultipleChoiceFilter(choices=LazyChoices(channel_choices))
    search_fields = ("number", "customer__name")

    class Meta:
        model = Order
        fields = ["status", "customer", "contract", "channel"]

import django_filters
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import LazyChoices
from guanxi.framework.filtersets import EntityFilterSet
from guanxi.receivables.choices import method_choices
from guanxi.receivables.models import InvoiceKind, InvoiceRequest, InvoiceStatus, Receipt, ReceiptStatus


class ReceiptFilterSet(EntityFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ReceiptStatus.choices)
    received_on = django_filters.DateFromToRangeFilter(label=_("received on"))
    method = django_filters.MultipleChoiceFilter(choices=LazyChoices(method_choices))
    search_fields = ("number", "payer", "reference", "customer__name", "contract__number")

    class Meta:
        model = Receipt
        fields = ["status", "customer", "contract", "method"]


class InvoiceRequestFilterSet(EntityFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=InvoiceStatus.choices)
    kind = django_filters.MultipleChoiceFilter(choices=InvoiceKind.choices)
    requested_on = django_filters.DateFromToRangeFilter(label=_("requested on"))
    search_fields = ("number", "title", "invoice_number", "customer__name", "contract__number")

    class Meta:
        model = InvoiceRequest
        fields = ["status", "kind", "customer", "contract"]

import django_filters
from django.utils.translation import gettext_lazy as _

from guanxi.framework.filtersets import EntityFilterSet
from guanxi.quotes.models import Quote, QuoteStatus


class QuoteFilterSet(EntityFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=QuoteStatus.choices)
    is_current = django_filters.BooleanFilter(label=_("current version"))
    search_fields = ("number", "title", "customer__name")

    class Meta:
        model = Quote
        fields = ["status", "deal", "is_current"]

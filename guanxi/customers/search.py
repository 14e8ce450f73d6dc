"""Search indexes of customers, contacts and leads (pinyin, initials and phone digits: the framework)."""

from guanxi.customers.models import Contact, Customer, Lead
from guanxi.framework.search import SearchIndex, register_search


@register_search
class CustomerIndex(SearchIndex):
    model = Customer
    fields = (("name", 100), ("short_name", 80), ("phone", 60), ("email", 50), ("credit_code", 60))


@register_search
class ContactIndex(SearchIndex):
    model = Contact
    fields = (("name", 100), ("phone", 60), ("mobile", 55), ("email", 50))


@register_search
class LeadIndex(SearchIndex):
    model = Lead
    fields = (("name", 100), ("company", 90), ("phone", 60), ("email", 50))

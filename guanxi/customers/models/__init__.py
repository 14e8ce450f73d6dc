"""Every model of the customers app (app label ``customers``), the leads' and pools' included:
they live in their sub-packages and are registered with the app by being imported here."""

from guanxi.customers.leads.models import AssignmentRule, Lead, LeadCaptureForm
from guanxi.customers.models.contact import Contact, CustomerContact
from guanxi.customers.models.customer import Customer
from guanxi.customers.models.settings import CustomerSettings
from guanxi.customers.pools.models import Pool, PoolMove, PoolRule

__all__ = [
    "AssignmentRule",
    "Contact",
    "Customer",
    "CustomerContact",
    "CustomerSettings",
    "Lead",
    "LeadCaptureForm",
    "Pool",
    "PoolMove",
    "PoolRule",
]

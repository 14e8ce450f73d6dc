from guanxi.customers.models.capture import AssignmentRule, LeadCaptureForm
from guanxi.customers.models.contact import Contact, CustomerContact
from guanxi.customers.models.customer import Customer
from guanxi.customers.models.lead import Lead
from guanxi.customers.models.pool import Pool, PoolMove, PoolRule
from guanxi.customers.models.settings import CustomerSettings

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

from guanxi.customers.models.contact import Contact, CustomerContact
from guanxi.customers.models.customer import Customer
from guanxi.customers.models.settings import CustomerSettings

__all__ = ["Contact", "Customer", "CustomerContact", "CustomerSettings"]
from guanxi.customers.models.capture import AssignmentRule, LeadCaptureForm
from guanxi.customers.models.lead import Lead

__all__ += ["AssignmentRule", "Lead", "LeadCaptureForm"]
from guanxi.customers.models.pool import Pool, PoolMove, PoolRule

__all__ += ["Pool", "PoolMove", "PoolRule"]

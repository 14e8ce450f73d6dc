from guanxi.customers.models.contact import Contact, CustomerContact
from guanxi.customers.models.customer import Customer

__all__ = ["Contact", "Customer", "CustomerContact"]

from guanxi.customers.models.contact import Contact, CustomerContact
from guanxi.customers.models.customer import Customer
from guanxi.customers.models.pool import Pool, PoolMove, PoolRule

__all__ = ["Contact", "Customer", "CustomerContact", "Pool", "PoolMove", "PoolRule"]

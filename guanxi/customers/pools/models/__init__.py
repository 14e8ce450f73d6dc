"""Models of public pools: pools, their return rules, and every move in or out of a pool."""

from guanxi.customers.pools.models.pool import Pool, PoolMove, PoolRule

__all__ = ["Pool", "PoolMove", "PoolRule"]

"""Scheduled work of the customers app: the nightly public-pool (公海) rule run."""

from __future__ import annotations

import logging
from typing import Any

from guanxi.framework.context import Source, actor_context
from guanxi.framework.schedules import periodic

logger = logging.getLogger(__name__)


@periodic("pool_rules", at="02:00")
def run_pool_rules() -> dict[str, Any]:
    """Apply the pool rules as the system: return due customers, warn owners of the soon-due.

    Idempotent (see ``apply_pool_rules``), so a retried or doubled run moves nothing twice.
    """
    from guanxi.customers.pools.services.pools import apply_pool_rules

    with actor_context(None, source=Source.TASK):
        summary = apply_pool_rules()
    logger.info("Pool rules: %(returned)d customers returned, %(warned)d warned", summary)
    return {"returned": summary["returned"], "warned": summary["warned"]}

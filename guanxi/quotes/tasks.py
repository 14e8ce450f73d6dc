"""The nightly job that expires approved and sent quotes past their validity date."""

from __future__ import annotations

from typing import Any

from guanxi.framework.context import Source, actor_context
from guanxi.framework.schedules import periodic


@periodic("expire_quotes", at="00:30")
def expire_quotes_job() -> dict[str, Any]:
    from guanxi.quotes.services import expire_quotes

    with actor_context(None, source=Source.TASK):
        return {"expired": expire_quotes()}

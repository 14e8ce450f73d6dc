"""The nightly job that reminds owners of active contracts ending soon (renewal, 续约)."""

from __future__ import annotations

from typing import Any

from guanxi.framework.context import Source, actor_context
from guanxi.framework.schedules import periodic


@periodic("remind_contract_renewals", at="08:00")
def remind_contract_renewals_job() -> dict[str, Any]:
    from guanxi.contracts.services import remind_renewals

    with actor_context(None, source=Source.TASK):
        return {"reminded": remind_renewals()}

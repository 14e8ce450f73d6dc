"""The nightly receivables jobs: installments that fell due become 逾期, and owners are reminded
before due dates and once an installment is overdue (each once: idempotent)."""

from __future__ import annotations

from typing import Any

from guanxi.framework.context import Source, actor_context
from guanxi.framework.schedules import periodic


@periodic("mark_overdue_installments", at="00:30")
def mark_overdue_installments_job() -> dict[str, Any]:
    from guanxi.receivables.services import mark_overdue

    with actor_context(None, source=Source.TASK):
        return {"overdue": mark_overdue()}


@periodic("remind_installments", at="08:05")
def remind_installments_job() -> dict[str, Any]:
    from guanxi.receivables.services import mark_overdue, remind_installments

    with actor_context(None, source=Source.TASK):
        mark_overdue()
        return remind_installments()

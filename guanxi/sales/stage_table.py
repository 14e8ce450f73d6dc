"""Pipelines and their stages as the deal filters read them, kept in each process.

The deal list's "open / won / lost" filter needs the ids of the matching stages (a literal
``stage_id IN (…)``: see ``DealFilterSet.filter_stage_kind``) and the pipeline filter checks the
submitted ids; both read this table instead of querying for it on every request. It is reloaded
when a pipeline or stage is written (``guanxi.framework.configcache``; ``SalesConfig.ready``
watches both models).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import DatabaseError

from guanxi.framework.configcache import ConfigCache


@dataclass(frozen=True)
class StageTable:
    """Every pipeline's id and every stage as ``(stage id, pipeline id, kind)``, in stage order."""

    pipeline_ids: frozenset[int]
    stages: tuple[tuple[int, int, str], ...]

    def stage_ids(self, kinds: Collection[str], pipelines: Iterable[int] | None = None) -> list[int]:
        """The ids of the stages of ``kinds`` (in ``pipelines`` when given), in stage order."""
        chosen = None if pipelines is None else frozenset(int(pk) for pk in pipelines)
        return [
            pk
            for pk, pipeline, kind in self.stages
            if kind in kinds and (chosen is None or pipeline in chosen)
        ]


def _load() -> StageTable | None:
    from guanxi.sales.models import Pipeline, Stage

    try:
        pipelines = frozenset(Pipeline.objects.order_by().values_list("pk", flat=True))
        stages = tuple(
            Stage.objects.order_by("pipeline_id", "order", "pk").values_list("pk", "pipeline_id", "kind")
        )
    except (DatabaseError, RuntimeError):  # no table yet (checks before migrate), no DB access
        return None
    return StageTable(pipelines, stages)


STAGE_TABLE: ConfigCache[StageTable] = ConfigCache("sales:stages", _load)


def stage_table() -> StageTable:
    """The current table (empty when the database cannot be read yet)."""
    return STAGE_TABLE.get() or StageTable(frozenset(), ())

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
from functools import cached_property

from django.db import DatabaseError

from guanxi.framework.configcache import ConfigCache
from guanxi.framework.i18n import localized


@dataclass(frozen=True)
class StageTable:
    """Every pipeline's id and every stage as ``(stage id, pipeline id, kind)``, in stage order;
    the names of both as ``(id, name, English name)`` in the models' own order (what the filters
    offer)."""

    pipeline_ids: frozenset[int]
    stages: tuple[tuple[int, int, str], ...]
    pipeline_names: tuple[tuple[int, str, str], ...] = ()
    stage_names: tuple[tuple[int, str, str], ...] = ()

    @cached_property
    def stage_id_set(self) -> frozenset[int]:
        return frozenset(pk for pk, _pipeline, _kind in self.stages)

    def pipeline_choices(self) -> list[tuple[int, str]]:
        """``(id, label)`` of every pipeline in the reader's language, as ``str(pipeline)``."""
        return [(pk, localized(name, name_en)) for pk, name, name_en in self.pipeline_names]

    def stage_choices(self) -> list[tuple[int, str]]:
        """``(id, label)`` of every stage in the reader's language, as ``str(stage)``."""
        return [(pk, localized(name, name_en)) for pk, name, name_en in self.stage_names]

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
        pipeline_names = tuple(Pipeline.objects.values_list("pk", "name", "name_en"))  # Meta.ordering
        stage_rows = list(Stage.objects.values_list("pk", "pipeline_id", "kind", "name", "name_en"))
    except (DatabaseError, RuntimeError):  # no table yet (checks before migrate), no DB access
        return None
    return StageTable(
        pipeline_ids=frozenset(pk for pk, _name, _name_en in pipeline_names),
        stages=tuple((pk, pipeline, kind) for pk, pipeline, kind, _name, _name_en in stage_rows),
        pipeline_names=pipeline_names,
        stage_names=tuple((pk, name, name_en) for pk, _pipeline, _kind, name, name_en in stage_rows),
    )


STAGE_TABLE: ConfigCache[StageTable] = ConfigCache("sales:stages", _load)


def stage_table() -> StageTable:
    """The current table (empty when the database cannot be read yet)."""
    return STAGE_TABLE.get() or StageTable(frozenset(), ())

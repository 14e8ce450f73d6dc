"""Pages of deals, pipelines and stages: the EntityViews declarations (the kanban is in board.py)."""

from __future__ import annotations

from guanxi.framework.views import EntityViews
from guanxi.sales.filtersets import DealFilterSet, PipelineFilterSet, StageFilterSet
from guanxi.sales.forms import DealForm, PipelineForm, StageForm
from guanxi.sales.models import Deal, Pipeline, Stage
from guanxi.sales.tables import DealTable, PipelineTable, StageTable


class DealViews(EntityViews):
    model = Deal
    queryset = Deal.objects.select_related("customer", "pipeline", "stage")
    filterset = DealFilterSet
    form = DealForm
    table = DealTable
    detail_template = "sales/deal_detail.html"
    bulk_edit_fields = ("expected_close_date", "next_step")


class PipelineViews(EntityViews):
    model = Pipeline
    filterset = PipelineFilterSet
    form = PipelineForm
    table = PipelineTable
    detail_template = "sales/pipeline_detail.html"
    bulk_edit_fields = ("order", "active")
    importable = False


class StageViews(EntityViews):
    model = Stage
    queryset = Stage.objects.select_related("pipeline")
    filterset = StageFilterSet
    form = StageForm
    table = StageTable
    bulk_edit_fields = ("probability", "stale_after_days")
    importable = False

"""Forms of deals, pipelines and stages (the generic edit pages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer
from guanxi.framework.forms import EntityForm, style_widgets
from guanxi.sales.choices import StageKind
from guanxi.sales.models import Deal, Pipeline, Stage
from guanxi.sales.models.pipeline import REQUIRABLE_FIELDS, requirable_label


class DealForm(EntityForm):
    """A deal: a new one picks its pipeline and open stage (``?customer=<id>`` preselects the
    customer, from the 360° page); afterwards the stage moves on the board or the record's page."""

    class Meta:
        model = Deal
        fields = [
            "name",
            "customer",
            "pipeline",
            "stage",
            "amount_amount",
            "amount_currency",
            "expected_close_date",
            "forecast_category",
            "source",
            "competitors",
            "next_step",
            "description",
            "owner",
        ]
        widgets = {"expected_close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        from guanxi.sales.services import visible_pipelines

        customer = self.fields.get("customer")
        if isinstance(customer, forms.ModelChoiceField):
            customer.queryset = (
                Customer.objects.restrict(user, "view") if user is not None else Customer.objects.none()
            )
        pipeline = self.fields.get("pipeline")
        if isinstance(pipeline, forms.ModelChoiceField) and user is not None:
            pipeline.queryset = visible_pipelines(user)
            pipeline.required = False
            pipeline.help_text = _("Empty: the default pipeline.")
        stage = self.fields.get("stage")
        if isinstance(stage, forms.ModelChoiceField) and self.instance.pk is None:
            stage.queryset = Stage.objects.filter(kind=StageKind.OPEN, pipeline__active=True).select_related(
                "pipeline"
            )
            stage.required = False
            stage.help_text = _("Empty: the pipeline's first stage.")
        if self.instance.pk is not None and isinstance(pipeline, forms.ModelChoiceField):
            # Shown, not changed here: a deal changes pipeline by moving (its stages are the states).
            pipeline.queryset = Pipeline.objects.filter(pk=self.instance.pipeline_id)
            pipeline.disabled = True


class PipelineForm(EntityForm):
    class Meta:
        model = Pipeline
        fields = ["name", "name_en", "departments", "is_default", "active", "order"]


class StageForm(EntityForm):
    required_fields = forms.MultipleChoiceField(
        label=_("required fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Deal fields that must be filled before a deal enters this stage."),
    )

    class Meta:
        model = Stage
        fields = [
            "pipeline",
            "name",
            "name_en",
            "order",
            "probability",
            "kind",
            "stale_after_days",
            "required_fields",
        ]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["required_fields"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(name, requirable_label(name)) for name in REQUIRABLE_FIELDS]


class DealPipelineForm(forms.Form):
    """Move a deal to another pipeline: one choice of an open stage, grouped by pipeline."""

    stage = forms.TypedChoiceField(label=_("New pipeline and stage"), coerce=int)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, choices: list[tuple[Pipeline, list[Stage]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (pipeline.label, [(stage.pk, f"{pipeline.label} › {stage.label}") for stage in stages])
            for pipeline, stages in choices
        ]
        style_widgets(self)

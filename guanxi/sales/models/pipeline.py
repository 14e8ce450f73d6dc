"""Pipelines (销售流程) and their ordered stages: reference data administrators configure.

A deal's stage is a state machine whose states are the stages of its pipeline
(``guanxi.sales.models.deal.DealStageTransitions``): adding, renaming or reordering stages here
changes the kanban's columns and the moves a deal may make, with no code change.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from guanxi.framework.i18n import localized
from guanxi.framework.models import OrganizationalModel
from guanxi.sales.choices import StageKind

# The deal fields a stage may require before a deal enters it (with the deal form's labels).
REQUIRABLE_FIELDS = (
    "amount_amount",
    "expected_close_date",
    "next_step",
    "competitors",
    "source",
    "description",
)


class Pipeline(OrganizationalModel):
    """A sales process (per department or product line) with its ordered stages."""

    display_fields = ("name", "name_en")

    access_reference_data = True

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    departments = models.ManyToManyField(
        "users.Department",
        verbose_name=_("visible to departments"),
        blank=True,
        related_name="+",
        help_text=_(
            "People of these departments and their sub-departments use the pipeline; none = everyone."
        ),
    )
    is_default = models.BooleanField(
        _("default pipeline"), default=False, help_text=_("New deals go here unless another is chosen.")
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="pipeline_single_default"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self.name, self.name_en)

    def clean(self) -> None:
        super().clean()
        if self.is_default and Pipeline.objects.filter(is_default=True).exclude(pk=self.pk).exists():
            raise ValidationError({"is_default": _("Another pipeline is already the default pipeline.")})

    def first_open_stage(self) -> Stage | None:
        return self.stages.filter(kind=StageKind.OPEN).order_by("order", "pk").first()


class Stage(OrganizationalModel):
    """One column of a pipeline: its win probability, kind, staleness and entry requirements."""

    display_fields = ("name", "name_en", "kind", "probability")

    access_reference_data = True
    changelog_parent = "pipeline"

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    kind = models.CharField(_("kind"), max_length=8, choices=StageKind.choices, default=StageKind.OPEN)
    stale_after_days = models.PositiveIntegerField(
        _("stale after (days)"),
        null=True,
        blank=True,
        help_text=_("A deal in this stage longer than this is highlighted as stale. Empty = never."),
    )
    required_fields = models.JSONField(
        _("required fields"),
        default=list,
        blank=True,
        help_text=_("Deal fields that must be filled before a deal enters this stage."),
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order", "pk"]
        indexes = [models.Index(fields=["pipeline", "order"], name="stage_pipeline_order")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self.name, self.name_en)

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN

    def clean(self) -> None:
        super().clean()
        fields = self.required_fields or []
        if not isinstance(fields, list) or any(f not in REQUIRABLE_FIELDS for f in fields):
            raise ValidationError(
                {
                    "required_fields": _("Choose among: %(fields)s.")
                    % {"fields": ", ".join(str(requirable_label(f)) for f in REQUIRABLE_FIELDS)}
                }
            )
        # A deal closes by moving into a won or lost stage: the move stamps closed_at, updates
        # the customer's last win and the forecast. Turning a stage that holds deals into another
        # kind would close (or reopen) them all without any of that — they then sat in "won"
        # with no close date, missing from every period's dashboard.
        if not self._state.adding and "kind" in self.changed_fields():
            held = self.deals.count()
            if held:
                raise ValidationError(
                    {
                        "kind": ngettext(
                            "%(count)d deal is in this stage: move it to another stage before changing "
                            "the stage’s kind, or add a new stage.",
                            "%(count)d deals are in this stage: move them to another stage before "
                            "changing the stage’s kind, or add a new stage.",
                            held,
                        )
                        % {"count": held}
                    }
                )


def field_list(names: list[str]) -> str:
    """The labels of deal fields as one phrase: 金额、预计成交日期 / amount, expected close date."""
    from guanxi.framework.i18n import english_active

    return (", " if english_active() else "、").join(str(requirable_label(n)) for n in names)


def requirable_label(name: str) -> Any:
    """The deal form's label of a requirable field."""
    from guanxi.sales.models.deal import Deal

    if name == "amount_amount":
        return _("amount")
    return getattr(Deal._meta.get_field(name), "verbose_name", name)

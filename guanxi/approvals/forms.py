"""The approval-flow editor's forms: the flow, its steps (a formset) and its condition (rows).

A flow's ``steps`` and ``condition`` are JSON on the model; people edit them as rows. The forms
only turn rows into that JSON and back: the rules (which transitions wait for an approval, which
roles and users exist, what a condition may say) are the model's ``clean()`` and the condition
language's ``validate``, whose messages are shown at the rows.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from guanxi.approvals.declare import APPROVABLE, approvable_transitions
from guanxi.approvals.models import ApprovalFlow
from guanxi.approvals.models.flows import MAX_STEPS, ApproverKind, StepMode
from guanxi.framework.forms import style_widgets

# Operators offered in the condition rows (the condition language has more; flows need these).
CONDITION_OPS = (
    ("eq", _("is")),
    ("ne", _("is not")),
    ("in", _("is one of")),
    ("not_in", _("is none of")),
    ("gt", _("greater than")),
    ("gte", _("at least")),
    ("lt", _("less than")),
    ("lte", _("at most")),
    ("contains", _("contains")),
    ("is_empty", _("is empty")),
    ("is_not_empty", _("is not empty")),
)
LISTED_OPS = {"in", "not_in"}
VALUELESS_OPS = {"is_empty", "is_not_empty"}


def document_choices() -> list[tuple[str, str]]:
    """("<content type id>:<transition>", "报价 · 提交审批") for every transition under approval."""
    choices = []
    for model in sorted(APPROVABLE, key=lambda m: m._meta.label):
        ct = ContentType.objects.get_for_model(model)
        for name in approvable_transitions(model):
            transition = _transition(model, name)
            label = str(getattr(transition, "label", "") or name)
            choices.append((f"{ct.pk}:{name}", f"{model._meta.verbose_name} · {label}"))
    return choices


def _transition(model: Any, name: str) -> Any:
    from guanxi.framework.statemachine import machines_for

    for machine in machines_for(model):
        if name in machine.transitions:
            return machine.transitions[name]
    return None


def role_choices() -> list[tuple[str, str]]:
    from guanxi.users.models import Role

    return [("", "—")] + [(r.code or r.name, str(r)) for r in Role.objects.order_by("name")]


class ApprovalFlowForm(forms.ModelForm):
    """The flow's own fields, with its document type and transition as one choice."""

    document = forms.ChoiceField(label=_("Document and action"))
    match = forms.ChoiceField(
        label=_("Applies when"),
        choices=[
            ("all", _("all the conditions below hold")),
            ("any", _("any of the conditions below holds")),
        ],
        initial="all",
    )

    class Meta:
        model = ApprovalFlow
        fields = [
            "name",
            "name_en",
            "priority",
            "is_active",
            "deadline_hours",
            "remind_hours",
            "escalate",
        ]

    def __init__(self, *args: Any, document: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = document_choices()
        self.fields["document"].choices = choices  # type: ignore[attr-defined]
        flow = self.instance
        if flow.pk:
            self.initial["document"] = f"{flow.content_type_id}:{flow.transition}"
            self.initial["match"] = "any" if "any" in (flow.condition or {}) else "all"
        if document in dict(choices):  # the editor re-drawn for another document (htmx)
            self.initial["document"] = document
        elif not self.initial.get("document") and choices:
            self.initial["document"] = choices[0][0]
        # Another document has other fields: the condition rows are re-drawn for it.
        self.fields["document"].widget.attrs.update(
            {
                "hx-get": "",
                "hx-trigger": "change",
                "hx-target": "#flow-condition",
                "hx-select": "#flow-condition",
                "hx-swap": "outerHTML",
            }
        )
        self.order_fields(["name", "name_en", "document", "match"])
        style_widgets(self)

    def _post_clean(self) -> None:
        # Only copy the values: the flow is validated whole (``full_clean``) by the editor once its
        # steps and condition rows are set — its ``clean()`` checks them together.
        from django.forms.models import construct_instance

        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)

    def document_model(self) -> Any:
        """The model of the chosen ``document`` (as submitted, or as saved); None for a bad value.
        Only a model under approval counts: a crafted content type id names nothing."""
        value = self.data.get("document") if self.is_bound else self.initial.get("document")
        ct_id, _sep, _name = str(value or "").partition(":")
        try:
            model = ContentType.objects.get_for_id(int(ct_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            return None
        return model if model in APPROVABLE else None


class StepForm(forms.Form):
    """One step: who approves, and whether one of them or all of them must."""

    name = forms.CharField(label=_("Step name"), max_length=100, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    # A row left on "—" is no step (the spare row at the end of the list).
    approvers = forms.ChoiceField(
        label=_("Approvers"), choices=[("", "—"), *ApproverKind.choices], required=False
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    users: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Users"), required=False
    )
    mode = forms.ChoiceField(label=_("Decision"), choices=StepMode.choices, initial=StepMode.ANY)

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from guanxi.framework.pickers import use_picker

        self.fields["role"].choices = role_choices()  # type: ignore[attr-defined]
        self.fields["users"].queryset = get_user_model().objects.filter(is_active=True)  # type: ignore[attr-defined]
        use_picker(self.fields["users"], "users.user", actor)
        style_widgets(self)

    def as_step(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("approvers"):
            return None
        step: dict[str, Any] = {
            "name": data.get("name", ""),
            "name_en": data.get("name_en", ""),
            "approvers": data["approvers"],
            "mode": data["mode"],
        }
        if data["approvers"] == ApproverKind.ROLE:
            step["role"] = data.get("role", "")
        if data["approvers"] == ApproverKind.USERS:
            step["users"] = [u.pk for u in data.get("users") or []]
        return step


class ConditionRowForm(forms.Form):
    """One leaf of the flow's condition: field, operator, value."""

    field = forms.ChoiceField(label=_("Field"), required=False)
    op = forms.ChoiceField(label=_("Operator"), choices=CONDITION_OPS, required=False)
    value = forms.CharField(
        label=_("Value"),
        max_length=500,
        required=False,
        help_text=_("Several values separated by commas."),
    )

    def __init__(self, *args: Any, field_choices: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "—"), *(field_choices or [])]  # type: ignore[attr-defined]
        style_widgets(self)

    def as_leaf(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("field"):
            return None
        op = data.get("op") or "eq"
        leaf: dict[str, Any] = {"field": data["field"], "op": op}
        if op in VALUELESS_OPS:
            return leaf
        text = (data.get("value") or "").strip()
        if op in LISTED_OPS:
            leaf["value"] = [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]
        else:
            leaf["value"] = text
        return leaf


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True, max_num=MAX_STEPS, validate_max=True)
ConditionFormSet = forms.formset_factory(ConditionRowForm, extra=2, can_delete=True, max_num=20)


def steps_initial(flow: ApprovalFlow) -> list[dict[str, Any]]:
    rows = []
    for step in flow.steps or []:
        rows.append(
            {
                "name": step.get("name", ""),
                "name_en": step.get("name_en", ""),
                "approvers": step.get("approvers"),
                "role": step.get("role", ""),
                "users": step.get("users", []),
                "mode": step.get("mode", StepMode.ANY),
            }
        )
    return rows or [{"approvers": ApproverKind.MANAGER, "mode": StepMode.ANY}]  # a new flow: the manager


def condition_initial(flow: ApprovalFlow) -> list[dict[str, Any]]:
    """The condition's leaves as rows (a flow edited here has one level: all or any of leaves)."""
    tree = flow.condition or {}
    leaves = tree.get("all", tree.get("any", []))
    rows = []
    for leaf in leaves:
        if not isinstance(leaf, dict) or "field" not in leaf:
            continue
        value = leaf.get("value", "")
        rows.append(
            {
                "field": leaf["field"],
                "op": leaf.get("op", "eq"),
                "value": ", ".join(str(v) for v in value) if isinstance(value, list) else str(value),
            }
        )
    return rows


def is_flat(condition: Any) -> bool:
    """Whether the condition is one group of plain leaves (what the rows editor shows)."""
    if not condition:
        return True
    group = condition.get("all", condition.get("any"))
    return isinstance(group, list) and all(isinstance(leaf, dict) and "field" in leaf for leaf in group)

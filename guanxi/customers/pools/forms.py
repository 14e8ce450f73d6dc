"""Forms of pools and pool rules, and of the pool pages (filter, release, move to pool)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import LazyChoices, active_values
from guanxi.customers.choices import LEVEL_LIST, industry_choices, level_choices
from guanxi.customers.models import Customer, Pool, PoolRule
from guanxi.customers.pools.access import visible_pools
from guanxi.framework.forms import EntityForm, style_widgets


class PoolForm(EntityForm):
    class Meta:
        model = Pool
        fields = [
            "name",
            "description",
            "departments",
            "admins",
            "active",
            "is_default",
            "max_owned_customers",
            "max_claims_per_day",
            "reclaim_cooloff_days",
        ]


class PoolRuleForm(EntityForm):
    levels = forms.MultipleChoiceField(
        label=_("customer levels"),
        choices=level_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked = every level."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "levels" in self.fields:  # active levels, plus deactivated ones this rule already names
            kept = set(self.instance.levels or []) if self.instance.pk else set()
            field = self.fields["levels"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [(v, lbl) for v, lbl in level_choices() if v in active_values(LEVEL_LIST) | kept]

    class Meta:
        model = PoolRule
        fields = [
            "pool",
            "name",
            "levels",
            "no_follow_up_days",
            "no_won_deal_days",
            "warn_days_before",
            "active",
            "departments",
        ]


class PoolFilterForm(forms.Form):
    """The pool page's filters: level, industry, province and "entered the pool since"."""

    level = forms.MultipleChoiceField(
        label=gettext_lazy("level"),
        choices=level_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    industry = forms.ChoiceField(
        label=gettext_lazy("industry"),
        choices=LazyChoices(lambda: [("", "—"), *industry_choices()]),
        required=False,
    )
    province = forms.CharField(label=gettext_lazy("province"), required=False, max_length=50)
    entered_after = forms.DateField(
        label=gettext_lazy("in the pool since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def apply(self, qs: Any) -> Any:
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("level"):
            qs = qs.filter(level__in=data["level"])
        if data.get("industry"):
            qs = qs.filter(industry=data["industry"])
        if data.get("province"):
            qs = qs.filter(province__icontains=data["province"])
        if data.get("entered_after"):
            start = dt.datetime.combine(
                data["entered_after"], dt.time(), tzinfo=timezone.get_current_timezone()
            )
            qs = qs.filter(pool_entered_at__gte=start)
        return qs


class ReleaseForm(forms.Form):
    pool = forms.ModelChoiceField(queryset=Pool.objects.none(), label=gettext_lazy("pool"))
    reason = forms.CharField(
        label=gettext_lazy("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pool"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = visible_pools(user)
        style_widgets(self)


class MoveToPoolForm(ReleaseForm):
    pk = forms.ModelMultipleChoiceField(queryset=Customer.objects.none(), widget=forms.MultipleHiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["pk"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Customer.objects.restrict(user, "assign").filter(owner__isnull=False)


class PoolAssignForm(forms.Form):
    """A pool administrator hands the selected customers to a colleague: the owner picker of
    customers (the people whose customers stay within the administrator's sight)."""

    to_user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Assign to"), required=True
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from guanxi.framework.pickers import use_picker

        use_picker(self.fields["to_user"], "customers.customer.owner", actor)
        self.fields["to_user"].widget.attrs["id"] = "assign-to"
        style_widgets(self)

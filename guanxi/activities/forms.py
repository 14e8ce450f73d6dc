"""Forms of follow-ups and tasks: the generic edit pages and the 360° page's quick forms.

Creating through a form runs the same services as the API (``log_follow_up``, ``create_task``),
so the last-contacted bumps, the follow-up task and the notifications happen whatever the entry
point. Service errors come back as field errors on the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.activities import services
from guanxi.activities.choices import FollowUpKind, Outcome, Priority
from guanxi.activities.models import FollowUp, Task
from guanxi.framework.forms import EntityForm, add_validation_errors, style_widgets

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def colleagues() -> Any:
    """Who can be mentioned or assigned: active users, by name."""
    return get_user_model().objects.filter(is_active=True).order_by("name", "username")


class FollowUpForm(EntityForm):
    """The follow-up's own page. A new one is logged on a customer chosen here (the 360° page
    logs on any followable record with ``QuickFollowUpForm``)."""

    customer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, label=_("customer"))

    class Meta:
        model = FollowUp
        fields = [
            "kind",
            "occurred_at",
            "content",
            "outcome",
            "next_step",
            "next_follow_up_at",
            "place",
            "mentions",
        ]
        widgets = {
            "occurred_at": datetime_input(),
            "next_follow_up_at": datetime_input(),
            "content": forms.Textarea(attrs={"rows": 4}),
            "next_step": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        from guanxi.customers.models import Customer

        if self.instance.pk:
            del self.fields["customer"]
            # The task of "next follow-up" was created when it was logged; edit the task instead.
            self.fields.pop("next_follow_up_at", None)
        else:
            self.fields["occurred_at"].required = False  # empty: now
            field = self.fields["customer"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Customer.objects.restrict(user, "view")
        if "mentions" in self.fields:
            mentions = self.fields["mentions"]
            assert isinstance(mentions, forms.ModelMultipleChoiceField)
            mentions.queryset = colleagues()
            mentions.widget.attrs["size"] = 6

    def save(self, commit: bool = True) -> Any:
        if self.instance.pk or not commit:
            return super().save(commit=commit)
        data = self.cleaned_data
        return services.log_follow_up(
            actor=self.user,
            target=data["customer"],
            kind=data["kind"],
            content=data["content"],
            occurred_at=data.get("occurred_at"),
            outcome=data.get("outcome") or "",
            next_step=data.get("next_step") or "",
            place=data.get("place") or "",
            mentions=list(data.get("mentions") or []),
            next_follow_up_at=data.get("next_follow_up_at"),
        )


class TaskForm(EntityForm):
    """A task's own page; the owner is the assignee. A new due time re-arms the reminder."""

    class Meta:
        model = Task
        fields = ["title", "due_at", "priority", "description", "remind_at", "owner"]
        widgets = {
            "due_at": datetime_input(),
            "remind_at": datetime_input(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"owner": _("assignee")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        if "owner" in self.fields:
            owner = self.fields["owner"]
            assert isinstance(owner, forms.ModelChoiceField)
            owner.queryset = colleagues()
            owner.help_text = _("Empty: you.")
            if not self.instance.pk:
                self.fields["remind_at"].help_text = _("Empty: 15 minutes before it is due.")

    def save(self, commit: bool = True) -> Any:
        if not commit:
            return super().save(commit=commit)
        data = self.cleaned_data
        if self.instance.pk:
            return super().save(commit=commit)  # Task.before_write re-arms the reminder
        return services.create_task(
            actor=self.user,
            title=data["title"],
            due_at=data.get("due_at"),
            priority=data.get("priority") or Priority.NORMAL,
            description=data.get("description") or "",
            assignee=data.get("owner") or self.user,
            remind_at=data["remind_at"] if data.get("remind_at") else services.UNSET,
        )


class QuickFollowUpForm(forms.Form):
    """The 360° page's "log a follow-up" form: kind chips, content, outcome, next follow-up,
    place (visits), mentions, and the customer when the record belongs to several."""

    kind = forms.ChoiceField(
        choices=FollowUpKind.choices, initial=FollowUpKind.CALL, widget=forms.RadioSelect, label=_("kind")
    )
    content = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("content"))
    outcome = forms.ChoiceField(choices=[("", "—"), *Outcome.choices], required=False, label=_("outcome"))
    next_step = forms.CharField(required=False, max_length=500, label=_("next step"))
    next_follow_up_at = forms.DateTimeField(
        required=False, widget=datetime_input(), label=_("next follow-up")
    )
    place = forms.CharField(required=False, max_length=200, label=_("place"))
    mentions: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("mention colleagues")
    )
    customer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("customer")
    )

    def __init__(self, *args: Any, target: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from guanxi.activities.registry import followable
        from guanxi.customers.models import Customer

        self.target, self.user = target, user
        mentions = self.fields["mentions"]
        assert isinstance(mentions, forms.ModelMultipleChoiceField)
        mentions.queryset = colleagues().exclude(pk=user.pk)
        entry = followable(target)
        candidates = (
            list(entry.customers_of(target)) if entry is not None and not isinstance(target, Customer) else []
        )
        customer = self.fields["customer"]
        assert isinstance(customer, forms.ModelChoiceField)
        if len(candidates) > 1:
            customer.queryset = Customer.objects.filter(pk__in=[c.pk for c in candidates])
            customer.initial = candidates[0].pk
        else:
            del self.fields["customer"]
        style_widgets(self)
        self.fields["content"].widget.attrs["placeholder"] = _("What was discussed?")

    def save(self) -> FollowUp | None:
        """Log it through the service; None (with errors on the form) when refused."""
        data = self.cleaned_data
        try:
            return services.log_follow_up(
                actor=self.user,
                target=self.target,
                kind=data["kind"],
                content=data["content"],
                outcome=data.get("outcome") or "",
                next_step=data.get("next_step") or "",
                place=data.get("place") or "",
                mentions=list(data.get("mentions") or []),
                next_follow_up_at=data.get("next_follow_up_at"),
                customer=data.get("customer"),
            )
        except ValidationError as exc:
            add_validation_errors(self, exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        return None


class QuickTaskForm(forms.Form):
    """The 360° page's "add a task" form: title, due time, priority, assignee."""

    title = forms.CharField(max_length=200, label=_("title"))
    due_at = forms.DateTimeField(required=False, widget=datetime_input(), label=_("due"))
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL, label=_("priority"))
    assignee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, required=False, label=_("assignee"), empty_label=_("Me")
    )

    def __init__(self, *args: Any, target: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target, self.user = target, user
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = colleagues().exclude(pk=user.pk)
        style_widgets(self)

    def save(self) -> Task | None:
        data = self.cleaned_data
        try:
            return services.create_task(
                actor=self.user,
                title=data["title"],
                due_at=data.get("due_at"),
                priority=data.get("priority") or Priority.NORMAL,
                target=self.target,
                assignee=data.get("assignee"),
            )
        except ValidationError as exc:
            add_validation_errors(self, exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        return None

"""Forms of leads: edit, convert, assign, disqualify, import; web forms and assignment rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.leads.models.capture import CAPTURE_FIELDS, CONTACT_FIELDS
from guanxi.customers.models import AssignmentRule, Customer, Lead, LeadCaptureForm
from guanxi.framework.forms import EntityForm, style_widgets
from guanxi.framework.pickers import use_picker


class LeadForm(EntityForm):
    """A lead; "Create anyway" confirms a new lead that matches existing records."""

    confirm_duplicate = forms.BooleanField(required=False, label=gettext_lazy("Create anyway"))

    class Meta:
        model = Lead
        fields = [
            "name", "company", "title", "phone", "email", "wechat_id", "province", "city", "source",
            "status", "disqualify_reason", "notes", "utm_source", "utm_medium", "utm_campaign", "owner",
        ]  # fmt: skip

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        # The status (and the reason of a disqualification) move through the lead's transitions:
        # the generic form offers the open statuses to a new lead and shows them read-only after.
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            del self.fields["confirm_duplicate"]

    def save(self, commit: bool = True) -> Any:
        # A lead typed in on the page is its typist's; one sent through the API or imported
        # without an owner waits for the assignment rules (Lead.owner_defaults_to_writer).
        if self.instance.pk is None and not self.cleaned_data.get("owner") and self.user is not None:
            self.instance.owner = self.user
        return super().save(commit=commit)


# --- conversion ------------------------------------------------------------------------------------
class ConvertCustomerForm(forms.ModelForm):
    """The new customer's fields, validated as the customer form validates them."""

    class Meta:
        model = Customer
        fields = ["kind", "name", "credit_code", "industry", "province", "city", "phone", "email", "source"]


class ConvertChoiceForm(forms.Form):
    MODES = (("new", gettext_lazy("New customer")), ("existing", gettext_lazy("Existing customer")))

    mode = forms.ChoiceField(
        choices=MODES, initial="new", widget=forms.RadioSelect, label=gettext_lazy("Convert into")
    )
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, label=gettext_lazy("Customer")
    )
    create_contact = forms.BooleanField(
        required=False, initial=True, label=gettext_lazy("Add the person as a contact")
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only customers the user may change can get the lead's contact.
        use_picker(self.fields["customer"], "customers.customer:change", user)
        # What other modules offer to create with the customer (a deal).
        from guanxi.customers.leads.services.leads import conversion_extras

        self.extra_names: list[str] = []
        for extra in conversion_extras():
            for name, extra_field in extra.fields(user).items():
                self.fields[name] = extra_field
                self.extra_names.append(name)

    def extra_fields(self) -> list[Any]:
        return [self[name] for name in self.extra_names]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == "existing" and not cleaned.get("customer"):
            self.add_error("customer", _("Choose the customer."))
        return cleaned


# --- the lead pool -----------------------------------------------------------------------------------
class AssignForm(forms.Form):
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Assign to")
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_picker(self.fields["owner"], "customers.lead.assignees", user)
        style_widgets(self)


class DisqualifyForm(forms.Form):
    reason = forms.CharField(max_length=200, label=gettext_lazy("Disqualification reason"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def _field_choices() -> list[tuple[str, Any]]:
    return [(name, getattr(Lead._meta.get_field(name), "verbose_name", name)) for name in CAPTURE_FIELDS]


class LeadCaptureFormForm(EntityForm):
    """The form's settings; which fields it shows and requires are two sets of checkboxes."""

    show_fields = forms.MultipleChoiceField(
        choices=_field_choices, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Fields shown")
    )
    required_fields = forms.MultipleChoiceField(
        choices=_field_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("Required fields"),
    )
    default_source = forms.ChoiceField(
        choices=Lead.Source.choices, initial=Lead.Source.WEB_FORM, label=gettext_lazy("source")
    )

    class Meta:
        model = LeadCaptureForm
        fields = [
            "name", "active", "title", "default_source", "assignment_rule", "owner", "department",
            "thank_you_text", "redirect_url", "allowed_origins",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        specs = self.instance.field_specs() if self.instance.fields else []
        self.initial.setdefault("show_fields", [n for n, _r in specs])
        self.initial.setdefault("required_fields", [n for n, r in specs if r])
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = owner.queryset.filter(is_active=True)  # type: ignore[union-attr]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        shown = list(cleaned.get("show_fields") or [])
        if "name" not in shown:
            shown.insert(0, "name")
        required = set(cleaned.get("required_fields") or []) | {"name"}
        if not set(shown) & set(CONTACT_FIELDS):
            self.add_error(
                "show_fields", _("A web form must ask for a phone number, an email or a WeChat ID.")
            )
        order = [name for name in CAPTURE_FIELDS if name in shown]
        self.instance.fields = [{"name": name, "required": name in required} for name in order]
        return cleaned


class AssignmentRuleForm(EntityForm):
    """Conditions as checkboxes (sources) and a comma-separated list (provinces)."""

    source_choices = forms.MultipleChoiceField(
        choices=Lead.Source.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=gettext_lazy("sources"),
        help_text=gettext_lazy("None ticked: any source."),
    )
    province_list = forms.CharField(
        required=False,
        label=gettext_lazy("provinces"),
        help_text=gettext_lazy("Separated by commas, e.g. 上海市, 江苏省. Empty: any province."),
    )

    class Meta:
        model = AssignmentRule
        fields = ["name", "priority", "active", "method", "members", "department", "max_open_leads"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("source_choices", list(self.instance.sources or []))
        self.initial.setdefault("province_list", ", ".join(self.instance.provinces or []))
        members = self.fields["members"]
        assert isinstance(members, forms.ModelMultipleChoiceField)
        members.queryset = members.queryset.filter(is_active=True)  # type: ignore[union-attr]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.instance.sources = list(cleaned.get("source_choices") or [])
        text = (cleaned.get("province_list") or "").replace("，", ",").replace("、", ",")
        self.instance.provinces = [p.strip() for p in text.split(",") if p.strip()]
        if not cleaned.get("members") and not cleaned.get("department"):
            self.add_error("members", _("Choose the reps: members, or a department whose users take turns."))
        return cleaned


class LeadImportForm(forms.Form):
    CHOICES = (
        ("me", gettext_lazy("Assign them to me")),
        ("rules", gettext_lazy("Use the assignment rules (the rest wait in my department's pool)")),
    )

    file = forms.FileField(label=gettext_lazy("CSV or Excel file"))
    assign = forms.ChoiceField(
        choices=CHOICES, initial="me", widget=forms.RadioSelect, label=gettext_lazy("Owner")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["assign"].widget.attrs["class"] = "checkbox-list"

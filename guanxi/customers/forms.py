"""Form pieces of the customer pages: cascading region selects, the 撞单 check, contact links."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import transaction
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from guanxi.core.choices import LazyChoices, active_choices
from guanxi.customers import regions
from guanxi.customers.choices import CONTACT_ROLE_LIST
from guanxi.customers.models import Contact, Customer, CustomerContact
from guanxi.framework.forms import EntityForm, style_widgets
from guanxi.framework.pickers import use_picker

REGION_FIELDS = ["region_province", "region_city", "region_district"]
REGIONS_URL = reverse_lazy("customers:regions")


def _options(parent: str | None) -> list[tuple[str, str]]:
    return [("", "—"), *((r.code, r.name) for r in regions.children_of(parent))]


class RegionFieldsMixin(forms.ModelForm):
    """Province → city → district selects that set the model's ``region_code``.

    With JavaScript each select reloads the next one's options (HTMX, ``/customers/regions/``);
    without, the page posts back and the next level's options follow the chosen one. The most
    specific level chosen is the code; the model derives the names from it on save.
    """

    region_province = forms.ChoiceField(label=_("province"), required=False)
    region_city = forms.ChoiceField(label=_("city"), required=False)
    region_district = forms.ChoiceField(label=_("district"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = {r.level: r.code for r in regions.lineage(self.instance.region_code or "")}
        if self.is_bound:
            chosen = {
                "province": self.data.get("region_province", ""),
                "city": self.data.get("region_city", ""),
            }
        else:
            self.initial.update(
                {
                    f"region_{level}": code
                    for level, code in chosen.items()
                    if level in ("province", "city", "district")
                }
            )
        fields = self.fields
        cast(forms.ChoiceField, fields["region_province"]).choices = _options(None)
        province, city = chosen.get("province") or "", chosen.get("city") or ""
        cast(forms.ChoiceField, fields["region_city"]).choices = (
            _options(province) if province else [("", "—")]
        )
        cast(forms.ChoiceField, fields["region_district"]).choices = _options(city) if city else [("", "—")]
        for name, target in (("region_province", "region_city"), ("region_city", "region_district")):
            fields[name].widget.attrs.update(
                {
                    "hx-get": str(REGIONS_URL),
                    "hx-target": f"#id_{target}",
                    "hx-trigger": "change",
                    "hx-swap": "innerHTML",
                }
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        province = cleaned.get("region_province") or ""
        city = cleaned.get("region_city") or ""
        district = cleaned.get("region_district") or ""
        for child, parent, name in ((city, province, "region_city"), (district, city, "region_district")):
            node = regions.get(child) if child else None
            if child and (node is None or node.parent != parent):
                self.add_error(name, _("Choose a region inside the one chosen above."))
                return cleaned
        had_code = bool(self.instance.region_code)
        self.instance.region_code = district or city or province
        if had_code and not self.instance.region_code:  # the region was cleared: its names go too
            self.instance.province = self.instance.city = self.instance.district = ""
        # (a row from before region codes keeps its free-text names until a region is chosen)
        return cleaned


class ConflictCheckMixin(EntityForm):
    """Runs the 撞单 check once the model is valid; policy ``warn`` adds a "create anyway" box."""

    user: Any

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        if self.is_bound and "confirm_conflict" in self.data:
            self._add_confirm_field()

    def _add_confirm_field(self) -> None:
        self.fields["confirm_conflict"] = forms.BooleanField(
            required=False,
            label=_("Save anyway: I know a colleague owns a matching customer"),
        )
        style_widgets(self)

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # ModelForm's model validation (not in the stubs)
        if self.errors:
            return
        from guanxi.customers.services.conflicts import WARN, OwnershipConflict, conflict_policy
        from guanxi.customers.services.customers import customer_conflicts

        policy = conflict_policy()
        try:
            customer_conflicts(
                actor=self.user,
                customer=self.instance,
                confirmed=bool(self.cleaned_data.get("confirm_conflict")),
            )
        except OwnershipConflict as conflict:
            from guanxi.customers.services.team_requests import conflict_ways

            if policy == WARN and "confirm_conflict" not in self.fields:
                self._add_confirm_field()
            self.add_error(None, conflict.messages[0])
            # The way forward under the refusal (open it, ask to join its team): generic/edit.html
            self.refusal_template = "customers/conflict_ways.html"
            self.conflict_ways = conflict_ways(conflict.matches, self.user)


def _active_roles() -> list[tuple[str, str]]:
    """The contact roles offered (configured list), in the reader's language at each render."""
    return active_choices(CONTACT_ROLE_LIST)


class ContactLinkForm(forms.Form):
    """A link's role and primary flag (the Contacts card's inline edit). A plain form: making a
    link primary is allowed while another one still is — the service moves the flag."""

    role = forms.ChoiceField(choices=LazyChoices(_active_roles), label=_("Role"))
    is_primary = forms.BooleanField(required=False, label=_("primary contact"))

    def __init__(self, *args: Any, link: Any = None, **kwargs: Any) -> None:
        if link is not None:
            kwargs.setdefault("initial", {"role": link.role, "is_primary": link.is_primary})
        super().__init__(*args, **kwargs)
        if link is not None:  # a deactivated role stays on the links that have it
            role = self.fields["role"]
            assert isinstance(role, forms.ChoiceField)
            role.choices = active_choices(CONTACT_ROLE_LIST, keep=link.role)
        style_widgets(self)


class LinkExistingContactForm(forms.Form):
    """Link a contact that already exists (one the user may view) to this customer."""

    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label=_("Contact"))
    role = forms.ChoiceField(
        choices=LazyChoices(_active_roles), initial=CustomerContact.Role.OTHER, label=_("Role")
    )
    is_primary = forms.BooleanField(required=False, label=_("primary contact"))

    def __init__(self, *args: Any, user: Any, customer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A search as you type: an administrator's select listed every contact (thousands) on
        # each 360° page. Linked contacts are offered too, and refused with the service's message.
        use_picker(self.fields["contact"], "customers.contact", user)
        style_widgets(self)


class CustomerForm(RegionFieldsMixin, ConflictCheckMixin, EntityForm):
    """A customer: the region as three cascading selects, and the 撞单 check on save."""

    # Column headers of files written before 等级 became the one word for "level".
    import_aliases = {"level": ("级别", "客户级别")}

    class Meta:
        model = Customer
        fields = [
            "kind", "name", "short_name", "credit_code", "industry", "scale", "website",
            "address", "phone", "email", "source", "level", "stage", "status",
            "gender", "birthday", "id_number", "wechat_id", "notes", "owner",
        ]  # fmt: skip
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.order_fields([*self.Meta.fields[:7], *REGION_FIELDS])


class ContactForm(EntityForm):
    """A contact; on creation it can be linked to one customer with a role (``?customer=<id>``)."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), required=False, label=_("customer"))
    role = forms.ChoiceField(
        choices=LazyChoices(_active_roles),
        initial=CustomerContact.Role.OTHER,
        required=False,
        label=_("role"),
    )
    is_primary = forms.BooleanField(required=False, label=_("primary contact"))

    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "mobile", "email", "wechat_id", "birthday", "owner"]
        widgets = {"birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:  # links of an existing contact are managed from its customers
            for name in ("customer", "role", "is_primary"):
                del self.fields[name]
        else:
            # Only customers the user may change can get a new contact.
            use_picker(self.fields["customer"], "customers.customer:change", user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        customer = cleaned.get("customer")
        primary_taken = (
            customer is not None
            and cleaned.get("is_primary")
            and CustomerContact.objects.filter(customer=customer, is_primary=True).exists()
        )
        if primary_taken:
            self.add_error("is_primary", _("This customer already has a primary contact."))
        return cleaned

    def save(self, commit: bool = True) -> Any:
        with transaction.atomic():
            contact = super().save(commit=commit)
            customer = self.cleaned_data.get("customer")
            if commit and customer is not None:
                CustomerContact.objects.create(
                    customer=customer,
                    contact=contact,
                    role=self.cleaned_data.get("role") or CustomerContact.Role.OTHER,
                    is_primary=bool(self.cleaned_data.get("is_primary")),
                )
        return contact

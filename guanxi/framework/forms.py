"""Form bases: model forms that grow custom-field inputs and a tags picker by themselves."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.customfields import fields_for, form_field, to_form_initial
from guanxi.framework.models import CustomFieldsMixin, OwnerMixin, TagsMixin

VERSION_FIELD = "_version"  # hidden input of edit forms: the version of the row being edited

INPUT_CLASSES = {
    forms.Textarea: "textarea",
    forms.Select: "select",
    forms.SelectMultiple: "select",
    forms.CheckboxInput: "checkbox",
    forms.CheckboxSelectMultiple: "checkbox-list",
}


def style_widgets(form: forms.BaseForm) -> None:
    """Give every widget the design system's class (``input``, ``select``…)."""
    for field in form.fields.values():
        widget = field.widget
        css = next((c for kind, c in INPUT_CLASSES.items() if isinstance(widget, kind)), "input")
        existing = widget.attrs.get("class", "")
        widget.attrs["class"] = f"{existing} {css}".strip()


def _to_json(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, dict):  # a money value, already {"amount": …, "currency": …}
        return value
    if value is not None and not isinstance(value, bool | int | str):
        return str(value)
    return value


class EntityForm(forms.ModelForm):
    """ModelForm base for every entity.

    Adds one ``cf_<name>`` input per custom field (grouped after the model fields) and, for
    taggable models, a ``tags`` picker. ``clean()`` folds the inputs back into
    ``custom_field_data``; the model's ``clean()`` then validates them, and its errors land on the
    matching ``cf_<name>`` inputs. Tags are applied after the row is saved, and logged.
    """

    tags: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Tags")
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        model = self._meta.model
        if self.instance.pk and hasattr(self.instance, "updated_at"):
            from guanxi.framework.write import version_of

            # The version the user edits: saving over a newer one is refused (write.StaleWrite).
            self.fields[VERSION_FIELD] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=version_of(self.instance)
            )
        if issubclass(model, TagsMixin):
            from guanxi.core.models import Tag

            cast(forms.ModelChoiceField, self.fields["tags"]).queryset = Tag.objects.all()
            self.fields["tags"].widget.attrs["size"] = 6
            if self.instance.pk:
                self.initial["tags"] = [item.tag_id for item in self.instance.tagged_items.all()]
        else:
            del self.fields["tags"]
        self.custom_fields = fields_for(model) if issubclass(model, CustomFieldsMixin) else []
        data = (self.instance.custom_field_data or {}) if self.custom_fields else {}
        for cf in self.custom_fields:
            name = f"cf_{cf.name}"
            self.fields[name] = form_field(cf)
            if self.instance.pk:
                self.initial[name] = to_form_initial(cf, data.get(cf.name))
            elif cf.default is not None:
                self.initial[name] = to_form_initial(cf, cf.default)
        if issubclass(model, OwnerMixin) and "owner" in self.fields and not self.instance.pk:
            self.fields["owner"].required = False
        from guanxi.core.choices import choice_list_fields, offer_active

        # configurable lists: active options, plus the edited row's own (perhaps deactivated) one
        offer_active(self, choice_list_fields(model))
        from guanxi.framework.statemachine import protect_form

        protect_form(self)  # states change through transitions, not through the form
        self.apply_field_rules(user)
        style_widgets(self)

    def apply_field_rules(self, user: Any) -> None:
        """Hidden fields go; masked ones go too but are listed (masked) for display; read-only
        ones are disabled, so Django keeps their stored value whatever is posted."""
        from guanxi.framework.fieldaccess import HIDDEN, MASKED, masked_value, rules_for

        self.masked_fields: list[tuple[str, str]] = []
        model = self._meta.model
        for name, rule in rules_for(user, model).items():
            if name not in self.fields:
                continue
            if rule == HIDDEN:
                del self.fields[name]
            elif rule == MASKED:
                field = self.fields.pop(name)
                value = (
                    (self.instance.custom_field_data or {}).get(name[3:])
                    if name.startswith("cf_")
                    else getattr(self.instance, name, None)
                )
                if self.instance.pk and value not in (None, ""):
                    self.masked_fields.append((str(field.label), masked_value(model, name, value)))
            else:
                self.fields[name].disabled = True

    @property
    def custom_field_names(self) -> list[str]:
        return [f"cf_{cf.name}" for cf in self.custom_fields]

    def model_field_names(self) -> list[str]:
        return [
            name
            for name in self.fields
            if name not in self.custom_field_names and name not in ("tags", VERSION_FIELD)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean() returns cleaned_data
        if self.custom_fields:
            data = dict(self.instance.custom_field_data or {})
            for cf in self.custom_fields:
                key = f"cf_{cf.name}"
                if key in cleaned:
                    value = _to_json(cleaned[key])
                    if value in (None, "", []):
                        data.pop(cf.name, None)
                    else:
                        data[cf.name] = value
            self.instance.custom_field_data = data
        return cleaned

    def save(self, commit: bool = True) -> Any:
        """Save through the write path (``guanxi.framework.write.save_object``): owner defaults,
        write guards, only the changed fields, the version check and the tags in one transaction.

        The caller checks that the row stays visible to its writer (``write.ensure_visible``)
        once everything it saves with the form is in place; ``write.StaleWrite`` and
        ``ValidationError`` (a rule of the write path) propagate to it."""
        instance = super().save(commit=False)
        if not commit:
            return instance
        from guanxi.framework.write import save_object

        tags = list(self.cleaned_data.get("tags") or []) if "tags" in self.fields else None
        save_object(
            instance,
            actor=self.user,
            expected_version=self.cleaned_data.get(VERSION_FIELD) or None,
            check_visible=False,
            tags=tags,
        )
        self._save_m2m()  # type: ignore[attr-defined]  # ModelForm's own (django-stubs omit it)
        return instance


class BulkEditForm(forms.Form):
    """Set one or more fields on many rows at once; blank inputs leave values unchanged."""

    pk: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.MultipleHiddenInput
    )

    def __init__(
        self,
        model: type[models.Model],
        fields: list[str],
        *args: Any,
        queryset: Any,
        user: Any = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.model = model
        cast(forms.ModelChoiceField, self.fields["pk"]).queryset = queryset
        from guanxi.framework.fieldaccess import rules_for
        from guanxi.framework.statemachine import bulk_editable

        # A field under any rule (hidden, masked, read-only) is not offered: the user may not
        # change it, and a unique or range check on it would tell its stored values. Nor is a
        # state: those move through transitions.
        restricted = set(rules_for(user, model))
        fields = [name for name in bulk_editable(model, fields) if name not in restricted]
        for name in fields:
            model_field = model._meta.get_field(name)
            assert isinstance(model_field, models.Field)  # bulk_edit_fields names the model's own fields
            field = model_field.formfield()
            if field is not None:
                field.required = False
                self.fields[name] = field
        if issubclass(model, TagsMixin):
            from guanxi.core.models import Tag

            self.fields["add_tags"] = forms.ModelMultipleChoiceField(
                Tag.objects.all(), required=False, label=_("Add tags")
            )
            self.fields["remove_tags"] = forms.ModelMultipleChoiceField(
                Tag.objects.all(), required=False, label=_("Remove tags")
            )
        self.custom_fields = list(fields_for(model)) if issubclass(model, CustomFieldsMixin) else []
        self.custom_fields = [cf for cf in self.custom_fields if f"cf_{cf.name}" not in restricted]
        for cf in self.custom_fields:
            field = form_field(cf)
            field.required = False
            self.fields[f"cf_{cf.name}"] = field
        style_widgets(self)


def add_validation_errors(form: Any, error: ValidationError) -> None:
    """A model, service or write-path ValidationError on ``form``: each message at its field when
    the form shows that field, else on the form as a whole (a plain ValidationError too)."""
    if not hasattr(error, "error_dict"):
        for text in error.messages:
            form.add_error(None, text)
        return
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)

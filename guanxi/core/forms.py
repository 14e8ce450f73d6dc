"""Forms of the platform entities."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from guanxi.core.models import CustomField, ExchangeRate, Tag
from guanxi.framework.customfields import custom_field_models
from guanxi.framework.forms import EntityForm, style_widgets


class TagForm(EntityForm):
    slug = forms.SlugField(
        label=_("Slug"),
        required=False,
        allow_unicode=False,
        help_text=_("Left empty, it is made from the name (pinyin for Chinese)."),
    )

    class Meta:
        model = Tag
        fields = ["name", "slug", "color", "description"]

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(" ".join(lazy_pinyin(self.data.get("name", ""))))
        if not slug:
            raise forms.ValidationError(_("Enter a slug."))
        return slug


def entity_type_choices() -> Any:
    cts = ContentType.objects.get_for_models(*custom_field_models())
    return ContentType.objects.filter(pk__in=[ct.pk for ct in cts.values()]).order_by("app_label", "model")


class ContentTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ContentType) -> str:
        model = obj.model_class()
        return str(model._meta.verbose_name).capitalize() if model else obj.model


class CustomFieldForm(EntityForm):
    """Define a custom field. Choices are typed one per line: ``value | 中文 | English``."""

    content_type = ContentTypeChoiceField(queryset=ContentType.objects.none(), label=_("Entity type"))
    related_object_type = ContentTypeChoiceField(
        queryset=ContentType.objects.none(), required=False, label=_("Referenced entity type")
    )
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice fields: one per line as “value | Chinese label | English label”."),
    )

    class Meta:
        model = CustomField
        fields = [
            "content_type",
            "name",
            "label",
            "label_en",
            "type",
            "required",
            "choices_text",
            "related_object_type",
            "help_text",
            "validation_min",
            "validation_max",
            "validation_regex",
            "group_name",
            "weight",
            "filterable",
            "searchable",
            "show_in_table",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["content_type"]).queryset = entity_type_choices()
        related_type = cast(forms.ModelChoiceField, self.fields["related_object_type"])
        related_type.queryset = ContentType.objects.filter(
            app_label__in=["users", "core", "customers", "sales"]
        ).order_by("app_label", "model")
        if self.instance.pk:
            self.fields["content_type"].disabled = True
            self.fields["name"].disabled = True
            self.fields["type"].disabled = True
            self.initial["choices_text"] = "\n".join(
                " | ".join([c["value"], c.get("label", ""), c.get("label_en", "")]).rstrip(" |")
                for c in self.instance.choices or []
            )
        style_widgets(self)

    def clean_choices_text(self) -> list[dict[str, str]]:
        choices, seen = [], set()
        for line in (self.cleaned_data.get("choices_text") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            if parts[0] in seen:
                raise forms.ValidationError(_("The value “%(value)s” appears twice.") % {"value": parts[0]})
            seen.add(parts[0])
            choices.append(
                {
                    "value": parts[0],
                    "label": parts[1] if len(parts) > 1 and parts[1] else parts[0],
                    "label_en": parts[2] if len(parts) > 2 else "",
                }
            )
        return choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # lines left in the box when the type is not a choice type are not the field's choices
        is_choice = cleaned.get("type", self.instance.type) in ("select", "multiselect")
        self.instance.choices = (cleaned.get("choices_text") or []) if is_choice else []
        return cleaned

    def _update_errors(self, errors: ValidationError) -> None:
        """The definition's checks (``CustomField.clean``) name model fields; ``choices`` is
        typed in ``choices_text`` here, and ``default`` has no input, so it shows above the form."""
        if hasattr(errors, "error_dict"):
            renamed: dict[str, Any] = {}
            for key, messages in errors.error_dict.items():
                target = "choices_text" if key == "choices" else key
                target = target if target in self.fields or target == NON_FIELD_ERRORS else NON_FIELD_ERRORS
                renamed.setdefault(target, []).extend(messages)
            errors = ValidationError(renamed)
        super()._update_errors(errors)  # type: ignore[misc]  # ModelForm internal, missing from the stubs


class ExchangeRateForm(EntityForm):
    class Meta:
        model = ExchangeRate
        fields = ["currency", "rate", "valid_from", "note"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}

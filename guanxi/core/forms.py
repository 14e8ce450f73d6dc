"""Forms of the platform entities."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from guanxi.core.models import CustomField, ExchangeRate, Tag
from guanxi.framework.customfield_checks import CHOICE_TYPES, NUMERIC_TYPES
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


def key_from_label(label: str, label_en: str = "") -> str:
    """A custom field's key made from its labels: the English label as a slug
    (``Customer level`` → ``customer_level``), else the Chinese label in pinyin
    (``客户等级`` → ``ke_hu_deng_ji``); ``field`` when neither gives letters."""
    for text in (label_en, " ".join(lazy_pinyin(label or ""))):
        key = re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")
        key = re.sub(r"^[0-9_]+", "", key)[:50].rstrip("_")
        if key:
            return key
    return "field"


class CustomFieldForm(EntityForm):
    """Define a custom field. Choices are typed one per line: ``value | 中文 | English``.

    Options that only some types have (choices, referenced type, bounds, pattern) say so in
    ``TYPE_OPTIONS``: the page shows them for those types only (``js/customfield-form.js``) and
    values left in the others are dropped on save. A key left empty is made from the labels.
    """

    TYPE_OPTIONS = {
        "choices_text": CHOICE_TYPES,
        "related_object_type": ("object",),
        "validation_min": NUMERIC_TYPES,
        "validation_max": NUMERIC_TYPES,
        "validation_regex": ("text", "longtext"),
    }

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
        self.fields["label"].label = _("Chinese label")
        self.fields["label"].help_text = _("Shown in the Chinese interface.")
        self.fields["label_en"].label = _("English label")
        self.fields["label_en"].help_text = _(
            "Shown in the English interface; empty = the Chinese label is shown there too."
        )
        self.fields["label"].widget.attrs.update(lang="zh-Hans", placeholder=_("e.g. 客户等级"))
        self.fields["label_en"].widget.attrs.update(lang="en", placeholder=_("e.g. Customer level"))
        if not self.instance.pk:
            self.fields["name"].required = False
            self.fields["name"].help_text = _(
                "Used in the API and in filters; cannot change once data exists. "
                "Left empty, it is made from the English label, or the Chinese label in pinyin."
            )
        for name, types in self.TYPE_OPTIONS.items():
            self.fields[name].widget.attrs["data-for-types"] = " ".join(types)
        self.fields["type"].widget.attrs["data-field-type"] = ""
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

    def clean_name(self) -> str:
        name = self.cleaned_data.get("name") or ""
        if name or self.instance.pk:
            return name
        base = key_from_label(
            self.data.get(self.add_prefix("label"), ""), self.data.get(self.add_prefix("label_en"), "")
        )
        content_type = self.cleaned_data.get("content_type") or self.data.get("content_type")
        taken = set(CustomField.objects.filter(content_type=content_type).values_list("name", flat=True))
        name, n = base, 2
        while name in taken:  # a second "客户等级" on the same type: ke_hu_deng_ji_2
            name, n = f"{base[:46]}_{n}", n + 1
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        field_type = cleaned.get("type", self.instance.type)
        # options of another type were hidden on the page: what is left in them is not this field's
        for name, types in self.TYPE_OPTIONS.items():
            if field_type not in types and name != "choices_text":
                cleaned[name] = None if name != "validation_regex" else ""
        is_choice = field_type in CHOICE_TYPES
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

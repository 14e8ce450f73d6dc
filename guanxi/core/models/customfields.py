from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.framework.i18n import english_active, localized
from guanxi.framework.models import ChangeLoggedModel


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONGTEXT = "longtext", _("Long text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    BOOLEAN = "boolean", _("Yes / no")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    URL = "url", _("URL")
    SELECT = "select", _("Single choice")
    MULTISELECT = "multiselect", _("Multiple choice")
    MONEY = "money", _("Money")
    OBJECT = "object", _("Reference to a record")


class CustomField(ChangeLoggedModel):
    """An administrator-defined field on one entity type, stored in that entity's JSON column.

    Defining one makes it appear in forms, lists (optional column), filters, detail pages, the
    API (``custom_fields``), search (when ``searchable``) and the change log — no code or
    migration. ``choices`` holds ``[{"value": "gold", "label": "金牌", "label_en": "Gold"}, …]``.
    """

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("entity type"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(
        _("key"),
        max_length=50,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*\Z",
                _("Use lower-case letters, digits and underscores, starting with a letter."),
            )
        ],
        help_text=_("Used in the API and in filters; cannot change once data exists."),
    )
    label = models.CharField(_("label"), max_length=100)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    type = models.CharField(
        _("type"), max_length=20, choices=CustomFieldType.choices, default=CustomFieldType.TEXT
    )
    required = models.BooleanField(_("required"), default=False)
    default = models.JSONField(_("default value"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    related_object_type = models.ForeignKey(
        ContentType,
        verbose_name=_("referenced entity type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    validation_min = models.DecimalField(_("minimum"), max_digits=20, decimal_places=4, null=True, blank=True)
    validation_max = models.DecimalField(_("maximum"), max_digits=20, decimal_places=4, null=True, blank=True)
    validation_regex = models.CharField(
        _("pattern"), max_length=200, blank=True, help_text=_("Regular expression text values must match.")
    )
    group_name = models.CharField(_("group"), max_length=50, blank=True)
    weight = models.PositiveIntegerField(_("order"), default=100)
    filterable = models.BooleanField(_("filterable"), default=True)
    searchable = models.BooleanField(_("searchable"), default=False)
    search_weight = models.PositiveSmallIntegerField(_("search weight"), default=40)
    show_in_table = models.BooleanField(_("show as list column by default"), default=False)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["content_type", "weight", "name"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "name"], name="customfield_unique_name")
        ]

    def __str__(self) -> str:
        return self.display_label

    def save(self, *args, **kwargs) -> None:
        from guanxi.framework.customfields import invalidate

        super().save(*args, **kwargs)
        invalidate(self.content_type_id)

    def delete(self, *args, **kwargs):
        from guanxi.framework.customfields import invalidate

        result = super().delete(*args, **kwargs)
        invalidate(self.content_type_id)
        return result

    @property
    def display_label(self) -> str:
        return localized(self.label, self.label_en)

    def choice_pairs(self) -> list[tuple[str, str]]:
        english = english_active()
        return [
            (c["value"], (c.get("label_en") if english and c.get("label_en") else c.get("label", c["value"])))
            for c in self.choices or []
        ]

    def clean(self) -> None:
        super().clean()
        from guanxi.framework.customfields import custom_field_models

        if self.content_type_id and self.content_type.model_class() not in custom_field_models():
            raise ValidationError({"content_type": _("This entity type does not support custom fields.")})
        from guanxi.framework.customfield_checks import definition_errors

        # choices' shape, pattern, bounds, the referenced type and the default's type: a definition
        # every reader can use, or field messages (name and type have their own field validators).
        errors = {k: messages for k, messages in definition_errors(self).items() if k not in ("name", "type")}
        if errors:
            raise ValidationError(errors)
        if (
            self.pk
            and "type" in getattr(self, "_loaded_values", {})
            and self._loaded_values["type"] != self.type
        ):
            raise ValidationError(
                {"type": _("The type of an existing field cannot change; create a new field.")}
            )
        if self.default not in (None, ""):
            from guanxi.framework.customfields import validate_value

            self.default = validate_value(self, self.default, field_error_key="default")

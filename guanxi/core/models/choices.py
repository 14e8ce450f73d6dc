"""Administrator-configurable picklists (客户等级, 生命周期阶段…): one row per option of a list."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.models.tags import COLOR_CHOICES
from guanxi.framework.i18n import localized
from guanxi.framework.models import ChangeLoggedModel

validate_option_value = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}\Z",
    _("Use up to 20 letters, digits, '-' or '_', starting with a letter or digit."),
)


class ChoiceOption(ChangeLoggedModel):
    """One option of a configurable list such as ``customers.customer.level``.

    Lists are declared in code (``guanxi.core.choices.register_choice_list``) with their default
    options; rows are seeded by a migration and again after a flush. ``value`` is what records
    store and never changes once saved; the labels, order, colour and ``active`` flag are edited
    by administrators through ``guanxi.core.choice_services``. ``system`` options are values code
    depends on (the stage "won"): they can be renamed and moved, never deactivated or deleted.
    """

    # Reference data: every holder of a grant on the type sees (and, per action, edits) all rows.
    access_reference_data = True

    list_name = models.CharField(_("list"), max_length=100, db_index=True)
    value = models.CharField(_("code"), max_length=20, validators=[validate_option_value])
    label_zh = models.CharField(_("Chinese label"), max_length=60)
    label_en = models.CharField(_("English label"), max_length=60, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    system = models.BooleanField(_("built in"), default=False, editable=False)
    color = models.CharField(_("colour"), max_length=10, choices=COLOR_CHOICES, blank=True)

    class Meta:
        verbose_name = _("choice option")
        verbose_name_plural = _("choice options")
        ordering = ["list_name", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["list_name", "value"], name="choiceoption_unique_value")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the interface language (English falls back to Chinese)."""
        return localized(self.label_zh, self.label_en)

"""The 税号 of an invoice request: a 统一社会信用代码 (18 characters, GB 32100-2015 check
character, reusing ``guanxi.customers.validators``) or a legacy taxpayer number of 15 or 20
characters (digits and capital letters)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.customers.validators import normalize_credit_code, validate_credit_code

LEGACY = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{20}")


def normalize_tax_id(value: str) -> str:
    return normalize_credit_code(value or "")


def validate_tax_id(value: str) -> None:
    """A credit code with a matching check character, or a legacy 15/20-character number."""
    code = normalize_tax_id(value)
    if len(code) == 18:
        validate_credit_code(code)
        return
    if len(code) in (15, 20):
        if not LEGACY.fullmatch(code):
            raise ValidationError(
                _("A taxpayer ID uses digits and capital letters only."), code="tax_id_alphabet"
            )
        return
    raise ValidationError(
        _(
            "A taxpayer ID is an 18-character unified social credit code or an older 15- or "
            "20-character number (this one has %(n)d)."
        )
        % {"n": len(code)},
        code="tax_id_length",
    )

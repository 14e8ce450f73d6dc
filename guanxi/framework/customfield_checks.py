"""Is a custom-field definition usable? Checked on write, and again by every reader.

A definition is one ``core.CustomField`` row, and every list, form, filter, export and API of
its entity reads it. One malformed row (``"choices": ["a", "b"]`` instead of
``[{"value": "a", …}]``, a pattern that does not compile, a default of the wrong type) used to
turn all of those into 500s for everyone. So:

* ``definition_errors(cf)`` lists what is wrong, keyed by the definition's field names;
  ``CustomField.clean()`` raises them, so the admin form and the API refuse with field messages.
* ``reader_problems(cf)`` is the part of the same check that needs no database; readers
  (``customfields.fields_for``) skip a definition that still fails it — one written before the
  check existed, or by raw SQL — log a warning and show a warning on the list page, instead of
  failing.
"""

from __future__ import annotations

import decimal
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\Z")
CHOICE_TYPES = ("select", "multiselect")
NUMERIC_TYPES = ("integer", "decimal", "money")


def _choice_errors(cf: Any, *, strict: bool) -> list[str]:
    """Problems of a choice field's ``choices``. Not ``strict`` (readers): only what makes reading
    fail — not a list, an item that is not an object or has no ``value``. ``strict`` (writes):
    also empty lists, non-text values and labels, unknown keys and duplicates."""
    choices = cf.choices
    if cf.type not in CHOICE_TYPES:
        return []
    if not isinstance(choices, list) or (strict and not choices):
        return [_("A choice field needs at least one choice.")]
    seen: set[str] = set()
    for position, choice in enumerate(choices, start=1):
        if not isinstance(choice, dict):
            return [
                _('Choice %(n)d must be an object like {"value": "gold", "label": "金牌"}.') % {"n": position}
            ]
        value = choice.get("value")
        if not strict:
            if "value" not in choice:
                return [_("Choice %(n)d needs a non-empty text “value”.") % {"n": position}]
            continue
        if not isinstance(value, str) or not value.strip():
            return [_("Choice %(n)d needs a non-empty text “value”.") % {"n": position}]
        for key in ("label", "label_en"):
            if key in choice and not isinstance(choice[key], str):
                return [_("The “%(key)s” of choice %(n)d must be text.") % {"key": key, "n": position}]
        unknown = set(choice) - {"value", "label", "label_en"}
        if unknown:
            return [
                _("Choice %(n)d has unknown keys: %(keys)s.")
                % {"n": position, "keys": ", ".join(sorted(map(str, unknown)))}
            ]
        if value in seen:
            return [_("The choice value “%(value)s” appears twice.") % {"value": value}]
        seen.add(value)
    return []


def _number(value: Any) -> decimal.Decimal | None:
    if value is None:
        return None
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def reader_problems(cf: Any) -> dict[str, list[str]]:
    """What makes ``cf`` unreadable, keyed by field name; checks that need no database."""
    from guanxi.core.models.customfields import CustomFieldType

    errors: dict[str, list[str]] = {}
    if not isinstance(cf.name, str) or not NAME_PATTERN.match(cf.name):
        errors["name"] = [_("Use lower-case letters, digits and underscores, starting with a letter.")]
    if cf.type not in CustomFieldType.values:
        errors["type"] = [_("Unknown field type.")]
        return errors
    choice_errors = _choice_errors(cf, strict=False)
    if choice_errors:
        errors["choices"] = choice_errors
    if cf.validation_regex:
        try:
            re.compile(cf.validation_regex)
        except re.error as exc:
            errors["validation_regex"] = [_("This pattern is not valid: %(error)s.") % {"error": exc}]
    low, high = _number(cf.validation_min), _number(cf.validation_max)
    bounds = (("validation_min", cf.validation_min, low), ("validation_max", cf.validation_max, high))
    for key, raw, parsed in bounds:
        if raw is not None and parsed is None:
            errors[key] = [_("Enter a number.")]
    if low is not None and high is not None and low > high and "validation_max" not in errors:
        errors["validation_max"] = [_("The maximum must not be below the minimum.")]
    if cf.type == "object":
        from django.contrib.contenttypes.models import ContentType

        # get_for_id: from Django's content-type cache, no query per definition on a list
        related = (
            ContentType.objects.get_for_id(cf.related_object_type_id) if cf.related_object_type_id else None
        )
        if related is None or related.model_class() is None:
            errors["related_object_type"] = [_("Choose the entity type this field refers to.")]
    if errors:
        return errors  # the default is judged against a definition that makes sense
    if cf.default not in (None, "") and cf.type != "object":  # an object default needs the database
        from guanxi.framework.customfields import validate_value

        try:
            validate_value(cf, cf.default, field_error_key="default")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return errors


def definition_errors(cf: Any) -> dict[str, list[str]]:
    """Everything wrong with ``cf``: the readers' checks, settings that would be silently ignored
    (choices on a text field…), and the checks that read the database."""
    errors = reader_problems(cf)
    if "choices" not in errors and (strict_choice_errors := _choice_errors(cf, strict=True)):
        errors["choices"] = strict_choice_errors
    if cf.type not in CHOICE_TYPES and cf.choices not in (None, [], "") and "choices" not in errors:
        errors["choices"] = [_("Only choice fields have choices; leave this empty.")]
    if cf.validation_regex and cf.type not in ("text", "longtext") and "validation_regex" not in errors:
        errors["validation_regex"] = [_("Only text fields have a pattern.")]
    for key in ("validation_min", "validation_max"):
        if getattr(cf, key) is not None and cf.type not in NUMERIC_TYPES and key not in errors:
            errors[key] = [_("Only number and money fields have a minimum or maximum.")]
    if not errors and cf.type == "object" and cf.default not in (None, ""):
        from guanxi.framework.customfields import validate_value

        try:
            validate_value(cf, cf.default, field_error_key="default")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return errors


def problem_summary(problems: dict[str, list[str]]) -> str:
    """One line naming what is wrong, for a log line or a warning badge."""
    return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in problems.items())


def warn_broken_definitions(request: Any, model: Any) -> None:
    """A warning message on the page for each definition of ``model`` the readers skip."""
    from django.contrib import messages

    from guanxi.framework.customfields import broken_fields_for

    for cf in broken_fields_for(model):
        messages.warning(
            request,
            _(
                "The custom field “%(label)s” is hidden until an administrator repairs its "
                "definition (%(problem)s)."
            )
            % {"label": cf.label or cf.name, "problem": problem_summary(reader_problems(cf))},
        )

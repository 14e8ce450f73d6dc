"""Custom fields: validation, form inputs, display and filters for each custom-field type.

Definitions are ``core.CustomField`` rows; values live in the entity's ``custom_field_data``
JSON column in a canonical JSON form per type (ints, ``"12.50"`` strings for decimals so money
keeps its precision, ISO dates, E.164 phones, lower-case emails, choice keys, record ids).
Every layer — model ``clean()``, forms, serializers, filtersets, tables, detail pages, search —
asks this module, so a new field shows up everywhere at once.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import phonenumbers
from django import forms
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, URLValidator, validate_email
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from guanxi.framework.models import CustomFieldsMixin

logger = logging.getLogger(__name__)

CACHE_KEY = "guanxi:customfields:{}"
TEXT_MAX = 255
LONGTEXT_MAX = 10000


def custom_field_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, CustomFieldsMixin)]


def fields_for(model: type[models.Model]) -> list[Any]:
    """The usable CustomField definitions of ``model``, ordered, cached until one of them changes.

    A broken definition (see ``customfield_checks``) is left out, so no reader fails on it."""
    return [cf for cf in _all_definitions(model) if not cf.reader_problems]


def broken_fields_for(model: type[models.Model]) -> list[Any]:
    """Definitions of ``model`` the readers skip (``cf.reader_problems`` says why)."""
    return [cf for cf in _all_definitions(model) if cf.reader_problems]


_PINNED: ContextVar[dict[type[models.Model], list[Any]] | None] = ContextVar(
    "customfield_definitions", default=None
)


@contextmanager
def definitions_pinned() -> Iterator[None]:
    """Inside the block each model's definitions are read from the cache once, then reused.

    For bulk jobs that validate thousands of rows in one go (an import's chunk): a cache read is
    ≈ 50 µs (the file cache opens and unpickles a file) and ``clean()`` asks twice a row. A
    definition changed meanwhile applies from the next block, as it would to a form opened
    before the change."""
    token = _PINNED.set({})
    try:
        yield
    finally:
        _PINNED.reset(token)


def _all_definitions(model: type[models.Model]) -> list[Any]:
    pinned = _PINNED.get()
    if pinned is not None:
        found = pinned.get(model)
        if found is None:
            found = pinned[model] = _read_definitions(model)
        return found
    return _read_definitions(model)


def _read_definitions(model: type[models.Model]) -> list[Any]:
    from django.contrib.contenttypes.models import ContentType

    from guanxi.core.models import CustomField
    from guanxi.framework.customfield_checks import problem_summary, reader_problems

    ct = ContentType.objects.get_for_model(model)
    key = CACHE_KEY.format(ct.pk)
    defs = cache.get(key)
    if defs is None:
        defs = list(CustomField.objects.filter(content_type=ct).select_related("related_object_type"))
        for cf in defs:
            # judged once per cache fill; the verdict is cached with the definition
            cf.reader_problems = reader_problems(cf)
            if cf.reader_problems:
                logger.warning(
                    "Custom field %s.%s (id %s) is skipped, its definition is broken: %s",
                    model._meta.label,
                    cf.name,
                    cf.pk,
                    problem_summary(cf.reader_problems),
                )
        cache.set(key, defs, 300)
    return defs


def invalidate(content_type_id: int) -> None:
    cache.delete(CACHE_KEY.format(content_type_id))


def searchable_custom_fields(model: type[models.Model]) -> list[Any]:
    return [cf for cf in fields_for(model) if cf.searchable]


def _error(key: str, message: str) -> ValidationError:
    return ValidationError({key: message})


def _plain(number: decimal.Decimal) -> str:
    return format(number.normalize(), "f")


def _check_range(cf: Any, number: Any, key: str) -> None:
    if cf.validation_min is not None and number < cf.validation_min:
        raise _error(key, _("Must be at least %(min)s.") % {"min": _plain(cf.validation_min)})
    if cf.validation_max is not None and number > cf.validation_max:
        raise _error(key, _("Must be at most %(max)s.") % {"max": _plain(cf.validation_max)})


def validate_value(cf: Any, value: Any, *, field_error_key: str | None = None) -> Any:
    """The canonical stored form of ``value`` for ``cf``, or a ValidationError keyed by the field."""
    key = field_error_key or f"cf_{cf.name}"
    if value in (None, "", []):
        return None
    if any(isinstance(v, str) and "\x00" in v for v in (value if isinstance(value, list) else [value])):
        # PostgreSQL cannot store NUL, not even inside JSON: refuse it before the save does (a 500)
        raise _error(key, str(ProhibitNullCharactersValidator.message))
    kind = cf.type
    if kind in ("text", "longtext"):
        if not isinstance(value, str):
            raise _error(key, _("Enter text."))
        limit = TEXT_MAX if kind == "text" else LONGTEXT_MAX
        if len(value) > limit:
            raise _error(key, _("At most %(n)d characters.") % {"n": limit})
        if cf.validation_regex and not re.fullmatch(cf.validation_regex, value):
            raise _error(key, _("Does not match the required pattern."))
        return value
    if kind == "integer":
        if isinstance(value, bool):
            raise _error(key, _("Enter a whole number."))
        try:
            number = int(str(value).strip())
        except ValueError:
            raise _error(key, _("Enter a whole number.")) from None
        _check_range(cf, decimal.Decimal(number), key)
        return number
    if kind == "decimal":
        if isinstance(value, bool | float):
            value = str(value) if isinstance(value, float) else value
        try:
            amount = decimal.Decimal(str(value).strip())
        except decimal.InvalidOperation:
            raise _error(key, _("Enter a number.")) from None
        if not amount.is_finite():
            raise _error(key, _("Enter a number."))
        _check_range(cf, amount, key)
        return str(amount)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise _error(key, _("Enter yes or no."))
    if kind == "date":
        parsed = (
            value
            if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
            else parse_date(str(value))
            if _parses(parse_date, value)
            else None
        )
        if parsed is None:
            raise _error(key, _("Enter a valid date (YYYY-MM-DD)."))
        return parsed.isoformat()
    if kind == "datetime":
        parsed_dt = (
            value
            if isinstance(value, datetime.datetime)
            else (parse_datetime(str(value)) if _parses(parse_datetime, value) else None)
        )
        if parsed_dt is None:
            raise _error(key, _("Enter a valid date and time."))
        if timezone.is_naive(parsed_dt):
            parsed_dt = timezone.make_aware(parsed_dt)
        return parsed_dt.astimezone(datetime.UTC).isoformat()
    if kind == "email":
        text = str(value).strip().lower()
        try:
            validate_email(text)
        except ValidationError:
            raise _error(key, _("Enter a valid email address.")) from None
        return text
    if kind == "phone":
        return normalize_phone(str(value), key)
    if kind == "url":
        text = str(value).strip()
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise _error(key, _("Enter a valid web address (http:// or https://).")) from None
        return text
    if kind == "select":
        allowed = {c["value"] for c in cf.choices or []}
        if str(value) not in allowed:
            raise _error(key, _("“%(value)s” is not one of the choices.") % {"value": value})
        return str(value)
    if kind == "multiselect":
        values = value if isinstance(value, list) else [value]
        allowed = {c["value"] for c in cf.choices or []}
        bad = [str(v) for v in values if str(v) not in allowed]
        if bad:
            raise _error(key, _("“%(value)s” is not one of the choices.") % {"value": ", ".join(bad)})
        return [str(v) for v in values]
    if kind == "money":
        from guanxi.framework.moneyfields import validate_money_value

        return validate_money_value(cf, value, key)
    if kind == "object":
        try:
            pk = int(value.pk if isinstance(value, models.Model) else value)
        except (TypeError, ValueError):
            raise _error(key, _("Choose a record.")) from None
        model = cf.related_object_type.model_class()
        if model is None or not model._default_manager.filter(pk=pk).exists():
            raise _error(key, _("That record does not exist."))
        return pk
    raise _error(key, _("Unknown field type."))


def _parses(parser: Any, value: Any) -> bool:
    try:
        return parser(str(value)) is not None
    except ValueError:
        return False


def normalize_phone(text: str, key: str = "phone", region: str = "CN") -> str:
    """E.164 form of a phone number (Chinese numbers without a country code are assumed)."""
    e164 = _e164(text.strip(), region)
    if e164 is None:
        raise _error(key, _("Enter a valid phone number."))
    return e164


@functools.lru_cache(maxsize=8192)
def _e164(text: str, region: str) -> str | None:
    """The E.164 form of ``text``, None when it is no valid number; memoised (≈ 0.1 ms a parse):
    a model's field validator and its ``clean()`` both ask for the same phone in one save, and
    bulk jobs meet the same numbers again. It depends only on the text and the phonenumbers
    metadata, fixed for the process; the error message is built by the caller, in its language."""
    if region == "CN" and _CN_MOBILE.fullmatch(text):
        return "+86" + text
    return _parsed_e164(text, region)


def _parsed_e164(text: str, region: str) -> str | None:
    """``_e164`` through phonenumbers' full parse (every text the shortcut does not take)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _cn_mobile_pattern() -> re.Pattern[str]:
    """Eleven digits that phonenumbers' own metadata calls a Chinese mobile number (its mobile
    pattern, of its possible length, not starting with what its parser strips as a national or
    carrier prefix): for these the full parse always answers ``+86`` and the digits, so bulk
    imports, where nearly every phone is one, skip it (≈ 0.1 ms a number; most are distinct, so
    the memo does not help). Built from the installed metadata: an update of phonenumbers moves
    the shortcut with it; ``test_customfields`` compares both ways on every prefix."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert metadata is not None and metadata.mobile is not None
    assert metadata.general_desc is not None
    if 11 not in metadata.mobile.possible_length:
        return re.compile(r"(?!)")  # matches nothing: every number takes the full parse
    mobile = metadata.mobile.national_number_pattern
    general = metadata.general_desc.national_number_pattern
    stripped = metadata.national_prefix_for_parsing or "(?!)"
    return re.compile(rf"(?!(?:{stripped}))(?=(?:{general})$)(?:{mobile})", re.ASCII)


_CN_MOBILE = _cn_mobile_pattern()


def format_phone(value: Any) -> str:
    """How people read a stored E.164 number: ``187 9706 4350`` for Chinese numbers, the
    international form (``+1 650-253-0000``) for others, and anything unparseable as it is."""
    if value in (None, ""):
        return ""
    return _format_phone_text(str(value))


@functools.lru_cache(maxsize=4096)
def _format_phone_text(text: str) -> str:
    """format_phone of one string, memoised: parsing and validating a number costs ≈ 0.1 ms, and
    a list page formats one or two per row on every request (the result depends only on the
    text and the phonenumbers metadata, fixed for the process)."""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 86
        else (phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    )
    return phonenumbers.format_number(number, style)


def validate_custom_field_data(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """Validate a whole ``custom_field_data`` dict; all field errors are raised together."""
    if not isinstance(data, dict):
        raise ValidationError({"custom_fields": _("Custom fields must be an object of key: value.")})
    defs = {cf.name: cf for cf in fields_for(model)}
    # values of a skipped (broken) definition are kept as they are until it is repaired
    kept = {cf.name: data[cf.name] for cf in broken_fields_for(model) if cf.name in data}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(defs) - set(kept))
    if unknown:
        errors["custom_fields"] = [_("Unknown custom fields: %(names)s.") % {"names": ", ".join(unknown)}]
    clean: dict[str, Any] = dict(kept)
    for name, cf in defs.items():
        try:
            value = validate_value(cf, data.get(name))
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        if value is None and cf.required:
            errors[f"cf_{name}"] = [_("This field is required.")]
            continue
        if value is not None:
            clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def form_field(cf: Any) -> forms.Field:
    """A Django form field for editing ``cf`` (validation proper happens in validate_value)."""
    common = {"label": cf.display_label, "required": cf.required, "help_text": cf.help_text}
    kind = cf.type
    if kind == "longtext":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == "integer":
        return forms.IntegerField(**common)
    if kind == "decimal":
        return forms.DecimalField(**common)
    if kind == "boolean":
        return forms.NullBooleanField(
            widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]), **common
        )
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "datetime":
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if kind == "email":
        return forms.EmailField(**common)
    if kind == "url":
        return forms.URLField(**common)
    if kind == "select":
        return forms.ChoiceField(choices=[("", "—"), *cf.choice_pairs()], **common)
    if kind == "multiselect":
        return forms.MultipleChoiceField(
            choices=cf.choice_pairs(), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == "money":
        from guanxi.framework.moneyfields import MoneyFormField

        return MoneyFormField(**common)
    if kind == "object":
        model = cf.related_object_type.model_class()
        return forms.ModelChoiceField(queryset=model._default_manager.all(), **common)
    return forms.CharField(max_length=TEXT_MAX, **common)


def display_value(cf: Any, value: Any) -> str:
    """How a stored value reads on a page or in an export."""
    if value in (None, "", []):
        return ""
    kind = cf.type
    if kind == "boolean":
        return _("Yes") if value else _("No")
    if kind == "select":
        return dict(cf.choice_pairs()).get(value, value)
    if kind == "multiselect":
        labels = dict(cf.choice_pairs())
        return ", ".join(labels.get(v, v) for v in value)
    if kind == "date":
        parsed = parse_date(value)
        return formats.date_format(parsed, "SHORT_DATE_FORMAT") if parsed else str(value)
    if kind == "datetime":
        parsed_dt = parse_datetime(value)
        return (
            formats.date_format(timezone.localtime(parsed_dt), "SHORT_DATETIME_FORMAT")
            if parsed_dt
            else str(value)
        )
    if kind == "object":
        model = cf.related_object_type.model_class()
        obj = model._default_manager.filter(pk=value).first() if model else None
        return str(obj) if obj else f"#{value}"
    if kind == "phone":
        return format_phone(value)
    if kind == "money":
        from guanxi.framework.moneyfields import display_money

        return display_money(value)
    return str(value)


def to_form_initial(cf: Any, value: Any) -> Any:
    if value is None:
        return None
    if cf.type == "boolean":
        return "true" if value else "false"
    if cf.type == "datetime":
        parsed = parse_datetime(value)
        return timezone.localtime(parsed).strftime("%Y-%m-%dT%H:%M") if parsed else value
    return value

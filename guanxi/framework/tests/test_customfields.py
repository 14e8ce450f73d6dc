"""Custom-field values: canonical stored forms and field-level errors for every type."""

import decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from guanxi.core.models import CustomField, Tag
from guanxi.framework.customfields import normalize_phone, validate_custom_field_data, validate_value
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.testapp.models import Gadget


def cf(type_, **extra):
    """An unsaved definition: validate_value needs no database for most types."""
    return CustomField(name=extra.pop("name", "f"), label="F", type=type_, **extra)


@pytest.mark.parametrize(
    ("type_", "raw", "stored"),
    [
        ("text", "华东", "华东"),
        ("integer", "42", 42),
        ("integer", 7, 7),
        ("decimal", "12.50", "12.50"),
        ("decimal", 3, "3"),
        ("boolean", "true", True),
        ("boolean", False, False),
        ("date", "2026-11-22", "2026-11-22"),
        ("datetime", "2026-11-22T08:00:00+08:00", "2026-11-22T00:00:00+00:00"),
        ("email", " Zhang.San@Example.COM ", "zhang.san@example.com"),
        ("phone", "138 0013 8000", "+8613800138000"),
        ("phone", "+1 650-253-0000", "+16502530000"),
        ("url", "https://guanxi.example/a", "https://guanxi.example/a"),
        ("text", "", None),
    ],
)
def test_canonical_forms(type_, raw, stored):
    assert validate_value(cf(type_), raw) == stored


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("integer", "12.5"),
        ("integer", True),
        ("decimal", "abc"),
        ("decimal", "NaN"),
        ("boolean", "maybe"),
        ("date", "2026-02-30"),
        ("datetime", "yesterday"),
        ("email", "not-an-email"),
        ("phone", "12345"),
        ("url", "javascript:alert(1)"),
        ("text", "x" * 256),
    ],
)
def test_bad_values_get_a_field_message(type_, raw):
    with pytest.raises(ValidationError) as err:
        validate_value(cf(type_, name="budget"), raw)
    assert list(err.value.message_dict) == ["cf_budget"]


@override("en")  # the messages are matched in English; the default language is zh-hans
def test_ranges_patterns_and_choices():
    ranged = cf("integer", validation_min=decimal.Decimal(1), validation_max=decimal.Decimal(10))
    assert validate_value(ranged, 10) == 10
    with pytest.raises(ValidationError, match="at most 10"):
        validate_value(ranged, 11)
    with pytest.raises(ValidationError, match="pattern"):
        validate_value(cf("text", validation_regex=r"[A-Z]{2}\d+"), "ab12")
    choices = [{"value": "a", "label": "A级"}, {"value": "b", "label": "B级"}]
    assert validate_value(cf("multiselect", choices=choices), ["a", "b"]) == ["a", "b"]
    with pytest.raises(ValidationError):
        validate_value(cf("select", choices=choices), "c")


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**9), max_value=10**9))
def test_decimal_round_trips_exactly(value):
    stored = validate_value(cf("decimal"), str(value))
    assert decimal.Decimal(stored) == value  # money keeps every digit: stored as a string, never a float


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_chinese_mobiles_normalise_to_e164(mobile):
    try:
        normalized = normalize_phone(mobile)
    except ValidationError:
        return  # an unallocated prefix is rejected, never mangled
    assert normalized == "+86" + mobile


@pytest.mark.django_db
def test_whole_dict_validation_reports_all_errors_at_once():
    ct = ContentType.objects.get_for_model(Gadget)
    with as_system():
        CustomField.objects.create(content_type=ct, name="size", label="规模", type="integer", required=True)
        CustomField.objects.create(content_type=ct, name="site", label="网站", type="url")
    with pytest.raises(ValidationError) as err:
        validate_custom_field_data(Gadget, {"site": "nope", "bogus": 1})
    assert set(err.value.message_dict) == {"custom_fields", "cf_size", "cf_site"}
    assert validate_custom_field_data(Gadget, {"size": "3"}) == {"size": 3}


@pytest.mark.django_db
def test_definition_rules():
    ct = ContentType.objects.get_for_model(Tag)
    with pytest.raises(ValidationError) as err:
        CustomField(content_type=ct, name="tier", label="T", type="select").full_clean()
    assert "choices" in err.value.message_dict
    with pytest.raises(ValidationError):
        CustomField(content_type=ct, name="Bad Name", label="T", type="text").full_clean()
    with as_system():
        field = CustomField.objects.create(content_type=ct, name="note", label="备注", type="text")
    field = CustomField.objects.get(pk=field.pk)
    field.type = "integer"
    with pytest.raises(ValidationError) as err:
        field.full_clean()
    assert "type" in err.value.message_dict


def test_phones_read_as_people_write_them():
    from guanxi.framework.customfields import format_phone

    assert format_phone("+8618797064350") == "187 9706 4350"
    assert format_phone("+861065529988") == "010 6552 9988"
    assert format_phone("+16502530000") == "+1 650-253-0000"
    assert format_phone("not a number") == "not a number"
    assert format_phone("") == ""


def test_a_phone_is_parsed_once_then_read_from_the_memo():
    from guanxi.framework.customfields import _format_phone_text, format_phone

    first = format_phone("+8613912345678")
    hits = _format_phone_text.cache_info().hits
    assert format_phone("+8613912345678") == first == "139 1234 5678"
    assert _format_phone_text.cache_info().hits == hits + 1
    assert format_phone(None) == "" and format_phone(8613912345678) == "139 1234 5678"


@pytest.mark.parametrize("text", ["12345", "138001380001", "+86 10", "电话"])
def test_a_remembered_bad_phone_gives_the_same_error_in_the_asking_language(text):
    """``normalize_phone`` remembers each text's verdict (the field validator and ``clean()`` ask
    for the same phone, and bulk imports meet numbers again): the second ask of a bad number
    raises what the first did, worded in the language of whoever asks now."""
    from guanxi.customers.validators import validate_phone
    from guanxi.framework.customfields import _e164

    _e164.cache_clear()
    errors = []
    for language in ("en", "zh-hans", "en"):
        with override(language), pytest.raises(ValidationError) as refused:
            normalize_phone(text)
        with override(language), pytest.raises(ValidationError) as by_validator:
            validate_phone(text)
        assert by_validator.value.messages == refused.value.message_dict["phone"]
        errors.append(refused.value.message_dict)
    assert errors[0] == errors[2] == {"phone": ["Enter a valid phone number."]}
    assert errors[1] != errors[0] and _e164.cache_info().hits >= 5
    assert normalize_phone(" 13800138000 ") == normalize_phone("138 0013 8000") == "+8613800138000"


@pytest.mark.django_db
def test_definitions_pinned_reads_each_models_definitions_once(monkeypatch):
    """Inside ``definitions_pinned`` the definitions come from the cache once per model; outside,
    on every ask (a definition changed meanwhile applies from the next block)."""
    from guanxi.framework import customfields

    reads = []
    real = customfields._read_definitions

    def counting(model):
        reads.append(model)
        return real(model)

    monkeypatch.setattr(customfields, "_read_definitions", counting)
    with customfields.definitions_pinned():
        for _ in range(3):
            customfields.fields_for(Gadget)
            customfields.broken_fields_for(Gadget)
    assert reads == [Gadget]
    customfields.fields_for(Gadget)
    customfields.fields_for(Gadget)
    assert reads == [Gadget] * 3


def test_the_chinese_mobile_shortcut_answers_what_the_full_parse_does():
    """``_e164`` takes eleven-digit Chinese mobiles without phonenumbers' parse (``_CN_MOBILE``,
    built from its metadata): on every three- and four-digit prefix, with random tails, the
    shortcut answers only where the parse says ``+86`` and the digits, and takes most mobiles."""
    import random

    from guanxi.framework.customfields import _CN_MOBILE, _parsed_e164

    rng = random.Random(12)
    texts = [f"1{p:02d}{rng.randrange(10**8):08d}" for p in range(100) for _ in range(5)]
    texts += [f"1{p:03d}{rng.randrange(10**7):07d}" for p in range(1000)]
    texts += ["17951138001", "10193138001", "12593138001", "13800138000", "1380013800", "138001380001"]
    taken = 0
    for text in texts:
        if _CN_MOBILE.fullmatch(text):
            taken += 1
            assert _parsed_e164(text, "CN") == "+86" + text, text
    assert taken > len(texts) / 3
    assert _CN_MOBILE.fullmatch("13800138000") and not _CN_MOBILE.fullmatch("12345678901")
    assert normalize_phone("13800138000") == "+8613800138000"

"""Bad input on customers and contacts: credit codes, phones and emails, through forms and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from guanxi.customers.models import Contact, Customer
from guanxi.customers.validators import ALPHABET, credit_code_check_char, validate_credit_code
from guanxi.framework.api.testing import make_user, token_client

symbols = st.sampled_from(ALPHABET)
digits = st.sampled_from("0123456789")


@st.composite
def credit_codes(draw):
    """A valid code: authority and kind, six region digits, nine organisation symbols, check char."""
    body = draw(st.text(symbols, min_size=2, max_size=2))
    body += draw(st.text(digits, min_size=6, max_size=6))
    body += draw(st.text(symbols, min_size=9, max_size=9))
    return body + credit_code_check_char(body)


@given(credit_codes())
def test_generated_codes_are_valid(code):
    validate_credit_code(code)
    validate_credit_code(code.lower())  # normalised to capitals first


@given(credit_codes(), st.integers(0, 17), symbols)
def test_every_single_character_corruption_is_rejected(code, position, replacement):
    if code[position] == replacement:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % len(ALPHABET)]
    corrupted = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        validate_credit_code(corrupted)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "A unified social credit code has 18 characters."),
        (
            "91350100M000100Y4I",
            "A unified social credit code uses digits and capital letters other than I, O, S, V and Z.",
        ),
        (
            "9135O100M000100Y43",
            "A unified social credit code uses digits and capital letters other than I, O, S, V and Z.",
        ),
        (
            "913501A0M000100Y43",
            "Characters 3 to 8 of a unified social credit code are the region code (digits).",
        ),
        (
            "91350100M000100Y44",
            "This unified social credit code is mistyped: its check character does not match.",
        ),
    ],
)
def test_each_kind_of_bad_code_is_explained(code, message):
    with override("en"):  # the messages are lazy: read them while English is active
        with pytest.raises(ValidationError) as exc:
            validate_credit_code(code)
        assert exc.value.messages == [message]
    with override("zh-hans"):
        assert exc.value.messages[0] != message  # translated


@pytest.mark.parametrize("code", ["91350100M000100Y43", "914403001922038216", "91110000100006485K"])
def test_real_codes_pass(code):
    validate_credit_code(code)


BAD = {"kind": "company", "name": "坏数据有限公司", "stage": "prospect", "status": "active",
       "phone": "12345", "email": "not-an-email", "credit_code": "91350100M000100Y44"}  # fmt: skip
MESSAGES = {
    "en": {
        "phone": "Enter a valid phone number.",
        "email": "Enter a valid email address.",
        "credit_code": "This unified social credit code is mistyped: its check character does not match.",
    },
    "zh-hans": {
        "phone": "请输入有效的电话号码。",
        "email": "请输入有效的邮箱地址。",
        "credit_code": "统一社会信用代码有误：校验位不符。",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_form_shows_field_errors_in_the_users_language(client, language):
    user = make_user(f"u-{language}", superuser=True, language=language)
    client.force_login(user)
    response = client.post("/customers/add/", BAD)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {name: errors[name] for name in MESSAGES[language]} == {
        name: [text] for name, text in MESSAGES[language].items()
    }
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_form_phone_error_when_only_the_phone_is_bad(client):
    """normalize_phone's error comes from clean(), after the field validators passed."""
    client.force_login(make_user("en", superuser=True, language="en"))
    response = client.post("/customers/add/", {**BAD, "email": "ok@example.com", "credit_code": ""})
    assert response.context["form"].errors == {"phone": ["Enter a valid phone number."]}
    assert Customer.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_api_returns_400_with_field_keys(language):
    api = token_client(make_user("api", superuser=True), language=language)
    response = api.post("/api/v1/customers/customers/", BAD, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {name: errors[name] for name in MESSAGES[language]} == {
        name: [text] for name, text in MESSAGES[language].items()
    }
    bad_contact = api.post("/api/v1/customers/contacts/", {"name": "某人", "phone": "555"}, format="json")
    assert bad_contact.status_code == 400
    assert bad_contact.json()["errors"] == {"phone": [MESSAGES[language]["phone"]]}
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0


@pytest.mark.django_db
def test_api_normalises_phone_email_and_credit_code():
    api = token_client(make_user("api", superuser=True))
    data = {"name": "宁波港航物流有限公司", "phone": "021 6888 8888", "email": "Sales@NingBo.Example.CN",
            "credit_code": "91330106ma28xk9t1y"}  # fmt: skip
    response = api.post("/api/v1/customers/customers/", data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["phone"], body["email"], body["credit_code"]) == (
        "+862168888888",
        "sales@ningbo.example.cn",
        "91330106MA28XK9T1Y",
    )
    customer = Customer.objects.get()
    assert (customer.phone, customer.email, customer.credit_code) == (
        "+862168888888",
        "sales@ningbo.example.cn",
        "91330106MA28XK9T1Y",
    )


@pytest.mark.django_db
def test_gender_and_birthday_only_for_individuals():
    api = token_client(make_user("api", superuser=True))
    company = {"name": "某公司", "kind": "company", "gender": "female"}
    response = api.post("/api/v1/customers/customers/", company, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"kind": ["Gender and birthday are for individual customers only."]}
    person = {"name": "林晓", "kind": "individual", "gender": "female", "birthday": "1990-05-04"}
    assert api.post("/api/v1/customers/customers/", person, format="json").status_code == 201

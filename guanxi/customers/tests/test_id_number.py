"""ID card numbers (GB 11643-1999): checksum, birth date, masked by default, reveal audited."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from guanxi.core.models import AuditEvent
from guanxi.customers.models import Customer
from guanxi.customers.validators import id_number_check_char, validate_id_number
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import FieldRule, Role, User

ID = "11010519491231002X"  # the standard's own example


@st.composite
def id_numbers(draw):
    region = draw(st.sampled_from(["110105", "310115", "440305", "510107"]))
    born = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2020, 12, 31)))
    sequence = draw(st.integers(0, 999))
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + id_number_check_char(body)


def test_the_standards_example_is_valid():
    validate_id_number(ID)
    validate_id_number(ID.lower())


@given(id_numbers())
def test_generated_numbers_are_valid(code):
    validate_id_number(code)


@given(id_numbers(), st.integers(0, 16), st.sampled_from("0123456789"))
def test_every_single_digit_corruption_is_rejected(code, position, digit):
    if code[position] == digit:
        digit = str((int(digit) + 1) % 10)
    with pytest.raises(ValidationError):
        validate_id_number(code[:position] + digit + code[position + 1 :])


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "id_format"),
        ("11010519491231002A", "id_format"),
        ("110105" + "19990230" + "0012", "id_birth_date"),  # 30 February
        ("11010519491231002Y"[:17] + "1", "id_checksum"),
    ],
)
def test_bad_numbers_say_why(value, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert error.value.code == code


@pytest.fixture
def person(team):
    with as_system():
        return Customer.objects.create(
            name="李明",
            kind=Customer.Kind.INDIVIDUAL,
            id_number=ID.lower(),
            owner=team.rep1,
            phone="+8613900001111",
        )


@pytest.mark.django_db
def test_stored_upper_case_and_companies_refused(team, person):
    assert person.id_number == ID
    api = token_client(team.rep1)
    response = api.post(
        "/api/v1/customers/customers/", {"name": "某公司", "kind": "company", "id_number": ID}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["id_number"] == ["Only individual customers have an ID card number."]


@pytest.fixture
def shipped_manager(team):
    """A user holding the shipped 销售经理 role, whose default field rule masks id_number."""
    with as_system():
        user = User.objects.create_user(username="mgr2", name="孙经理", department=team.east1, language="en")
        Role.objects.get(name="销售经理").users.add(user)
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_shipped_roles_mask_id_numbers_except_administrators():
    ct = ContentType.objects.get_for_model(Customer)
    masked = set(
        FieldRule.objects.filter(content_type=ct, field_name="id_number", access="masked").values_list(
            "role__name", flat=True
        )
    )
    assert masked == {"销售总监", "销售经理", "销售代表", "客服", "市场", "只读", "财务"}


@pytest.mark.django_db
def test_masked_in_list_detail_api_and_csv(client, shipped_manager, person):
    client.force_login(shipped_manager)
    masked = "110***********002X"
    list_page = client.get("/customers/", {"columns": "name,id_number"}).content.decode()
    assert masked in list_page and ID not in list_page
    detail = client.get(f"/customers/{person.pk}/").content.decode()
    assert masked in detail and ID not in detail
    csv = (
        client.get("/customers/", {"export": "csv", "columns": "name,id_number"})
        .getvalue()
        .decode("utf-8-sig")
    )
    assert masked in csv and ID not in csv
    api = token_client(shipped_manager).get(f"/api/v1/customers/customers/{person.pk}/").json()
    assert api["id_number"] == masked
    history = client.get(f"/customers/{person.pk}/history/").content.decode()
    assert ID not in history


@pytest.mark.django_db
def test_reveal_is_audited(client, team, person):
    with as_system():
        auditor = User.objects.create_user(username="auditor", name="审计", department=team.east1)
    role = give_role(auditor, Customer, "all", ["view", "reveal"], name="审计员")
    with as_system():
        FieldRule.objects.create(
            role=role,
            content_type=ContentType.objects.get_for_model(Customer),
            field_name="id_number",
            access="masked",
        )
    client.force_login(auditor)
    detail = client.get(f"/customers/{person.pk}/").content.decode()
    assert "110***********002X" in detail and f"/reveal/customers/customer/{person.pk}/id_number/" in detail
    response = client.post(f"/reveal/customers/customer/{person.pk}/id_number/")
    assert ID in response.content.decode()
    event = AuditEvent.objects.get(event="reveal")
    assert (event.user, event.detail["field"]) == (auditor, "id_number")

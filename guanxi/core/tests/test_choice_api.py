"""``/api/v1/core/choice-options/``: read by everyone with view, edited by administrators."""

from __future__ import annotations

import pytest

from guanxi.core.choices import choices
from guanxi.core.models import ChoiceOption
from guanxi.customers.choices import LEVEL_LIST, STAGE_LIST
from guanxi.customers.models import Customer
from guanxi.framework.api.testing import make_user, token_client
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
URL = "/api/v1/core/choice-options/"


def levels() -> list[str]:
    return [v for v, _l in choices(LEVEL_LIST)]


def test_read_a_list_in_the_callers_language():
    reader = make_user("reader", perms=["core.view_choiceoption"])
    body = token_client(reader, scopes=["read"], language="zh-hans").get(URL, {"list": STAGE_LIST}).json()
    assert [(r["value"], r["display"]) for r in body["results"]] == [
        ("prospect", "潜在"), ("won", "成交"), ("repeat", "复购"), ("lost", "流失"),
    ]  # fmt: skip
    assert all(r["system"] for r in body["results"])


def test_admin_adds_renames_deactivates_reorders_and_deletes():
    admin = make_user("boss", superuser=True)
    api = token_client(admin)
    created = api.post(
        URL, {"list": LEVEL_LIST, "value": "S", "label_zh": "S 级", "label_en": "S"}, format="json"
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert (
        api.patch(f"{URL}{pk}/", {"label_en": "S – strategic", "active": False}, format="json").status_code
        == 200
    )
    option = ChoiceOption.objects.get(pk=pk)
    assert (option.label_en, option.active) == ("S – strategic", False)
    fixed = api.patch(f"{URL}{pk}/", {"value": "T"}, format="json")
    assert fixed.status_code == 400 and "value" in fixed.json()["errors"]
    reordered = api.post(
        f"{URL}reorder/", {"list": LEVEL_LIST, "values": ["S", "A", "B", "C", "D"]}, format="json"
    )
    assert reordered.status_code == 200
    assert levels() == ["S", "A", "B", "C", "D"]
    assert api.delete(f"{URL}{pk}/").status_code == 204
    assert levels() == ["A", "B", "C", "D"]


def test_errors_are_field_messages_and_conflicts_409():
    admin = make_user("boss", superuser=True)
    api = token_client(admin, language="en")
    dup = api.post(URL, {"list": LEVEL_LIST, "value": "A", "label_zh": "甲"}, format="json")
    assert dup.status_code == 400 and "value" in dup.json()["errors"]
    with as_system():
        Customer.objects.create(name="甲公司", level="A")
    used = ChoiceOption.objects.get(list_name=LEVEL_LIST, value="A")
    response = api.delete(f"{URL}{used.pk}/")
    assert response.status_code == 409
    assert "1 customers" in response.json()["detail"] or "1 customer" in response.json()["detail"]
    won = ChoiceOption.objects.get(list_name=STAGE_LIST, value="won")
    assert api.delete(f"{URL}{won.pk}/").status_code == 400
    assert api.patch(f"{URL}{won.pk}/", {"active": False}, format="json").status_code == 400
    assert levels() == ["A", "B", "C", "D"]


def test_readers_cannot_write():
    reader = make_user("reader", perms=["core.view_choiceoption"])
    api = token_client(reader)
    assert (
        api.post(URL, {"list": LEVEL_LIST, "value": "S", "label_zh": "S"}, format="json").status_code == 403
    )
    option = ChoiceOption.objects.get(list_name=LEVEL_LIST, value="A")
    assert api.patch(f"{URL}{option.pk}/", {"label_zh": "甲"}, format="json").status_code in (403, 404)
    assert api.delete(f"{URL}{option.pk}/").status_code in (403, 404)
    assert levels() == ["A", "B", "C", "D"]
    assert ChoiceOption.objects.get(pk=option.pk).label_zh == "A"


def test_listed_in_the_openapi_schema(admin_client):
    schema = admin_client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/core/choice-options/" in schema["paths"]
    assert "/api/v1/core/choice-options/reorder/" in schema["paths"]

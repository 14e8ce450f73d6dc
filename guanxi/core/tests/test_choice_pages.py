"""Settings → Choice lists: the administrator's page (add, rename, move, deactivate, delete)."""

from __future__ import annotations

import pytest

from guanxi.core.choices import choices
from guanxi.core.models import ChoiceOption, ObjectChange
from guanxi.customers.choices import LEVEL_LIST, STAGE_LIST
from guanxi.customers.models import Customer
from guanxi.framework.testing.fixtures import as_system

pytestmark = pytest.mark.django_db
URL = f"/settings/choices/{LEVEL_LIST}/"


def levels() -> list[str]:
    return [v for v, _l in choices(LEVEL_LIST)]


def test_only_administrators(client, make_user):
    client.force_login(make_user("rep", perms=["core.view_choiceoption"]))
    assert client.get("/settings/choices/").status_code == 403
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"action": "add", "value": "S", "label_zh": "S"}).status_code == 403
    assert levels() == ["A", "B", "C", "D"]


def test_index_lists_the_lists(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/settings/choices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Customer level" in page and "Lifecycle stage" in page
    assert client.get("/settings/choices/nope/").status_code == 404


def test_add_rename_move_deactivate_delete(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        URL, {"action": "add", "value": "S", "label_zh": "S 级战略客户", "label_en": "S – strategic"}
    )
    assert response.status_code == 302
    option = ChoiceOption.objects.get(list_name=LEVEL_LIST, value="S")
    assert levels() == ["A", "B", "C", "D", "S"]
    client.post(URL, {"action": "up", "option": option.pk})
    assert levels() == ["A", "B", "C", "S", "D"]
    client.post(URL, {"action": "rename", "option": option.pk, "label_zh": "S 级", "label_en": "S"})
    option.refresh_from_db()
    assert option.label_zh == "S 级"
    client.post(URL, {"action": "deactivate", "option": option.pk})
    option.refresh_from_db()
    assert not option.active
    assert client.post(URL, {"action": "delete", "option": option.pk}).status_code == 302
    assert levels() == ["A", "B", "C", "D"]
    assert (
        ObjectChange.objects.filter(changed_object_type__model="choiceoption", user=admin_user).count() >= 4
    )


def test_field_errors_in_the_users_language(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        URL, {"action": "add", "value": "A", "label_zh": "甲"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "已有代码" in response.content.decode()
    response = client.post(URL, {"action": "add", "value": "a b", "label_zh": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert levels() == ["A", "B", "C", "D"]


def test_delete_of_a_used_option_is_refused_with_a_deactivate_offer(client, admin_user):
    with as_system():
        Customer.objects.create(name="甲公司", level="B")
    option = ChoiceOption.objects.get(list_name=LEVEL_LIST, value="B")
    client.force_login(admin_user)
    response = client.post(URL, {"action": "delete", "option": option.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    page = response.content.decode()
    assert "1 customers" in page or "1 customer" in page
    assert 'value="deactivate"' in page
    assert levels() == ["A", "B", "C", "D"]


def test_built_in_stages_offer_no_delete(client, admin_user):
    client.force_login(admin_user)
    won = ChoiceOption.objects.get(list_name=STAGE_LIST, value="won")
    page = client.get(f"/settings/choices/{STAGE_LIST}/").content.decode()
    assert 'value="delete"' not in page
    response = client.post(f"/settings/choices/{STAGE_LIST}/", {"action": "deactivate", "option": won.pk})
    assert response.status_code == 400
    won.refresh_from_db()
    assert won.active

"""The issue's case on the real customer list: agent1 (客服) may not see customers' email and sees
phones masked; ``?q=`` with the right and a wrong guess answers the same, on the list page, the
API and the global search, and so does sorting by those fields and their method filters."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from guanxi.customers.models import Customer
from guanxi.framework.api.testing import token_client
from guanxi.framework.search import search
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.scopes import give_role
from guanxi.users.models import FieldRule


@pytest.fixture
def agent1(db, make_user):
    user = make_user("agent1")
    role = give_role(user, Customer, "all", ["view", "export"], name="客服-测试")
    with as_system():
        ct = ContentType.objects.get_for_model(Customer)
        for field, access in (("email", "hidden"), ("phone", "masked"), ("birthday", "hidden")):
            FieldRule.objects.create(role=role, content_type=ct, field_name=field, access=access)
        customer = Customer.objects.create(
            name="华信科技", email="info825@bh-tech.cn", phone="+8613800138000"
        )
    return type(user).objects.get(pk=user.pk), customer


def ids(html: str) -> list[str]:
    return re.findall(r'name="pk" value="(\d+)"', html)


@pytest.mark.parametrize(
    ("right", "wrong"), [("info825@bh", "info825@bx"), ("8000", "8001"), ("13800138000", "13800138001")]
)
def test_agent_cannot_search_hidden_email_or_masked_phone(client, admin_client, agent1, right, wrong):
    user, customer = agent1
    assert ids(admin_client.get(f"/customers/?q={right}").content.decode()) == [str(customer.pk)]
    client.force_login(user)
    api = token_client(user)
    answers = [
        (
            ids(client.get(f"/customers/?q={guess}").content.decode()),
            api.get(f"/api/v1/customers/customers/?q={guess}").json()["count"],
            search(user, guess),
        )
        for guess in (right, wrong)
    ]
    assert answers[0] == answers[1] == ([], 0, [])
    assert ids(client.get("/customers/?q=华信").content.decode()) == [str(customer.pk)]


def test_agent_cannot_sort_or_filter_by_restricted_customer_fields(client, agent1):
    user, _customer = agent1
    api = token_client(user)
    assert api.get("/api/v1/customers/customers/?ordering=email").status_code == 400
    assert api.get("/api/v1/customers/customers/?ordering=-phone").status_code == 400
    refused = api.get("/api/v1/customers/customers/?birthday_this_month=true")
    assert refused.status_code == 400 and "birthday_this_month" in refused.json()["errors"]
    client.force_login(user)
    page = client.get("/customers/?columns=name&columns=phone").content.decode()
    assert "sort=phone" not in page and 'name="birthday_this_month"' not in page

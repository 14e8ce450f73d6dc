"""Customer level and stage read the configured lists on every surface: form, filter chips, table,
API, CSV export, import; a deactivated option is no longer offered but still shown and filterable."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core import choice_services
from guanxi.core.models import ChoiceOption
from guanxi.customers.choices import LEVEL_LIST
from guanxi.customers.models import Customer
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system, as_user
from guanxi.framework.testing.scopes import give_role
from guanxi.framework.testing.suites import perm

pytestmark = pytest.mark.django_db
ZH, EN = "S 级战略客户", "S – strategic"


@pytest.fixture
def level_s(admin_user):
    with as_user(admin_user):
        return choice_services.add_choice_option(
            actor=admin_user, list_name=LEVEL_LIST, value="S", label_zh=ZH, label_en=EN
        )


@pytest.fixture
def rep(make_user):
    user = make_user("rep", perms=[perm(Customer, a) for a in ("view", "add", "change")])
    give_role(user, Customer, "all", ["view", "add", "import"], name="importer")  # import is a verb
    return type(user).objects.get(pk=user.pk)


def deactivate(option, admin_user):
    with as_user(admin_user):
        choice_services.set_choice_option_active(option, actor=admin_user, active=False)


def test_form_offers_the_new_level_and_not_a_deactivated_one(client, rep, level_s, admin_user):
    client.force_login(rep)
    page = client.get("/customers/add/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'<option value="S">{ZH}</option>' in page
    assert (
        client.post(
            "/customers/add/",
            {"kind": "company", "name": "星河", "level": "S", "stage": "won", "status": "active"},
        ).status_code
        == 302
    )
    customer = Customer.objects.get(name="星河")
    assert customer.level == "S"
    deactivate(level_s, admin_user)
    assert 'value="S"' not in client.get("/customers/add/").content.decode()
    response = client.post(
        "/customers/add/",
        {"kind": "company", "name": "银河", "level": "S", "stage": "won", "status": "active"},
    )
    assert response.status_code == 200 and not Customer.objects.filter(name="银河").exists()
    # the customer that has it keeps it: offered on its own form, shown on its page
    assert 'value="S"' in client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert EN in client.get(f"/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_list_filter_chips_table_label_and_filtering(client, rep, level_s, admin_user):
    with as_system():
        Customer.objects.create(name="星河", level="S", owner=rep)
        Customer.objects.create(name="银河", level="A", owner=rep)
    client.force_login(rep)
    page = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="S"' in page and EN in page
    filtered = client.get("/customers/?level=S", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "星河" in filtered and "银河" not in filtered and ZH in filtered
    deactivate(level_s, admin_user)
    filtered = client.get("/customers/?level=S", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "星河" in filtered and "银河" not in filtered and EN in filtered


def test_export_shows_the_label(client, admin_user, level_s):
    with as_system():
        Customer.objects.create(name="星河", level="S")
    client.force_login(admin_user)
    response = client.get("/customers/?export=csv", HTTP_ACCEPT_LANGUAGE="en")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert EN in content.decode("utf-8-sig")


def test_api_accepts_the_new_level_and_rejects_unknown_ones(make_user, level_s, admin_user):
    user = make_user("api_rep", perms=[perm(Customer, a) for a in ("view", "add", "change")])
    api = token_client(user, language="en")
    created = api.post("/api/v1/customers/customers/", {"name": "星河", "level": "S"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["level"] == "S"
    bad = api.post("/api/v1/customers/customers/", {"name": "银河", "level": "X"}, format="json")
    assert bad.status_code == 400
    assert "not a valid choice" in bad.json()["errors"]["level"][0]
    zh = token_client(user, language="zh-hans").post(
        "/api/v1/customers/customers/", {"name": "银河", "level": "X"}, format="json"
    )
    assert "有效" in zh.json()["errors"]["level"][0] or "选项" in zh.json()["errors"]["level"][0]
    deactivate(level_s, admin_user)
    again = api.post("/api/v1/customers/customers/", {"name": "银河", "level": "S"}, format="json")
    assert again.status_code == 400 and again.json()["errors"]["level"]
    pk = created.json()["id"]  # the customer that has it can still be saved unchanged
    assert (
        api.patch(
            f"/api/v1/customers/customers/{pk}/", {"level": "S", "notes": "x"}, format="json"
        ).status_code
        == 200
    )


def test_import_accepts_the_level_by_code_or_label(rep, level_s, tmp_path):
    from guanxi.imports import engine

    path = tmp_path / "c.csv"
    path.write_text(f"名称,级别\n星河科技,S\n银河科技,{ZH}\n", encoding="utf-8")
    batch = engine.run(engine.create_batch(rep, Customer, str(path), "c.csv"))
    assert batch.created == 2, list(batch.rows.values_list("messages", flat=True))
    assert set(Customer.objects.values_list("level", flat=True)) == {"S"}


def test_labels_cost_no_query_per_row(client, rep, level_s):
    """The options are read once (one query after a change, none once cached), not per row."""
    client.force_login(rep)

    def count(n):
        with as_system():
            Customer.objects.bulk_create(
                Customer(name=f"客户{i}-{n}", level="S", owner=rep) for i in range(n)
            )
        client.get("/customers/?per_page=50")  # warm: sessions, content types, options
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/customers/?per_page=50").status_code == 200
        return len(ctx.captured_queries)

    few = count(3)
    assert count(47) == few
    with CaptureQueriesContext(connection) as ctx:
        client.get("/customers/?per_page=50")
    assert not any("core_choiceoption" in q["sql"] for q in ctx.captured_queries)


def test_pool_rule_levels_follow_the_list(level_s, admin_user):
    from django.core.exceptions import ValidationError

    from guanxi.customers.models import Pool, PoolRule

    with as_system():
        pool = Pool.objects.create(name="华东公海")
    rule = PoolRule(pool=pool, name="S 级 30 天", levels=["S"], no_follow_up_days=30)
    rule.full_clean()
    rule.levels = ["Z"]
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "A, B, C, D, S" in str(error.value)
    assert ChoiceOption.objects.filter(list_name=LEVEL_LIST).count() == 5


def test_pool_rule_form_offers_active_levels_and_the_rules_own(admin_user):
    from guanxi.customers.models import Pool, PoolRule
    from guanxi.customers.pools.views_admin import PoolRuleForm

    with as_system():
        pool = Pool.objects.create(name="华东公海")
        rule = PoolRule.objects.create(pool=pool, name="D 级", levels=["D"], no_follow_up_days=30)
    deactivate(ChoiceOption.objects.get(list_name=LEVEL_LIST, value="D"), admin_user)
    offered = [v for v, _l in PoolRuleForm(user=admin_user).fields["levels"].choices]
    assert offered == ["A", "B", "C"]
    offered = [v for v, _l in PoolRuleForm(instance=rule, user=admin_user).fields["levels"].choices]
    assert offered == ["A", "B", "C", "D"]
    rule.full_clean()  # a deactivated level the rule already names stays valid

"""Pool pages, cards, bulk action and API: generic suites for the admin, scenario tests for the rest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.customers.models import Customer, Pool, PoolMove, PoolRule
from guanxi.customers.pools.tests.pool_fixtures import (  # noqa: F401  (fixtures)
    build_org,
    deals_recorded,
    no_deal_records,
)
from guanxi.framework.api.testing import token_client
from guanxi.framework.testing.fixtures import as_system
from guanxi.framework.testing.suites import EntityViewSuite
from guanxi.users.models import RoleGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    """Pages and the API run on the real clock: customer dates count back from now."""
    return build_org(timezone.now())


class TestPoolAdminViews(EntityViewSuite):
    model = Pool
    url_prefix = "/org/pools/"
    form_data = {"name": "华南公海", "reclaim_cooloff_days": 7, "max_claims_per_day": 5}
    edit_data = {"name": "华南公海（新）", "reclaim_cooloff_days": 3}
    bulk_edit_data = {"reclaim_cooloff_days": 14}

    def make(self, n):
        return Pool.objects.create(name=f"公海{n:03d}")


class TestPoolRuleAdminViews(EntityViewSuite):
    model = PoolRule
    url_prefix = "/org/pool-rules/"
    bulk_edit_data = {"warn_days_before": 2}

    @property
    def form_data(self):
        with as_system():
            pool, _created = Pool.objects.get_or_create(name="规则公海")
        return {
            "pool": pool.pk,
            "name": "A级 30 天",
            "levels": ["A"],
            "no_follow_up_days": 30,
            "warn_days_before": 5,
        }

    @property
    def edit_data(self):
        return {**self.form_data, "name": "A级 45 天", "no_follow_up_days": 45}

    def make(self, n):
        pool, _created = Pool.objects.get_or_create(name="规则公海")
        return PoolRule.objects.create(pool=pool, name=f"规则{n:03d}", no_follow_up_days=30)


def test_rule_form_refuses_a_rule_without_days_and_a_late_warning(admin_client):
    with as_system():
        pool = Pool.objects.create(name="规则公海")
    data = {"pool": pool.pk, "name": "坏规则", "warn_days_before": 5}
    page = admin_client.post("/org/pool-rules/add/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Set days without follow-up, days without a won deal, or both." in page
    page = admin_client.post(
        "/org/pool-rules/add/", {**data, "no_follow_up_days": 5}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "The warning must come fewer days before the return than the rule&#x27;s days." in page
    assert not PoolRule.objects.exists()


def login(client, user):
    user.language = "en"
    client.force_login(user)
    return client


def test_pool_page_lists_waiting_customers_with_rules_and_counters(
    client, org, django_assert_max_num_queries
):
    for n in range(3):
        org.customer(f"公海客户{n}", pool=org.east, level="B", province="浙江省")
    org.customer("已认领", owner="zhang", owned_days=2)
    login(client, org.users["zhang"])
    url = f"/customers/pools/{org.east.pk}/"
    client.get(url)
    with django_assert_max_num_queries(18):
        page = client.get(url).content.decode()
    assert page.count('class="pool-customer"') == 3
    assert (
        "Each person may own at most 50 customers." in page and "At most 5 claims per person per day." in page
    )
    assert '<dd id="pool-owned">1/50</dd>' in page and '<dd id="pool-claimed">0/5</dd>' in page
    for n in range(3, 40):
        org.customer(f"公海客户{n}", pool=org.east, level="C")
    with django_assert_max_num_queries(18):
        page = client.get(url).content.decode()
    assert page.count('class="pool-customer"') == 40
    filtered = client.get(url, {"level": "B", "province": "浙江"}).content.decode()
    assert filtered.count('class="pool-customer"') == 3
    # the switcher lists both pools; the index opens the default pool first
    assert f'href="/customers/pools/{org.national.pk}/"' in page
    assert client.get("/customers/pools/")["Location"] == f"/customers/pools/{org.national.pk}/"


def test_pool_of_another_department_is_404(client, org):
    login(client, org.users["zhao"])
    assert client.get(f"/customers/pools/{org.east.pk}/").status_code == 404
    assert client.get(f"/customers/pools/{org.national.pk}/").status_code == 200


def test_claim_button_refusal_names_the_rule(client, org):
    org.east.max_owned_customers = 1
    with as_system():
        org.east.save()
    org.customer("已有", owner="zhang", owned_days=2)
    pooled = org.customer("想要的客户", pool=org.east)
    login(client, org.users["zhang"])
    response = client.post(
        f"/customers/{pooled.pk}/claim/", {"next": f"/customers/pools/{org.east.pk}/"}, follow=True
    )
    assert "You already own 1 customers; 华东公海 allows at most 1 per person." in response.content.decode()
    assert Customer.objects.get(pk=pooled.pk).owner_id is None


def test_claim_then_put_back_from_the_customer_page(client, org):
    pooled = org.customer("客户甲", pool=org.east)
    login(client, org.users["zhang"])
    page = client.get(f"/customers/{pooled.pk}/").content.decode()
    assert (
        'id="customer-claim"' in page and 'id="customer-pool-status"' in page and "In 华东公海 since" in page
    )
    response = client.post(f"/customers/{pooled.pk}/claim/", follow=True)
    assert "You now own “客户甲”." in response.content.decode()
    page = client.get(f"/customers/{pooled.pk}/").content.decode()
    assert 'id="customer-release"' in page
    response = client.post(
        f"/customers/{pooled.pk}/release/", {"pool": org.east.pk, "reason": ""}, follow=True
    )
    assert "This field is required." in response.content.decode()
    assert Customer.objects.get(pk=pooled.pk).owner == org.users["zhang"]
    response = client.post(
        f"/customers/{pooled.pk}/release/", {"pool": org.east.pk, "reason": "预算取消"}, follow=True
    )
    assert "“客户甲” is back in 华东公海." in response.content.decode()
    assert Customer.objects.get(pk=pooled.pk).pool == org.east
    timeline = client.get(
        f"/customers/{pooled.pk}/timeline/", headers={"HX-Request": "true"}
    ).content.decode()
    assert (
        "Put back in 华东公海 by 张三: 预算取消" in timeline and "Claimed from 华东公海 by 张三" in timeline
    )


def test_pool_status_card_says_when_an_owned_customer_returns(client, org):
    with as_system():
        PoolRule.objects.create(
            pool=org.east, name="A级 30 天", levels=["A"], no_follow_up_days=30, warn_days_before=5
        )
    customer = org.customer("客户乙", owner="zhang", owned_days=40)
    Customer.objects.filter(pk=customer.pk).update(
        last_contacted_at=timezone.now() - dt.timedelta(days=25, hours=1)
    )
    login(client, org.users["zhang"])
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Returns to 华东公海 in 4 days under rule “A级 30 天” unless followed up" in page
    home = client.get("/").content.decode()
    assert 'id="home-pool-returns"' in home and "客户乙" in home and "4 days left" in home


def test_bulk_move_to_pool_from_the_customer_list(client, org):
    rows = [org.customer(f"一部客户{n}", owner="zhang", owned_days=5) for n in range(2)]
    login(client, org.users["manager"])
    assert "/customers/bulk-move-to-pool/" in client.get("/customers/").content.decode()
    form = client.post("/customers/bulk-move-to-pool/", {"pk": [r.pk for r in rows]})
    assert form.status_code == 200 and 'id="move-to-pool-form"' in form.content.decode()
    bad = client.post(
        "/customers/bulk-move-to-pool/", {"pk": [r.pk for r in rows], "pool": org.east.pk, "_apply": "1"}
    )
    assert bad.status_code == 422 and not Customer.objects.filter(pool__isnull=False).exists()
    done = client.post(
        "/customers/bulk-move-to-pool/",
        {"pk": [r.pk for r in rows], "pool": org.east.pk, "reason": "调整区域", "_apply": "1"},
    )
    assert done.status_code == 302
    assert Customer.objects.filter(pool=org.east).count() == 2
    # a rep has no "assign": no button, and the view refuses
    login(client, org.users["zhang"])
    assert "/customers/bulk-move-to-pool/" not in client.get("/customers/").content.decode()
    assert client.post("/customers/bulk-move-to-pool/", {"pk": [rows[0].pk]}).status_code == 403


def test_pool_admin_assigns_from_the_pool_page(client, org):
    pooled = org.customer("待分配", pool=org.east)
    login(client, org.users["manager"])
    page = client.get(f"/customers/pools/{org.east.pk}/").content.decode()
    assert "Assign selected" in page
    client.post(f"/customers/pools/{org.east.pk}/assign/", {"pk": [pooled.pk], "to_user": org.users["li"].pk})
    assert Customer.objects.get(pk=pooled.pk).owner == org.users["li"]
    login(client, org.users["zhang"])
    assert "Assign selected" not in client.get(f"/customers/pools/{org.east.pk}/").content.decode()
    assert client.post(f"/customers/pools/{org.east.pk}/assign/", {"pk": [pooled.pk]}).status_code == 403


@pytest.mark.usefixtures("deals_recorded")
def test_dry_run_page_groups_by_pool_with_reasons(client, org, django_assert_max_num_queries):
    with as_system():
        PoolRule.objects.create(
            pool=org.east, name="A级 30 天", levels=["A"], no_follow_up_days=30, warn_days_before=5
        )
        PoolRule.objects.create(pool=org.national, name="180 天未成交", no_won_deal_days=180)
    org.customer("要退回", owner="zhang", owned_days=40, won_days=10)
    org.customer("快到期", owner="li", owned_days=26.5, won_days=10)
    org.customer("长期未成交", owner="zhang", level="B", owned_days=200)
    login(client, org.users["manager"])
    client.get("/customers/pools/dry-run/")
    with django_assert_max_num_queries(18):
        page = client.get("/customers/pools/dry-run/").content.decode()
    assert page.count('pool-plan"') == 2
    assert "Goes back to 华东公海 at the next run: no follow-up for 40 days under rule “A级 30 天”" in page
    assert "Returns to 华东公海 in 3 days under rule “A级 30 天” unless followed up" in page
    assert "Goes back to 全国公海 at the next run: no won deal for 200 days under rule “180 天未成交”" in page
    for n in range(20):
        org.customer(f"批量{n}", owner="zhang", owned_days=50)
    with django_assert_max_num_queries(18):
        assert client.get("/customers/pools/dry-run/").status_code == 200
    assert not PoolMove.objects.exists()  # a dry run moves nothing
    login(client, org.users["zhang"])
    assert client.get("/customers/pools/dry-run/").status_code == 403


# -- API -----------------------------------------------------------------------------------------


def test_api_claim_refusal_is_409_naming_the_rule(org):
    org.east.max_claims_per_day = 0
    with as_system():
        org.east.save()
    pooled = org.customer("API客户", pool=org.east)
    api = token_client(org.users["zhang"])
    response = api.post(f"/api/v1/customers/customers/{pooled.pk}/claim/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "You claimed 0 customers today; 华东公海 allows 0 a day.",
        "rule": "max_per_day",
        "errors": {},
    }
    assert (
        token_client(org.users["zhao"]).post(f"/api/v1/customers/customers/{pooled.pk}/claim/").status_code
        == 404
    )


def test_api_claim_and_release(org):
    pooled = org.customer("API客户", pool=org.national)
    api = token_client(org.users["zhang"])
    assert api.post(f"/api/v1/customers/customers/{pooled.pk}/claim/").json() == {
        "id": pooled.pk,
        "owner": org.users["zhang"].pk,
        "pool": None,
    }
    missing = api.post(f"/api/v1/customers/customers/{pooled.pk}/release/", {"reason": ""}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"reason": ["Say why the customer goes back to the pool."]}
    done = api.post(
        f"/api/v1/customers/customers/{pooled.pk}/release/",
        {"pool": org.east.pk, "reason": "暂缓"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["pool"] == org.east.pk
    # the ordinary customer endpoints still answer
    assert api.get("/api/v1/customers/customers/").status_code == 200


def test_api_pools_read_for_reps_write_for_admins(org, admin_user):
    zhao = token_client(org.users["zhao"])
    assert [p["name"] for p in zhao.get("/api/v1/customers/pools/").json()["results"]] == ["全国公海"]
    assert zhao.post("/api/v1/customers/pools/", {"name": "新公海"}, format="json").status_code == 403
    admin = token_client(admin_user)
    created = admin.post(
        "/api/v1/customers/pools/", {"name": "新公海", "max_claims_per_day": 3}, format="json"
    )
    assert created.status_code == 201, created.json()
    rule = admin.post(
        "/api/v1/customers/pool-rules/",
        {"pool": created.json()["id"], "name": "A级 30 天", "levels": ["A"], "no_follow_up_days": 30},
        format="json",
    )
    assert rule.status_code == 201, rule.json()
    bad = admin.post(
        "/api/v1/customers/pool-rules/",
        {"pool": created.json()["id"], "name": "x", "levels": ["Z"]},
        format="json",
    )
    assert bad.status_code == 400 and "levels" in bad.json()["errors"]


def test_api_dry_run(org):
    with as_system():
        PoolRule.objects.create(pool=org.east, name="A级 30 天", levels=["A"], no_follow_up_days=30)
    customer = org.customer("要退回", owner="zhang", owned_days=31)
    rows = token_client(org.users["manager"]).get("/api/v1/customers/pools/dry-run/").json()
    assert [(r["customer"]["id"], r["action"], r["days"], r["rule"]["display"]) for r in rows] == [
        (customer.pk, "return", 31, "A级 30 天")
    ]
    assert token_client(org.users["zhang"]).get("/api/v1/customers/pools/dry-run/").status_code == 403


def test_default_roles_get_pool_grants():
    grants = RoleGrant.objects.filter(content_type__app_label="customers", content_type__model="pool")
    assert {g.role.name: g.scope for g in grants.select_related("role")} == {
        "系统管理员": "all",
        "销售总监": "all",
        "销售经理": "all",
    }


@pytest.mark.usefixtures("deals_recorded")
def test_my_day_card_query_count_does_not_grow(client, org, django_assert_max_num_queries):
    with as_system():
        PoolRule.objects.create(
            pool=org.east, name="A级 30 天", levels=["A"], no_follow_up_days=30, warn_days_before=5
        )
        PoolRule.objects.create(
            pool=org.national, name="180 天未成交", no_won_deal_days=180, warn_days_before=10
        )
    org.customer("快到期", owner="zhang", owned_days=27.5, won_days=1)
    login(client, org.users["zhang"])
    client.get("/")
    # the whole My day page: the activities and leads cards are on it too
    with django_assert_max_num_queries(25) as few:
        assert client.get("/").content.decode().count("pool-upcoming") == 1
    for n in range(30):
        org.customer(f"快到期{n}", owner="zhang", owned_days=27.5, won_days=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/").content.decode().count("pool-upcoming") == 10  # the soonest ten


@pytest.mark.usefixtures("no_deal_records")
def test_pool_page_and_dry_run_show_the_won_deal_rule_as_inactive_until_deals_exist(client, org):
    with as_system():
        PoolRule.objects.create(pool=org.east, name="180 天未成交", no_won_deal_days=180)
    org.customer("长期未成交", owner="zhang", owned_days=200)
    login(client, org.users["manager"])
    pool_page = client.get(f"/customers/pools/{org.east.pk}/").content.decode()
    dry_run = client.get("/customers/pools/dry-run/").content.decode()
    reason = "Inactive: no module records won deals yet, so no customer is returned for want of one."
    assert "won-deal-inactive" in pool_page and reason in pool_page
    assert reason in dry_run and "長期未成交" not in dry_run and "长期未成交" not in dry_run


def test_pool_assign_offers_a_picker_and_refuses_who_the_admin_may_not_choose(client, org):
    """No select of every employee: a picker, validated by the same rule as the customer's owner
    input; a colleague outside it is refused at the field, and nothing moves."""
    pooled = org.customer("待分配", pool=org.east)
    login(client, org.users["manager"])
    page = client.get(f"/customers/pools/{org.east.pk}/").content.decode()
    assert 'data-name="to_user"' in page and 'role="combobox"' in page
    assert '<select id="assign-to"' not in page
    outsider = org.users["zhao"]  # 华北: not someone the manager may give customers to
    response = client.post(
        f"/customers/pools/{org.east.pk}/assign/", {"pk": [pooled.pk], "to_user": outsider.pk}, follow=True
    )
    assert "That is not one of the choices you may make." in response.content.decode()
    assert Customer.objects.get(pk=pooled.pk).owner is None


def test_a_claim_refused_as_a_duplicate_offers_the_way_forward(client, org):
    """撞单 on a claim: the page says whose customer it is and offers to open it or ask its owner
    to join the team; nothing changes."""
    org.customer("飞海科技", owner="li", phone="+8613800138000")
    pooled = org.customer("飞海科技（老客户）", pool=org.east, phone="+8613800138000")
    login(client, org.users["zhang"])
    response = client.post(f"/customers/{pooled.pk}/claim/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "owned by 李四" in page
    assert 'id="conflict-ways"' in page and "Ask the owner to add you to the team" in page
    assert Customer.objects.get(pk=pooled.pk).owner is None
